"""The playground (scripts/playground.sh) on a free port, and headless Chromium driving it.

Chromium and its driver are Debian's (apt-get install chromium chromium-driver: scripts/test.sh
installs them); selenium comes from the lock. The browser resolves no host name but localhost, and
records every request it makes, so a test can show that the page fetches nothing from outside.
"""

import json
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from servers import REPO, free_port, spawn, stop_process, wait_until_ready

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class Playground:
    def __init__(self, stack_url: str, state_dir: Path) -> None:
        self.stack_url = stack_url
        self.port = free_port()
        self.log_path = state_dir / f"playground-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "Playground":
        env = {"LLAMA_STACK_URL": self.stack_url, "PATH": "/usr/bin:/bin", "HOME": str(self.log_path.parent)}
        command = ["bash", str(REPO / "scripts" / "playground.sh"), "--port", str(self.port)]
        self.process = spawn(command, self.log_path, env, cwd=REPO)
        wait_until_ready(
            self.process,
            lambda: httpx.get(f"{self.url}/_stcore/health", timeout=2).text == "ok",
            timeout,
            "scripts/playground.sh",
        )
        return self

    def stop(self) -> None:
        stop_process(self.process, term_grace=10)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def chromium(downloads: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1", "--no-first-run",
                     f"--user-data-dir={downloads / 'profile'}"):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def requested_urls(browser: webdriver.Chrome) -> list[str]:
    """Every URL the page asked for since the last call (the performance log empties on reading)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def outside_requests(browser: webdriver.Chrome) -> list[str]:
    """The web requests since the last call that went to another host than this machine."""
    return [u for u in requested_urls(browser) if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in LOCAL_HOSTS]  # fmt: skip


def wait_for_text(browser: webdriver.Chrome, text: str, timeout: float) -> None:
    body = (By.TAG_NAME, "body")
    WebDriverWait(browser, timeout).until(expected_conditions.text_to_be_present_in_element(body, text))


def page_text(browser: webdriver.Chrome) -> str:
    return browser.find_element(By.TAG_NAME, "body").text


def interactive_seconds(browser: webdriver.Chrome, url: str, ready_text: str, timeout: float = 30) -> float:
    """From navigation to the page's text `ready_text` drawn (the app's first run done)."""
    started = time.monotonic()
    browser.get(url)
    wait_for_text(browser, ready_text, timeout)
    return time.monotonic() - started


def button(browser: webdriver.Chrome, label: str, timeout: float = 30):
    """The (first) button whose text holds `label`, once it can be clicked."""
    locator = (By.XPATH, f"//button[contains(normalize-space(), '{label}')]")
    return WebDriverWait(browser, timeout).until(expected_conditions.element_to_be_clickable(locator))
