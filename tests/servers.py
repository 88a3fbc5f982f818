"""Real servers for the tests: a Llama Stack server on a free port, and a static HTTP file server."""

import functools
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
RUN_CONFIGS = REPO / "run-configs"

# Variables of the developer's shell that would change what a run-config starts.
_SCRUBBED = ("VLLM_URL", "INFERENCE_MODEL", "TOGETHER_API_KEY", "MILVUS_URI", "MILVUS_TOKEN", "MILVUS_DB_PATH")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StackServer:
    """`llama stack run <config> --port <free port>` with its state in `state_dir`."""

    def __init__(self, config: Path, state_dir: Path, env: dict[str, str] | None = None) -> None:
        self.config = config
        self.state_dir = state_dir
        self.extra_env = env or {}
        self.port = free_port()
        self.log_path = state_dir / f"stack-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.started_in: float | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
        env.update(
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            LITELLM_LOCAL_MODEL_COST_MAP="True",
            SQLITE_STORE_DIR=str(self.state_dir),
            MILVUS_DB_PATH=str(self.state_dir / "milvus.db"),
            FILES_STORAGE_DIR=str(self.state_dir / "files"),
            TELEMETRY_SINKS="sqlite",
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 240) -> "StackServer":
        self.state_dir.mkdir(parents=True, exist_ok=True)
        llama = Path(sys.executable).parent / "llama"
        log = open(self.log_path, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [str(llama), "stack", "run", str(self.config), "--port", str(self.port)],
            cwd=REPO,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama stack run exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/v1/health", timeout=2).status_code == 200:
                    self.started_in = time.monotonic() - started
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"llama stack run did not answer within {timeout}s:\n{self.log_tail()}")

    def run_until_exit(self, timeout: float = 240) -> int:
        """Start the server expecting it to refuse to start; returns its exit code."""
        try:
            self.start(timeout)
        except RuntimeError:
            return self.process.returncode
        self.stop()
        raise AssertionError(f"llama stack run started although it should not have:\n{self.log_tail()}")

    def stop(self, timeout: float = 30) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def client(self):
        from llama_stack_client import LlamaStackClient

        return LlamaStackClient(base_url=self.base_url, timeout=300)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


class FileServer:
    """Serves a folder over HTTP on a free loopback port, in a thread."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "FileServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
