"""A Llama Stack server in the test process: Llama Stack's own server code (`server.main`, what
`llama stack run` calls) in a thread, on a free port, driven over HTTP with the real client.

The provider tier runs on these: our providers in-process against each Milvus backend, each stack
up in a second or two instead of the seven-plus of a new `llama stack run` process (whose time is
almost all imports). Tests where the process matters (start-up refusals, restarts, crashes, logs
of a real server, templates) keep using `servers.StackServer`.
"""

import argparse
import contextlib
import io
import logging
import os
import threading
import time
from contextvars import ContextVar

import httpx
from servers import StackServer

# Stacks are built one at a time: building reads the environment (the run config's ${env.X}).
_BUILDING = threading.Lock()
# The port of the in-process stack whose code is running (inherited by its tasks and to_thread calls).
_RUNNING = ContextVar("inprocess_stack_port", default=None)


@contextlib.contextmanager
def _environment(env: dict[str, str]):
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class _Captured(logging.Handler):
    """What the stack logs while it runs, as `llama stack run` would print it: its own records, and
    those of no stack in particular (threads that did not inherit a stack's context)."""

    def __init__(self, port: int) -> None:
        super().__init__(logging.DEBUG)
        self.addFilter(lambda record: _RUNNING.get() in (None, port))
        self.buffer = io.StringIO()
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.buffer.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - a log line must never fail a request
            pass


class InProcessStack(StackServer):
    """Same interface as StackServer (base_url, client(), log_text(), stop(), `with`), in-process;
    there is no process, so no run_until_exit(): start-up refusals are e2e tests of the process.
    Embeds with the default backend, torch: its import is paid once per test process."""

    EMBEDDING_BACKEND = "torch"

    def __init__(self, config, state_dir, env=None) -> None:
        super().__init__(config, state_dir, env)
        self.thread: threading.Thread | None = None
        self.uvicorn = None
        self.failure: BaseException | None = None
        self.captured = _Captured(self.port)

    def start(self, timeout: float = 120) -> "InProcessStack":
        import uvicorn

        from llama_stack_milvus import import_patches

        import_patches.install()  # as in `llama stack run`, before Llama Stack's modules load
        from llama_stack.core.server import server

        self.state_dir.mkdir(parents=True, exist_ok=True)
        created: list = []

        class RecordedServer(uvicorn.Server):
            def __init__(self, config) -> None:
                super().__init__(config)
                created.append(self)

        def serve() -> None:
            _RUNNING.set(self.port)
            try:
                server.main(argparse.Namespace(config=str(self.config), port=self.port, env=None))
            except BaseException as exc:  # noqa: BLE001 - reported by start()
                self.failure = exc

        started = time.monotonic()
        logging.getLogger().addHandler(self.captured)
        with _BUILDING, _environment(self.env()):
            original, uvicorn.Server = uvicorn.Server, RecordedServer
            try:
                self.thread = threading.Thread(target=serve, name=f"stack-{self.port}", daemon=True)
                self.thread.start()
                while not created and self.thread.is_alive():  # built once uvicorn is made
                    time.sleep(0.05)
            finally:
                uvicorn.Server = original
        if not created:
            self.stop()
            raise RuntimeError(f"the stack did not start: {self.failure!r}\n{self.log_tail()}")
        self.uvicorn = created[0]
        while time.monotonic() - started < timeout:
            if self.failure is not None or not self.thread.is_alive():
                self.stop()
                raise RuntimeError(f"the stack stopped: {self.failure!r}\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/v1/health", timeout=2).status_code == 200:
                    self.started_in = time.monotonic() - started
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"the stack was not ready within {timeout}s")

    def stop(self, timeout: float = 30) -> None:
        if self.uvicorn is not None:
            self.uvicorn.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout)
        logging.getLogger().removeHandler(self.captured)

    def log_text(self) -> str:
        return self.captured.buffer.getvalue()

    def run_until_exit(self, timeout: float = 240) -> int:
        raise TypeError("an in-process stack has no exit code: use servers.StackServer")
