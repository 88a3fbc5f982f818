"""What can be checked of the Dockerfile without a container engine; tests/image builds and runs it."""

import re
import shlex

import pytest
from servers import REPO

DOCKERFILE = (REPO / "Dockerfile").read_text()
README = (REPO / "README.md").read_text()


def instructions(name: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(name + " ")]


def test_every_copied_path_exists_and_is_in_the_build_context():
    lines = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()]
    assert "*" in lines  # the context is what the Dockerfile copies, listed below
    kept = {line[1:] for line in lines if line.startswith("!")}
    copied = set()
    for copy in instructions("COPY"):
        if copy.startswith("--from="):
            continue  # from the build stage, not from the repository
        *sources, _target = shlex.split(copy)
        for source in sources:
            assert (REPO / source).exists(), source
            assert source in kept, f"{source} is left out of the build context by .dockerignore"
            copied.add(source)
    assert kept == copied  # nothing in the context that the build does not use


def test_the_default_config_is_in_the_repo_and_every_documented_one_too():
    (default,) = [arg.split("=", 1)[1] for arg in instructions("ARG") if arg.startswith("RUN_CONFIG=")]
    assert (REPO / default).is_file()
    for config in re.findall(r"RUN_CONFIG=(\S+\.yaml)", README + DOCKERFILE):
        assert (REPO / config).is_file(), config


def test_install_is_the_lock_with_what_the_shipped_configs_use():
    (sync,) = [run for run in instructions("RUN") if "uv sync" in run]
    words = sync.split()
    assert {"--frozen", "--no-dev", "--no-editable"} <= set(words)
    extras = {words[i + 1] for i, word in enumerate(words) if word == "--extra"}
    assert {"local-llm", "onnx"} <= extras and "playground" not in extras  # the embedded default's, no client
    (uv_version,) = [arg.split("=", 1)[1] for arg in instructions("ARG") if arg.startswith("UV_VERSION=")]
    lib = (REPO / "scripts" / "lib.sh").read_text()
    assert f'UV_VERSION="{uv_version}"' in lib and f"uv]({'https://docs.astral.sh/uv/'}) {uv_version}" in README
    assert DOCKERFILE.startswith("#") and "FROM python:3.12" in DOCKERFILE  # llama-stack 0.2.20 needs >= 3.12


@pytest.mark.parametrize("needle", ["EXPOSE 8321", '--port \\"${PORT:-8321}\\"', "/v1/health"])
def test_serves_8321_with_a_health_check(needle):
    assert needle in DOCKERFILE
    assert instructions("HEALTHCHECK")


def test_runs_as_a_user_that_is_not_root():
    (user,) = instructions("USER")
    assert user.strip() not in ("root", "0")
    assert "useradd --uid" in DOCKERFILE


def test_readme_shows_milvus_and_vllm_in_their_own_containers():
    section = README.split("## Docker", 1)[1].split("\n## ", 1)[0]
    for needle in ("docker network create", "milvusdb/milvus", "vllm/vllm-openai", "MILVUS_URI=http://milvus:19530",
                   "VLLM_URL=http://vllm:8000/v1", "RUN_CONFIG=templates/vllm-gpu/run.yaml"):  # fmt: skip
        assert needle in section, needle


def test_the_build_stage_compiles_llama_cpp_and_bakes_the_joined_weights_in():
    runs = " ".join(instructions("RUN"))
    assert "build-essential" in runs and "libgomp1" in runs  # compiler to build, OpenMP runtime to run
    (join,) = [run for run in instructions("RUN") if "-m llama_stack_milvus.core.llm.weights" in run]
    target = join.split("-m llama_stack_milvus.core.llm.weights", 1)[1].split()[0]
    assert f"LLM_MODELS_DIR={target}" in DOCKERFILE
    import importlib.util

    assert importlib.util.find_spec("llama_stack_milvus.core.llm.weights") is not None
