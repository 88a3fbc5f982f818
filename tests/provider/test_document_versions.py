"""rag_tool.insert of a document id again: same text keeps the same chunks, other text replaces
them, and every chunk says how many its document has (what the ingest command's resume reads)."""

import uuid

from conftest import EMBEDDING_MODEL
from tutorial import all_chunks


def insert(client, vector_db_id, text, document_id="page.md"):
    client.tool_runtime.rag_tool.insert(
        documents=[{"document_id": document_id, "content": text, "mime_type": "text/markdown", "metadata": {}}],
        vector_db_id=vector_db_id,
        chunk_size_in_tokens=64,
    )


def stored(client, vector_db_id):
    return {c.chunk_id: c for c in all_chunks(client, vector_db_id)}


def test_a_changed_document_replaces_its_chunks_and_others_stay(client):
    vector_db_id = f"versions-{uuid.uuid4().hex[:8]}"
    client.vector_dbs.register(vector_db_id=vector_db_id, embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    first = " ".join(f"Version one sentence {i} about retrieval." for i in range(60))
    second = " ".join(f"Version two line {i} on vector search." for i in range(30))
    insert(client, vector_db_id, "An unrelated page that stays.", document_id="other.md")
    insert(client, vector_db_id, first)
    v1 = {i: c for i, c in stored(client, vector_db_id).items() if c.metadata["document_id"] == "page.md"}
    assert len(v1) > 2
    assert {c.metadata["document_chunks"] for c in v1.values()} == {len(v1)}

    insert(client, vector_db_id, first)  # the same text again: the same chunks, nothing added
    assert stored(client, vector_db_id).keys() == v1.keys() | {next(iter(_other(client, vector_db_id)))}

    insert(client, vector_db_id, second)
    v2 = {i: c for i, c in stored(client, vector_db_id).items() if c.metadata["document_id"] == "page.md"}
    assert not v2.keys() & v1.keys()
    assert all("Version two" in c.content for c in v2.values())
    assert {c.metadata["document_chunks"] for c in v2.values()} == {len(v2)}
    assert len(_other(client, vector_db_id)) == 1


def _other(client, vector_db_id):
    return [i for i, c in stored(client, vector_db_id).items() if c.metadata["document_id"] == "other.md"]
