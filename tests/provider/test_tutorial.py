"""The "Build RAG with Llama Stack and Milvus" tutorial's calls, through the real client, against a
stack on each Milvus backend."""

import uuid

import httpx
import pytest
from backends import BACKENDS
from conftest import EMBEDDING_MODEL, assert_keyword_refused
from tutorial import LLAMA3_DOC, QUESTION, VECTOR_DB_ID, all_chunks, tutorial_documents


@pytest.fixture(scope="module")
def tutorial_db(client, docs_server):
    client.vector_dbs.register(
        vector_db_id=VECTOR_DB_ID,
        embedding_model=EMBEDDING_MODEL,
        embedding_dimension=384,
        provider_id="milvus",
    )
    client.tool_runtime.rag_tool.insert(
        documents=tutorial_documents(docs_server.base_url), vector_db_id=VECTOR_DB_ID, chunk_size_in_tokens=1024
    )
    return VECTOR_DB_ID


def test_vector_db_keeps_the_given_id(client, tutorial_db):
    listed = {db.identifier: db for db in client.vector_dbs.list()}
    assert tutorial_db in listed
    assert listed[tutorial_db].provider_id == "milvus"
    assert listed[tutorial_db].embedding_dimension == 384
    assert client.vector_dbs.retrieve(tutorial_db).identifier == tutorial_db


def test_rag_tool_query_finds_grouped_query_attention_in_llama3(client, tutorial_db):
    result = client.tool_runtime.rag_tool.query(content=QUESTION, vector_db_ids=[tutorial_db])
    chunks = result.metadata["chunks"]
    document_ids = result.metadata["document_ids"]
    # First, not fourth: the 1024-token chunks are embedded whole (every 256-word-piece window).
    assert document_ids[0] == LLAMA3_DOC, document_ids
    llama3_text = " ".join(c for c, d in zip(chunks, document_ids, strict=True) if d == LLAMA3_DOC)
    assert "grouped-query attention" in llama3_text
    assert "grouped-query attention" in "".join(item.text for item in result.content)


def test_every_page_was_fetched_and_chunked(client, tutorial_db):
    chunks = all_chunks(client, tutorial_db)
    assert {c.metadata["document_id"] for c in chunks} == {f"num-{i}" for i in range(4)}
    for chunk in chunks:
        assert chunk.chunk_metadata.document_id == chunk.metadata["document_id"]
        assert chunk.chunk_metadata.chunk_id
        assert "<html" not in chunk.content.lower()


def query_raw(stack, vector_db_id, query, params):
    return httpx.post(
        f"{stack.base_url}/v1/vector-io/query",
        json={"vector_db_id": vector_db_id, "query": query, "params": params},
        timeout=120,
    )


# Each search mode on the backends that have it; Milvus 2.3.5 (no BM25) refuses keyword and hybrid.
NO_BM25 = "milvus-2.3"
MODES_WHERE_AVAILABLE = pytest.mark.parametrize(
    "backend, mode",
    [(b, m) for b in BACKENDS for m in ("vector", "keyword", "hybrid") if m == "vector" or b != NO_BM25],
    indirect=["backend"],
)
MODES_REFUSED = pytest.mark.parametrize(
    "backend, mode", [(NO_BM25, "keyword"), (NO_BM25, "hybrid")], indirect=["backend"]
)


@MODES_REFUSED
def test_keyword_and_hybrid_are_refused_without_bm25(stack, backend, tutorial_db, mode):
    assert not backend.keyword_search
    assert_keyword_refused(query_raw(stack, tutorial_db, "grouped-query attention", {"mode": mode}), mode)


@MODES_WHERE_AVAILABLE
def test_vector_io_query_in_each_mode(stack, backend, client, tutorial_db, mode):
    response = client.vector_io.query(
        vector_db_id=tutorial_db, query="grouped-query attention in Llama3", params={"mode": mode, "max_chunks": 5}
    )
    assert 0 < len(response.chunks) <= 5
    assert len(response.scores) == len(response.chunks)
    assert response.scores == sorted(response.scores, reverse=True)
    assert LLAMA3_DOC in [c.metadata["document_id"] for c in response.chunks]
    if mode == "keyword":
        assert response.chunks[0].metadata["document_id"] == LLAMA3_DOC
        assert "grouped-query attention" in response.chunks[0].content
    if mode == "vector":
        assert all(-1.0 <= s <= 1.0 for s in response.scores)


@pytest.mark.parametrize("backend", [NO_BM25], indirect=True)
def test_hybrid_rankers_are_refused_without_bm25(stack, backend, tutorial_db):
    for ranker in ({"strategy": "rrf"}, {"strategy": "weighted", "params": {"weights": [0.5, 0.5]}}):
        response = query_raw(stack, tutorial_db, "grouped-query attention", {"mode": "hybrid", "ranker": ranker})
        assert_keyword_refused(response, "hybrid")


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != NO_BM25], indirect=True)
def test_hybrid_rankers(stack, backend, client, tutorial_db):
    query = "grouped-query attention in Llama3"

    def ids(params):
        response = client.vector_io.query(vector_db_id=tutorial_db, query=query, params=params)
        return [c.chunk_id for c in response.chunks], response.scores

    vector_ids, _ = ids({"mode": "vector", "max_chunks": 4})
    keyword_ids, _ = ids({"mode": "keyword", "max_chunks": 4})
    # alpha weighs the vector side: 1.0 ranks as vector search does, 0.0 as keyword search.
    all_vector, _ = ids(
        {"mode": "hybrid", "max_chunks": 4, "ranker": {"strategy": "weighted", "params": {"weights": [1.0, 0.0]}}}
    )
    all_keyword, _ = ids(
        {"mode": "hybrid", "max_chunks": 4, "ranker": {"strategy": "weighted", "params": {"weights": [0.0, 1.0]}}}
    )
    assert all_vector == vector_ids
    assert all_keyword == keyword_ids
    # RRF: a top-ranked hit on both sides scores 2 / (k + 1).
    _, rrf_scores = ids({"mode": "hybrid", "max_chunks": 4, "ranker": {"strategy": "rrf", "params": {"k": 10}}})
    assert 0 < rrf_scores[0] <= 2 / 11 + 1e-6


def test_score_threshold_filters_each_mode(backend, client, tutorial_db):
    for mode in ("vector", "keyword", "hybrid") if backend.keyword_search else ("vector",):
        unfiltered = client.vector_io.query(
            vector_db_id=tutorial_db, query="LoRA finetune", params={"mode": mode, "max_chunks": 8}
        ).scores
        cut = unfiltered[len(unfiltered) // 2]
        kept = client.vector_io.query(
            vector_db_id=tutorial_db,
            query="LoRA finetune",
            params={"mode": mode, "max_chunks": 8, "score_threshold": cut},
        ).scores
        assert kept == [s for s in unfiltered if s >= cut]


def test_inserting_the_same_documents_again_does_not_duplicate(client, tutorial_db, docs_server):
    before = len(all_chunks(client, tutorial_db))
    client.tool_runtime.rag_tool.insert(
        documents=tutorial_documents(docs_server.base_url), vector_db_id=tutorial_db, chunk_size_in_tokens=1024
    )
    assert len(all_chunks(client, tutorial_db)) == before


def empty_db(client) -> str:
    vector_db_id = f"empty-{uuid.uuid4().hex[:8]}"
    client.vector_dbs.register(vector_db_id=vector_db_id, embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    return vector_db_id


@MODES_REFUSED
def test_registered_but_empty_db_refuses_keyword_and_hybrid_without_bm25(stack, backend, client, mode):
    assert_keyword_refused(query_raw(stack, empty_db(client), "anything", {"mode": mode}), mode)


@MODES_WHERE_AVAILABLE
def test_registered_but_empty_db_answers_no_chunks(stack, backend, client, mode):
    vector_db_id = empty_db(client)
    response = client.vector_io.query(vector_db_id=vector_db_id, query="anything", params={"mode": mode})
    assert response.chunks == [] and response.scores == []
    result = client.tool_runtime.rag_tool.query(content="anything", vector_db_ids=[vector_db_id])
    assert result.content is None or result.content == []


def test_unregister_drops_the_collection(client):
    vector_db_id = f"dropped-{uuid.uuid4().hex[:8]}"
    client.vector_dbs.register(vector_db_id=vector_db_id, embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    client.vector_io.insert(
        vector_db_id=vector_db_id, chunks=[{"content": "soon gone", "metadata": {"document_id": "g"}}]
    )
    assert all_chunks(client, vector_db_id)
    client.vector_dbs.unregister(vector_db_id)
    assert vector_db_id not in {db.identifier for db in client.vector_dbs.list()}
    # Registering the same id again starts from an empty collection, not the old one.
    client.vector_dbs.register(vector_db_id=vector_db_id, embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    assert all_chunks(client, vector_db_id) == []
