"""A vector DB's documents through the vector-store files API: listed with their chunk counts and
sources, deleted whole (the playground's Documents page and any OpenAI-style client)."""

import uuid

import llama_stack_client
import pytest
from conftest import EMBEDDING_MODEL
from tutorial import all_chunks

DOCUMENTS = {
    "guides/setup.md": " ".join(f"Setup step {i}: install the server and check its port." for i in range(40)),
    "https://example.org/faq.html": "The FAQ answers one question: the default port is 19530.",
    "notes.txt": "Notes on partitions and tenants.",
}


@pytest.fixture
def vector_db(client):
    vector_db_id = f"documents-{uuid.uuid4().hex[:8]}"
    client.vector_dbs.register(vector_db_id=vector_db_id, embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    client.tool_runtime.rag_tool.insert(
        documents=[
            {"document_id": d, "content": text, "mime_type": "text/plain", "metadata": {"source": f"src:{d}"}}
            for d, text in DOCUMENTS.items()
        ],
        vector_db_id=vector_db_id,
        chunk_size_in_tokens=64,
    )
    return vector_db_id


def listed(client, vector_db_id, **params):
    return client.vector_stores.files.list(vector_store_id=vector_db_id, **params)


def chunks_by_document(client, vector_db_id):
    counts: dict[str, int] = {}
    for chunk in all_chunks(client, vector_db_id):
        counts[chunk.metadata["document_id"]] = counts.get(chunk.metadata["document_id"], 0) + 1
    return counts


def test_documents_are_listed_with_their_chunk_counts_and_sources(client, vector_db):
    files = listed(client, vector_db, order="asc").data
    assert [f.attributes["document_id"] for f in files] == sorted(DOCUMENTS)
    counts = chunks_by_document(client, vector_db)
    assert counts["guides/setup.md"] > 1
    for f in files:
        assert f.attributes["chunks"] == counts[f.attributes["document_id"]]
        assert f.attributes["source"] == f"src:{f.attributes['document_id']}"
        assert f.status == "completed" and f.vector_store_id == vector_db
        assert client.vector_stores.files.retrieve(f.id, vector_store_id=vector_db).attributes == f.attributes


def test_the_list_pages_as_openai_lists_do(client, vector_db):
    first = listed(client, vector_db, order="desc", limit=2)
    assert [f.attributes["document_id"] for f in first.data] == sorted(DOCUMENTS, reverse=True)[:2]
    assert first.has_more and first.last_id == first.data[-1].id
    rest = listed(client, vector_db, order="desc", limit=2, after=first.last_id)
    assert [f.attributes["document_id"] for f in rest.data] == sorted(DOCUMENTS, reverse=True)[2:]
    assert not rest.has_more


def test_deleting_a_document_removes_all_its_chunks_and_nothing_else(client, vector_db):
    before = chunks_by_document(client, vector_db)
    setup = next(f for f in listed(client, vector_db).data if f.attributes["document_id"] == "guides/setup.md")
    deleted = client.vector_stores.files.delete(setup.id, vector_store_id=vector_db)
    assert deleted.deleted and deleted.id == setup.id
    after = chunks_by_document(client, vector_db)
    assert "guides/setup.md" not in after
    assert after == {d: n for d, n in before.items() if d != "guides/setup.md"}
    assert [f.attributes["document_id"] for f in listed(client, vector_db, order="asc").data] == [
        "https://example.org/faq.html",
        "notes.txt",
    ]
    assert client.vector_stores.retrieve(vector_db).metadata["chunk_count"] == sum(after.values())


@pytest.mark.parametrize("file_id", ["doc_bm8tc3VjaA", "not-a-document-id", "doc_%%%"])
def test_deleting_a_document_that_is_not_there_is_a_404_and_deletes_nothing(client, vector_db, file_id):
    before = chunks_by_document(client, vector_db)
    with pytest.raises(llama_stack_client.NotFoundError, match="Document"):
        client.vector_stores.files.delete(file_id, vector_store_id=vector_db)
    assert chunks_by_document(client, vector_db) == before
