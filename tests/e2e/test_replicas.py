"""Two stack processes share one Milvus server and one PostgreSQL registry (run-configs/
milvus-server-postgres.yaml): what one registers and fills, the other lists and queries, and the
other way round (docs/reliability.md, case 7)."""

import functools
import time

import httpx
import pytest
from conftest import EMBEDDING_MODEL, run_at_once, stored_chunk_ids
from milvus_servers import ROOT_TOKEN
from postgres_server import PostgresServer
from servers import RUN_CONFIGS, StackServer
from tutorial import TUTORIAL_PAGES

CONFIG = RUN_CONFIGS / "milvus-server-postgres.yaml"
# Session consistency (the default) guarantees a replica its own writes at once; another replica's
# writes become visible within Milvus' time tick, well under a second here (docs/reliability.md).
VISIBILITY_LAG = 5.0


def visible_within(client, vector_db_id: str, count: int) -> float:
    """Seconds until `count` chunks are visible through `client`."""
    started = time.monotonic()
    while len(stored_chunk_ids(client, vector_db_id)) != count:
        assert time.monotonic() - started < 30, "another replica's writes never became visible"
        time.sleep(0.1)
    lag = time.monotonic() - started
    print(f"{count} chunks of {vector_db_id} visible through the other replica after {lag:.2f} s")
    return lag


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def replicas(postgres, own_milvus, tmp_path_factory):
    env = {"MILVUS_URI": own_milvus.uri, "MILVUS_TOKEN": ROOT_TOKEN, **postgres.env()}
    stacks = [StackServer(CONFIG, tmp_path_factory.mktemp(f"replica-{name}"), env) for name in "ab"]
    for stack in stacks:  # both up before anything is registered
        stack.start()
        # Load the embedding model now, so that the figures below time the sharing, not a warm-up.
        stack.client().inference.embeddings(model_id=EMBEDDING_MODEL, contents=["warm-up"])
    yield stacks
    for stack in stacks:
        stack.stop()


def test_what_one_replica_registers_and_fills_the_other_lists_and_queries(replicas, docs_server):
    a, b = (stack.client() for stack in replicas)
    a.vector_dbs.register(vector_db_id="shared-docs", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    a.tool_runtime.rag_tool.insert(
        vector_db_id="shared-docs",
        chunk_size_in_tokens=512,
        documents=[
            {"document_id": f"doc-{i}", "content": f"{docs_server.base_url}/{page}", "mime_type": "text/plain"}
            for i, page in enumerate(TUTORIAL_PAGES)
        ],
    )
    filled = stored_chunk_ids(a, "shared-docs")
    assert filled

    assert "shared-docs" in [db.identifier for db in b.vector_dbs.list()]
    assert b.vector_dbs.retrieve(vector_db_id="shared-docs").embedding_dimension == 384
    assert visible_within(b, "shared-docs", len(filled)) < VISIBILITY_LAG
    assert stored_chunk_ids(b, "shared-docs") == filled
    answer = b.tool_runtime.rag_tool.query(content="What is LoRA?", vector_db_ids=["shared-docs"])
    assert "LoRA" in str(answer.content)

    # The other way round: B adds, A sees it.
    b.vector_io.insert(
        vector_db_id="shared-docs", chunks=[{"content": "added by replica b", "metadata": {"document_id": "from-b"}}]
    )
    assert visible_within(a, "shared-docs", len(filled) + 1) < VISIBILITY_LAG


def test_a_db_registered_on_one_replica_is_usable_first_through_the_other(replicas):
    a, b = (stack.client() for stack in replicas)
    b.vector_dbs.register(vector_db_id="made-on-b", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    a.vector_io.insert(  # A routes an id it has never listed: it reads the shared registry
        vector_db_id="made-on-b", chunks=[{"content": "inserted through a", "metadata": {"document_id": "a1"}}]
    )
    assert visible_within(b, "made-on-b", 1) < VISIBILITY_LAG


def test_unregistering_on_one_replica_removes_the_db_from_the_others_list(replicas):
    a, b = (stack.client() for stack in replicas)
    a.vector_dbs.register(vector_db_id="short-lived", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    assert "short-lived" in [db.identifier for db in b.vector_dbs.list()]
    a.vector_dbs.unregister(vector_db_id="short-lived")
    assert "short-lived" not in [db.identifier for db in b.vector_dbs.list()]


def test_no_database_password_in_logs_or_providers(replicas, postgres):
    for stack in replicas:
        assert postgres.password not in httpx.get(f"{stack.base_url}/v1/providers", timeout=30).text
        assert postgres.password not in stack.log_text()


def test_two_replicas_registering_one_db_at_once_both_succeed_and_lose_nothing(replicas):
    clients = [stack.client() for stack in replicas]
    register = {"vector_db_id": "raced", "embedding_model": EMBEDDING_MODEL, "embedding_dimension": 384}
    assert run_at_once(*(functools.partial(client.vector_dbs.register, **register) for client in clients)) == []

    for name, client in zip("ab", clients, strict=True):
        client.vector_io.insert(
            vector_db_id="raced", chunks=[{"content": f"kept from replica {name}", "metadata": {"document_id": name}}]
        )
    for client in clients:
        assert visible_within(client, "raced", 2) < VISIBILITY_LAG
        assert [db.identifier for db in client.vector_dbs.list()].count("raced") == 1
