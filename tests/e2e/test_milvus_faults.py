"""The Milvus server stops under a running stack, during ingest and during queries: requests fail
with a 503 naming Milvus within the configured timeout, nothing hangs, and once Milvus is back the
same stack serves again and the same ingest ends with the exact count (docs/reliability.md, case 3)."""

import threading
import time

import httpx
import pytest
from conftest import EMBEDDING_MODEL, stored_chunk_ids
from milvus_servers import ROOT_TOKEN
from servers import RUN_CONFIGS, StackServer

REQUEST_TIMEOUT = 5
BATCHES, PER_BATCH = 20, 10


def batch(n: int) -> list[dict]:
    return [
        {"content": f"fault tolerance sentence {n}-{i}", "metadata": {"document_id": f"doc-{n}-{i}"}}
        for i in range(PER_BATCH)
    ]


def ingest(stack: StackServer, db: str, results: list[int], pause: float = 0.0, give_up_after: int = 0) -> None:
    """The batches in order, as a client would send them; with `give_up_after`, the client stops
    after that many failures in a row (each costs the request timeout while Milvus is down)."""
    for n in range(BATCHES):
        body = {"vector_db_id": db, "chunks": batch(n)}
        try:
            response = httpx.post(f"{stack.base_url}/v1/vector-io/insert", json=body, timeout=120)
            results.append(response.status_code)
        except httpx.HTTPError:
            results.append(-1)
        if give_up_after and results[-give_up_after:] == [503] * give_up_after:
            return
        time.sleep(pause)


def query(stack: StackServer, db: str) -> httpx.Response:
    body = {"vector_db_id": db, "query": "fault tolerance", "params": {"max_chunks": 5}}
    return httpx.post(f"{stack.base_url}/v1/vector-io/query", json=body, timeout=120)


@pytest.fixture(scope="module")
def stack(own_milvus, tmp_path_factory):
    env = {"MILVUS_URI": own_milvus.uri, "MILVUS_TOKEN": ROOT_TOKEN, "MILVUS_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT)}
    server = StackServer(RUN_CONFIGS / "milvus-server.yaml", tmp_path_factory.mktemp("stack-faults"), env).start()
    yield server
    server.stop()


def test_milvus_down_is_a_bounded_503_and_the_stack_recovers_without_a_restart(own_milvus, stack):
    client = stack.client()
    client.vector_dbs.register(vector_db_id="faults", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    assert query(stack, "faults").status_code == 200

    # Milvus dies in the middle of an ingest.
    statuses: list[int] = []
    writer = threading.Thread(target=ingest, args=(stack, "faults", statuses, 0.5, 3))
    writer.start()
    deadline = time.monotonic() + 120
    while len(statuses) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    own_milvus.stop()
    writer.join(timeout=BATCHES * (REQUEST_TIMEOUT + 15))
    assert not writer.is_alive(), "an insert hung while Milvus was down"
    assert statuses[:3] == [200, 200, 200]
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[-3:] == [503, 503, 503]

    # Queries and inserts while it is down: a 503 naming Milvus, within the timeout.
    for send in (lambda: query(stack, "faults"),
                 lambda: httpx.post(f"{stack.base_url}/v1/vector-io/insert",
                                    json={"vector_db_id": "faults", "chunks": batch(0)}, timeout=120)):  # fmt: skip
        started = time.monotonic()
        response = send()
        elapsed = time.monotonic() - started
        assert response.status_code == 503, response.text
        assert "Milvus server" in response.text and own_milvus.uri in response.text and "not answering" in response.text
        assert elapsed < REQUEST_TIMEOUT + 15, f"took {elapsed:.1f} s"
        print(f"Milvus down: {response.request.url.path} answered 503 in {elapsed:.1f} s")

    # Milvus is back: the same stack serves again, and the same ingest ends with the exact count.
    back = time.monotonic()
    own_milvus.start()
    deadline = time.monotonic() + 240
    while query(stack, "faults").status_code != 200:
        assert time.monotonic() < deadline, "the stack did not recover after Milvus came back"
        time.sleep(2)
    print(f"Milvus restarted: the stack served again {time.monotonic() - back:.0f} s after the restart began")
    print(f"ingest statuses while Milvus died: {statuses}")
    again: list[int] = []
    ingest(stack, "faults", again)
    assert again == [200] * BATCHES
    assert len(stored_chunk_ids(client, "faults")) == BATCHES * PER_BATCH
