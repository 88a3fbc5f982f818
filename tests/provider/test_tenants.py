"""tenancy: partition_key: many vector DBs in one Milvus collection, each confined to its own rows
whatever its filters say; unregister removes only its rows; everything survives a restart."""

import pytest
from conftest import EMBEDDING_MODEL
from inprocess_stack import InProcessStack
from pymilvus import MilvusClient
from tutorial import all_chunks

TENANTS = {"MILVUS_TENANCY": "partition_key"}
SHARED_COLLECTION = "lsm_vector_dbs_384d"
ROWS = {
    "tenant-a": [("shared", "the same page in both vector DBs"), ("a1", "alpha notes on attention"),
                 ("a2", "alpha notes on LoRA fine-tuning")],
    "tenant-b": [("shared", "the same page in both vector DBs"), ("b1", "beta notes on attention"),
                 ("b2", "beta notes on quantization")],
}  # fmt: skip
HOSTILE_FILTERS = [
    {"type": "ne", "key": "document_id", "value": "nothing"},
    {"type": "eq", "key": "document_id", "value": 'a1" or vector_db != "x'},
    {"type": "ne", "key": 'document_id"] != "" or vector_db != "x" or metadata["x', "value": "y"},
    {"type": "or", "filters": [{"type": "eq", "key": "vector_db", "value": "tenant-b"},
                               {"type": "ne", "key": "document_id", "value": ")) or ((1 == 1"}]},
]  # fmt: skip


@pytest.fixture(scope="module")
def tenant_stack(backend, tmp_path_factory):
    state = tmp_path_factory.mktemp(f"tenants-{backend.name}")
    stack = InProcessStack(backend.config, state, env={**backend.env, **TENANTS}).start()
    client = stack.client()
    for vector_db_id, rows in ROWS.items():
        client.vector_dbs.register(vector_db_id=vector_db_id, embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        client.vector_io.insert(
            vector_db_id=vector_db_id,
            chunks=[{"content": text, "metadata": {"document_id": doc}} for doc, text in rows],
        )
    yield stack
    stack.stop()


def documents(client, vector_db_id, **params):
    response = client.vector_io.query(
        vector_db_id=vector_db_id, query="notes on attention", params={"max_chunks": 100, **params}
    )
    return sorted(c.metadata["document_id"] for c in response.chunks)


def test_each_vector_db_sees_only_its_own_chunks(tenant_stack):
    client = tenant_stack.client()
    assert documents(client, "tenant-a") == ["a1", "a2", "shared"]
    assert documents(client, "tenant-b") == ["b1", "b2", "shared"]
    # The same chunk (same id) in both: each keeps its own copy.
    shared_a = [c.chunk_id for c in all_chunks(client, "tenant-a") if c.metadata["document_id"] == "shared"]
    shared_b = [c.chunk_id for c in all_chunks(client, "tenant-b") if c.metadata["document_id"] == "shared"]
    assert shared_a == shared_b and len(shared_a) == 1


def test_a_vector_db_lists_and_deletes_only_its_own_documents(tenant_stack):
    client = tenant_stack.client()
    listed = client.vector_stores.files.list(vector_store_id="tenant-b", order="asc")
    assert [f.attributes["document_id"] for f in listed.data] == ["b1", "b2", "shared"]
    client.vector_io.insert(
        vector_db_id="tenant-b", chunks=[{"content": "beta notes to delete", "metadata": {"document_id": "b3"}}]
    )
    b3 = next(f for f in client.vector_stores.files.list(vector_store_id="tenant-b").data
              if f.attributes["document_id"] == "b3")  # fmt: skip
    client.vector_stores.files.delete(b3.id, vector_store_id="tenant-b")
    assert documents(client, "tenant-b") == ["b1", "b2", "shared"]
    assert documents(client, "tenant-a") == ["a1", "a2", "shared"]


# A Milvus Lite file is open in the stack's own process; the servers show their collections.
@pytest.mark.parametrize("backend", ["lite-tcp", "milvus-2.3"], indirect=True)
def test_they_share_one_collection(backend, tenant_stack):
    milvus = MilvusClient(uri=backend.server.uri, token=backend.env["MILVUS_TOKEN"])
    try:
        names = milvus.list_collections()
        assert SHARED_COLLECTION in names
        assert not [n for n in names if n.startswith("lsm_tenant_")]
        assert milvus.query(SHARED_COLLECTION, filter="", output_fields=["count(*)"])[0]["count(*)"] >= 6
    finally:
        milvus.close()


@pytest.mark.parametrize("filters", HOSTILE_FILTERS, ids=range(len(HOSTILE_FILTERS)))
def test_no_filter_reaches_another_vector_db(tenant_stack, filters):
    client = tenant_stack.client()
    found = documents(client, "tenant-a", filters=filters)
    assert set(found) <= {"a1", "a2", "shared"}


@pytest.mark.parametrize("backend", ["lite-file", "lite-tcp"], indirect=True)  # Milvus 2.3 has no BM25
@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_keyword_and_hybrid_search_stay_inside_the_vector_db(tenant_stack, mode):
    client = tenant_stack.client()
    found = documents(client, "tenant-a", mode=mode)
    assert "a1" in found and set(found) <= {"a1", "a2", "shared"}
    assert set(documents(client, "tenant-a", mode=mode, filters=HOSTILE_FILTERS[3])) <= {"a1", "a2", "shared"}


def test_unregister_removes_only_its_rows_and_all_survives_a_restart(backend, tenant_stack, tmp_path):
    client = tenant_stack.client()
    client.vector_dbs.register(vector_db_id="tenant-c", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    client.vector_io.insert(
        vector_db_id="tenant-c", chunks=[{"content": "gamma notes on attention", "metadata": {"document_id": "c1"}}]
    )
    client.vector_dbs.unregister("tenant-a")
    assert "tenant-a" not in {db.identifier for db in client.vector_dbs.list()}
    assert documents(client, "tenant-b") == ["b1", "b2", "shared"]
    assert documents(client, "tenant-c") == ["c1"]
    client.vector_dbs.register(vector_db_id="tenant-a", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    assert documents(client, "tenant-a") == []  # nothing of the old tenant-a came back

    tenant_stack.stop()
    again = InProcessStack(backend.config, tenant_stack.state_dir, env={**backend.env, **TENANTS}).start()
    try:
        client = again.client()
        assert {"tenant-a", "tenant-b", "tenant-c"} <= {db.identifier for db in client.vector_dbs.list()}
        assert documents(client, "tenant-a") == []
        assert documents(client, "tenant-b") == ["b1", "b2", "shared"]
        assert documents(client, "tenant-c", filters=HOSTILE_FILTERS[1]) == []
        assert documents(client, "tenant-c") == ["c1"]
        client.vector_dbs.unregister("tenant-c")
        assert documents(client, "tenant-b") == ["b1", "b2", "shared"]
    finally:
        again.stop()
