"""Bad input gets a 4xx that names the problem, and nothing already stored is lost."""

import uuid

import httpx
import pytest
from conftest import EMBEDDING_MODEL, stored_chunk_ids


@pytest.fixture(scope="module")
def db(client):
    """One per backend: every test compares what it holds before and after, so they can share it."""
    vector_db_id = f"bad-input-{uuid.uuid4().hex[:8]}"
    client.vector_dbs.register(vector_db_id=vector_db_id, embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    client.vector_io.insert(
        vector_db_id=vector_db_id,
        chunks=[{"content": f"stored sentence number {i}", "metadata": {"document_id": f"doc-{i}"}} for i in range(5)],
    )
    return vector_db_id


def post(stack, path, body):
    return httpx.post(f"{stack.base_url}/v1/{path}", json=body, timeout=120)


@pytest.mark.parametrize("path", ["vector-io/insert", "vector-io/query"])
def test_unknown_vector_db_is_a_4xx_naming_it(stack, path):
    body = {"vector_db_id": "no-such-db", "query": "x", "chunks": [{"content": "x", "metadata": {"document_id": "d"}}]}
    response = post(stack, path, body)
    assert 400 <= response.status_code < 500
    assert "no-such-db" in response.text


def test_rag_insert_into_unknown_db_is_a_4xx(stack):
    body = {
        "vector_db_id": "no-such-db",
        "documents": [{"document_id": "a", "content": "hi"}],
        "chunk_size_in_tokens": 64,
    }
    response = post(stack, "tool-runtime/rag-tool/insert", body)
    assert 400 <= response.status_code < 500 and "no-such-db" in response.text


def test_wrong_embedding_dimension_says_expected_and_got_and_stores_nothing(stack, client, db):
    before = stored_chunk_ids(client, db)
    chunks = [
        {"content": "good chunk", "metadata": {"document_id": "new-1"}, "embedding": [0.1] * 384},
        {"content": "bad chunk", "metadata": {"document_id": "new-2"}, "embedding": [0.1, 0.2, 0.3]},
    ]
    response = post(stack, "vector-io/insert", {"vector_db_id": db, "chunks": chunks})
    assert response.status_code == 400
    assert "expects 384" in response.text and "got 3" in response.text
    assert stored_chunk_ids(client, db) == before


def test_oversized_chunk_is_refused_naming_the_limit(stack, client, db):
    before = stored_chunk_ids(client, db)
    chunks = [{"content": "x" * 70_000, "metadata": {"document_id": "huge"}}]
    response = post(stack, "vector-io/insert", {"vector_db_id": db, "chunks": chunks})
    assert response.status_code == 400
    assert "65535 bytes" in response.text
    assert stored_chunk_ids(client, db) == before


@pytest.mark.parametrize(
    "params, named",
    [
        ({"mode": "fuzzy"}, "search mode"),
        ({"max_chunks": 0}, "max_chunks"),
        ({"max_chunks": "ten"}, "max_chunks"),
        ({"score_threshold": "high"}, "score_threshold"),
        ({"mode": "hybrid", "ranker": {"strategy": "best"}}, "ranker strategy"),
        ({"mode": "hybrid", "ranker": {"strategy": "weighted", "params": {"weights": [2, -1]}}}, "weights"),
        ({"mode": "hybrid", "ranker": {"strategy": "rrf", "params": {"k": -5}}}, "RRF k"),
    ],
)
def test_bad_query_params_are_a_400_naming_the_param(stack, db, params, named):
    response = post(stack, "vector-io/query", {"vector_db_id": db, "query": "sentence", "params": params})
    assert response.status_code == 400
    assert named in response.text


def test_chunk_without_document_id_is_its_own_document(client, db):
    client.vector_io.insert(vector_db_id=db, chunks=[{"content": "a lone chunk about zebras", "metadata": {}}])
    hit = client.vector_io.query(vector_db_id=db, query="a lone chunk about zebras", params={"max_chunks": 1}).chunks[0]
    assert hit.content == "a lone chunk about zebras"
    assert hit.chunk_metadata.document_id == hit.chunk_id == hit.metadata["document_id"]
    # rag_tool.query reads chunk_metadata and metadata["document_id"] of every hit.
    result = client.tool_runtime.rag_tool.query(content="zebras", vector_db_ids=[db])
    assert hit.chunk_id in result.metadata["document_ids"]


def test_failed_calls_lose_nothing(stack, client, db):
    before = stored_chunk_ids(client, db)
    refused = [
        post(stack, "vector-io/insert", {"vector_db_id": db, "chunks": [{"content": "y", "embedding": [1.0]}]}),
        post(stack, "vector-io/query", {"vector_db_id": db, "query": "x", "params": {"mode": "nope"}}),
        post(stack, "vector-dbs", {"vector_db_id": db, "embedding_model": "no-such-model"}),
    ]
    assert [400 <= r.status_code < 500 for r in refused] == [True, True, True], [r.text for r in refused]
    assert "expects 384" in refused[0].text and "nope" in refused[1].text and "no-such-model" in refused[2].text
    assert stored_chunk_ids(client, db) == before
