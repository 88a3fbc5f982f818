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
_SCRUBBED = (
    "VLLM_URL", "INFERENCE_MODEL", "TOGETHER_API_KEY", "MILVUS_URI", "MILVUS_TOKEN", "MILVUS_DB_PATH",
    "LOCAL_LLM", "LLM_GGUF", "LLM_MODEL_ID", "LLM_MODELS_DIR", "EMBEDDING_PRELOAD", "EMBEDDING_BACKEND",
    "RAG_CONTEXT", "RAG_MAX_CHUNKS", "RAG_MAX_TOKENS_IN_CONTEXT", "RAG_SEARCH_MODE", "LLM_SEARCH_QUERY",
)  # fmt: skip


def spawn(command: list[str], log_path: Path, env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen:
    """A server process in its own session (so that stopping it stops its children), output to a log."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_ready(process: subprocess.Popen, ready, timeout: float, what: str, interval: float = 0.5) -> float:
    """Seconds until `ready()` is true; raises if the process exits first or time runs out."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if ready():
                return time.monotonic() - started
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(interval)
    raise TimeoutError(f"{what} was not ready within {timeout}s")


def stop_process(process: subprocess.Popen | None, term_grace: float) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(term_grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Where a test run keeps the ONNX export of the bundled model that its `llama stack run`
# processes share (set by tests/conftest.py for the run; None: each state folder exports its own).
ONNX_CACHE: Path | None = None


class StackServer:
    """`llama stack run <config> --port <free port>` with its state in `state_dir`.

    These processes embed on ONNX Runtime (int8) from one export per test run, unless a test passes
    EMBEDDING_BACKEND: torch's import takes about 21 s of a new process's first embedding on 2
    cores, against 3 s. The default backend, torch, runs in-process (the provider tier), in the
    tutorial and templates over HTTP, and in the bundled LLM's tests."""

    EMBEDDING_BACKEND = "onnx-int8"

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
            SQLITE_STORE_DIR=str(self.state_dir),
            MILVUS_DB_PATH=str(self.state_dir / "milvus.db"),
            FILES_STORAGE_DIR=str(self.state_dir / "files"),
            TELEMETRY_SINKS="sqlite",
            # The embedded LLM loads only where a test asks for it (tests/test_local_llm.py).
            LOCAL_LLM="off",
            # Most test stacks embed on first use anyway; those that never do should not pay for it.
            EMBEDDING_PRELOAD="none",
        )
        if self.EMBEDDING_BACKEND is not None:
            env["EMBEDDING_BACKEND"] = self.EMBEDDING_BACKEND
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 240) -> "StackServer":
        self.state_dir.mkdir(parents=True, exist_ok=True)
        export = Path(self.env()["SQLITE_STORE_DIR"]) / "embedding-onnx"  # the run configs' onnx_dir
        if ONNX_CACHE is not None and self.env().get("EMBEDDING_BACKEND") != "torch":
            # Made again if it went away since this state folder linked to it (a restart would
            # otherwise find a dangling link: "File exists" at its first embedding).
            ONNX_CACHE.mkdir(parents=True, exist_ok=True)
            if not export.is_symlink() and not export.exists():
                export.symlink_to(ONNX_CACHE, target_is_directory=True)
        llama = Path(sys.executable).parent / "llama"
        command = [str(llama), "stack", "run", str(self.config), "--port", str(self.port)]
        self.process = spawn(command, self.log_path, self.env(), cwd=REPO)
        try:
            self.started_in = wait_until_ready(
                self.process,
                lambda: httpx.get(f"{self.base_url}/v1/health", timeout=2).status_code == 200,
                timeout,
                "llama stack run",
            )
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}:\n{self.log_tail()}") from None
        except TimeoutError as exc:
            self.stop()
            raise TimeoutError(f"{exc}:\n{self.log_tail()}") from None
        return self

    def __enter__(self) -> "StackServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def run_until_exit(self, timeout: float = 240) -> int:
        """Start the server expecting it to refuse to start; returns its exit code."""
        try:
            self.start(timeout)
        except RuntimeError:
            return self.process.returncode
        self.stop()
        raise AssertionError(f"llama stack run started although it should not have:\n{self.log_tail()}")

    def stop(self, timeout: float = 30) -> None:
        stop_process(self.process, term_grace=timeout)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def client(self, provider_data: dict | None = None):
        from llama_stack_client import LlamaStackClient

        return LlamaStackClient(base_url=self.base_url, timeout=300, provider_data=provider_data)


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
