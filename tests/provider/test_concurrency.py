"""16 clients insert distinct documents at once while 4 others query: every request succeeds and the
final count is exact, on every backend (docs/reliability.md, case 4)."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import llama_stack_client
from conftest import EMBEDDING_MODEL, stored_chunk_ids

WRITERS, READERS = 16, 4
BATCHES, PER_BATCH = 4, 5


def test_concurrent_inserts_and_queries_lose_nothing_and_never_500(stack, client):
    db = f"concurrent-{uuid.uuid4().hex[:8]}"
    client.vector_dbs.register(vector_db_id=db, embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    done = threading.Event()

    def write(writer: int) -> list[int]:
        own = stack.client()
        statuses = []
        for n in range(BATCHES):
            chunks = [
                {
                    "content": f"writer {writer} batch {n} sentence {i}",
                    "metadata": {"document_id": f"w{writer}-{n}-{i}"},
                }
                for i in range(PER_BATCH)
            ]
            statuses.append(_status(lambda chunks=chunks: own.vector_io.insert(vector_db_id=db, chunks=chunks)))
        return statuses

    def read(reader: int) -> list[int]:
        own = stack.client()
        statuses = []
        while not done.is_set():
            statuses.append(_status(lambda: own.vector_io.query(vector_db_id=db, query=f"writer {reader} sentence")))
        return statuses

    started = time.monotonic()
    with ThreadPoolExecutor(WRITERS + READERS) as pool:
        readers = [pool.submit(read, r) for r in range(READERS)]
        writers = [pool.submit(write, w) for w in range(WRITERS)]
        write_statuses = [s for f in writers for s in f.result(timeout=600)]
        done.set()
        read_statuses = [s for f in readers for s in f.result(timeout=120)]
    elapsed = time.monotonic() - started

    assert write_statuses == [200] * (WRITERS * BATCHES)
    assert set(read_statuses) == {200}, sorted(set(read_statuses))
    assert len(stored_chunk_ids(client, db)) == WRITERS * BATCHES * PER_BATCH
    print(f"{len(write_statuses)} inserts by {WRITERS} clients and {len(read_statuses)} queries by {READERS} "
          f"in {elapsed:.1f} s, all 200; {WRITERS * BATCHES * PER_BATCH} chunks stored")  # fmt: skip


def _status(call) -> int:
    try:
        call()
        return 200
    except llama_stack_client.APIStatusError as exc:
        return exc.status_code
