"""The distribution templates: offline `llama stack build` into the project venv, and `llama stack run`
of each template with the env the README names, with and without the services it talks to. Where
only what the template's env makes of it is checked (providers, a served model), the stack runs
in-process (tests/inprocess_stack.py): the same server code, without a new process's imports."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from inprocess_stack import InProcessStack
from milvus_servers import LiteTcpServer
from servers import REPO, RUN_CONFIGS, StackServer, free_port
from vllm_server import ANSWER, API_KEY, MODEL_NAME, TOGETHER_MODEL

TEMPLATES = REPO / "templates"
VENV = Path(sys.executable).parent.parent
USER = [{"role": "user", "content": "What attention does Llama 3 use?"}]


def build_env(home: Path) -> dict[str, str]:
    """No index to reach (UV_OFFLINE), the project venv active, uv on PATH, a scratch HOME."""
    path = [str(VENV / "bin"), str(REPO / ".tools" / "uv" / "bin"), os.environ.get("PATH", "")]
    env = {**os.environ, "UV_OFFLINE": "1", "VIRTUAL_ENV": str(VENV), "HOME": str(home)}
    env["PATH"] = os.pathsep.join(path)
    env.pop("UV_SYSTEM_PYTHON", None)
    return env


@pytest.mark.parametrize("template", ["together", "vllm-gpu"])
def test_offline_build_writes_a_run_config_that_starts(template, tmp_path):
    written = Path(f"{VENV}-run.yaml")
    written.unlink(missing_ok=True)
    command = [str(VENV / "bin" / "llama"), "stack", "build", "--config", str(TEMPLATES / template / "build.yaml"),
               "--image-type", "venv", "--image-name", str(VENV)]  # fmt: skip
    completed = subprocess.run(command, env=build_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Build Successful" in completed.stderr or "llama stack run" in completed.stdout + completed.stderr
    assert yaml.safe_load(written.read_text()) == yaml.safe_load((TEMPLATES / template / "run.yaml").read_text())
    config = tmp_path / "run.yaml"
    shutil.move(written, config)
    Path(f"{VENV}-build.yaml").unlink(missing_ok=True)
    stack = StackServer(config, tmp_path / "state").start()
    stack.stop()


def test_together_template_starts_without_a_key_and_says_what_is_missing(tmp_path):
    stack = StackServer(TEMPLATES / "together" / "run.yaml", tmp_path).start()
    try:
        response = httpx.post(
            f"{stack.base_url}/v1/openai/v1/chat/completions", json={"model": TOGETHER_MODEL, "messages": USER}
        )
        assert response.status_code == 400 and "Together API Key" in response.text
        assert "sentence-transformers/all-MiniLM-L6-v2" in {m.identifier for m in stack.client().models.list()}
    finally:
        stack.stop()


def test_together_template_with_vllm_standing_in_for_together(tmp_path, vllm):
    # The together SDK that 0.2.20's remote::together uses reads TOGETHER_BASE_URL.
    env = {"TOGETHER_API_KEY": API_KEY, "TOGETHER_BASE_URL": vllm.url}
    stack = StackServer(TEMPLATES / "together" / "run.yaml", tmp_path, env=env).start()
    try:
        reply = stack.client().chat.completions.create(model="together/" + TOGETHER_MODEL, messages=USER)
        assert reply.choices[0].message.content == ANSWER
    finally:
        stack.stop()
    assert API_KEY not in stack.log_text()


def test_vllm_gpu_template_starts_without_vllm_and_names_it(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    stack = StackServer(TEMPLATES / "vllm-gpu" / "run.yaml", tmp_path, env={"VLLM_URL": url}).start()
    try:
        response = httpx.post(
            f"{stack.base_url}/v1/openai/v1/chat/completions",
            json={"model": "meta-llama/Llama-3.1-8B-Instruct", "messages": USER},
            timeout=60,
        )
        assert response.status_code == 503 and f"vLLM at {url} is unreachable" in response.text
    finally:
        stack.stop()


def test_vllm_gpu_template_with_vllm_for_the_llm_and_the_embeddings(tmp_path, vllm, vllm_embedding):
    env = {**vllm.stack_env(), **vllm_embedding.embedding_env()}
    stack = InProcessStack(TEMPLATES / "vllm-gpu" / "run.yaml", tmp_path, env=env).start()
    try:
        client = stack.client()
        assert client.chat.completions.create(model=MODEL_NAME, messages=USER).choices[0].message.content == ANSWER
        client.vector_dbs.register(
            vector_db_id="docs", embedding_model=vllm_embedding.model_name, embedding_dimension=384,
            provider_id="milvus",
        )  # fmt: skip
        client.vector_io.insert(
            vector_db_id="docs", chunks=[{"content": "Llama 3 uses grouped-query attention.", "metadata": {}}]
        )
        hits = client.vector_io.query(vector_db_id="docs", query="attention", params={"max_chunks": 1})
        assert "grouped-query" in hits.chunks[0].content
    finally:
        stack.stop()


def test_milvus_uri_moves_provider_milvus_to_the_server(tmp_path):
    server = LiteTcpServer(tmp_path / "server" / "milvus.db").start()
    try:
        env = {"MILVUS_URI": server.uri, "MILVUS_TOKEN": ""}
        stack = InProcessStack(TEMPLATES / "vllm-gpu" / "run.yaml", tmp_path / "stack", env=env).start()
        try:
            types = {p.provider_id: p.provider_type for p in stack.client().providers.list() if p.api == "vector_io"}
            assert types == {"milvus": "remote::milvus", "milvus-lite": "inline::milvus"}
        finally:
            stack.stop()
    finally:
        server.stop()
    stack = InProcessStack(TEMPLATES / "vllm-gpu" / "run.yaml", tmp_path / "lite").start()
    try:
        types = {p.provider_id: p.provider_type for p in stack.client().providers.list() if p.api == "vector_io"}
        assert types == {"milvus": "inline::milvus"}
    finally:
        stack.stop()


@pytest.mark.parametrize(
    "config",
    sorted([*RUN_CONFIGS.glob("*.yaml"), *TEMPLATES.glob("*/run.yaml")]),
    ids=lambda p: p.parent.name + "/" + p.name,
)
def test_every_config_is_a_valid_run_config(config):
    from llama_stack.core.datatypes import StackRunConfig
    from llama_stack.core.stack import replace_env_vars

    StackRunConfig(**replace_env_vars(yaml.safe_load(config.read_text())))
