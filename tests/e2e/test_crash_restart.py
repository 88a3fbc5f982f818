"""kill -9 of the stack in the middle of an ingest, then a restart on the same state: the registry is
intact and running the same ingest again ends with exactly the expected chunks (docs/reliability.md,
case 2). Run on the embedded Milvus Lite file, whose server process is the stack's child, and on a
Milvus server."""

import signal
import threading
import time

import httpx
import pytest
from conftest import EMBEDDING_MODEL, stored_chunk_ids
from milvus_servers import ROOT_TOKEN
from servers import RUN_CONFIGS, StackServer

BATCHES, PER_BATCH = 30, 10


def batch(n: int) -> list[dict]:
    return [
        {"content": f"crash recovery sentence {n}-{i}", "metadata": {"document_id": f"doc-{n}-{i}"}}
        for i in range(PER_BATCH)
    ]


def ingest(stack: StackServer, db: str, results: list[int]) -> None:
    for n in range(BATCHES):
        try:
            response = httpx.post(
                f"{stack.base_url}/v1/vector-io/insert", json={"vector_db_id": db, "chunks": batch(n)}, timeout=120
            )
            results.append(response.status_code)
        except httpx.HTTPError:  # the server died under this request
            results.append(-1)
            return


@pytest.fixture(params=["lite-file", "milvus-2.3"])
def target(request):
    """(run-config, env) of a stack on a Milvus Lite file or on a Milvus server."""
    if request.param == "lite-file":
        return RUN_CONFIGS / "milvus-lite.yaml", {}
    server = request.getfixturevalue("own_milvus")
    return RUN_CONFIGS / "milvus-server.yaml", {"MILVUS_URI": server.uri, "MILVUS_TOKEN": ROOT_TOKEN}


def test_kill_9_mid_ingest_then_the_same_ingest_gives_the_exact_count(target, tmp_path):
    config, env = target
    stack = StackServer(config, tmp_path, env).start()
    try:
        client = stack.client()
        client.vector_dbs.register(vector_db_id="crash", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        statuses: list[int] = []
        writer = threading.Thread(target=ingest, args=(stack, "crash", statuses))
        writer.start()
        deadline = time.monotonic() + 120
        while len(statuses) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        stack.process.send_signal(signal.SIGKILL)  # the server only; its children are left as a crash leaves them
        stack.process.wait(timeout=30)
        writer.join(timeout=120)
        assert statuses[:5] == [200] * 5 and len(statuses) < BATCHES, statuses
    finally:
        stack.stop()

    restarted = StackServer(config, tmp_path, env).start()
    try:
        client = restarted.client()
        assert [db.identifier for db in client.vector_dbs.list() if db.identifier == "crash"] == ["crash"]
        kept = len(stored_chunk_ids(client, "crash"))
        assert kept >= 5 * PER_BATCH  # every acknowledged insert survived the crash
        again: list[int] = []
        ingest(restarted, "crash", again)
        assert again == [200] * BATCHES
        assert len(stored_chunk_ids(client, "crash")) == BATCHES * PER_BATCH
        print(
            f"{config.name}: {len(statuses)} inserts sent before kill -9, {kept} chunks after restart, "
            f"{BATCHES * PER_BATCH} after the same ingest again; restart took {restarted.started_in:.1f} s"
        )
    finally:
        restarted.stop()
