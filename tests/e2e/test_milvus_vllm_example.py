"""examples/milvus_vllm_rag.py (the Milvus + vLLM tutorial) end to end on our stack with a real vLLM."""

import shutil
import subprocess
import sys

import pytest
from conftest import DATA
from inprocess_stack import InProcessStack
from servers import REPO, RUN_CONFIGS, StackServer
from vllm_server import ANSWER, MODEL_NAME

EXAMPLE = REPO / "examples" / "milvus_vllm_rag.py"
INDEX_PAGE = "site/en/reference/index.md"


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """The Milvus docs pages, plus an HTML and a text document."""
    folder = tmp_path_factory.mktemp("docs")
    shutil.copytree(DATA / "milvus-docs" / "site", folder / "site")
    (folder / "notes.txt").write_text("Milvus Lite runs in the Python process and keeps its data in one file.\n")
    (folder / "page.html").write_text(
        "<html><head><style>p {color: red}</style></head><body><h1>Partitions</h1>"
        "<p>A partition key spreads entities over partitions.</p></body></html>"
    )
    return folder


def run_example(stack: StackServer, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(EXAMPLE), "--base-url", stack.base_url, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=900)


def top_sources(stdout: str) -> list[str]:
    return [line.split()[-1] for line in stdout.splitlines() if line.strip().startswith("score ")]


def test_without_an_llm_it_retrieves_then_with_vllm_it_answers_from_the_same_index(tmp_path, docs, vllm):
    """A user's path: run the tutorial on the embedded default (no LLM), then start the same stack
    with VLLM_URL set. The index built the first time is reused, and the answer comes from vLLM."""
    stack = InProcessStack(RUN_CONFIGS / "milvus-lite.yaml", tmp_path).start()
    try:
        first = run_example(stack, "--docs", str(docs))
    finally:
        stack.stop()
    assert first.returncode == 2, first.stderr
    assert "documents with sentence-transformers/all-MiniLM-L6-v2" in first.stdout
    assert "of 16 documents" in first.stdout
    assert INDEX_PAGE in top_sources(first.stdout) and "set VLLM_URL" in first.stdout

    stack = InProcessStack(RUN_CONFIGS / "milvus-lite.yaml", tmp_path, env=vllm.stack_env()).start()
    try:
        second = run_example(stack, "--docs", str(docs), "--model", MODEL_NAME)
    finally:
        stack.stop()
    assert second.returncode == 0, second.stderr
    assert "indexed " not in second.stdout, "the index of the first run is reused"
    assert top_sources(second.stdout) == top_sources(first.stdout)
    answer, sources = second.stdout.split("\nanswer (")[1].split("\n\nsources:")
    assert ANSWER in answer and INDEX_PAGE in sources


def test_tutorial_with_vllm_embeddings_and_other_chunking(tmp_path, docs, vllm, vllm_embedding):
    env = {**vllm.stack_env(), **vllm_embedding.embedding_env()}
    stack = InProcessStack(RUN_CONFIGS / "milvus-lite.yaml", tmp_path, env=env).start()
    try:
        completed = run_example(
            stack, "--docs", str(docs), "--model", MODEL_NAME, "--embedding-model", vllm_embedding.model_name,
            "--chunk-size", "400", "--overlap", "80", "--top-k", "5",
        )  # fmt: skip
    finally:
        stack.stop()
    assert completed.returncode == 0, completed.stderr
    assert f"with vllm-embedding/{vllm_embedding.model_name}" in completed.stdout
    assert len(top_sources(completed.stdout)) == 5 and INDEX_PAGE in top_sources(completed.stdout)
