"""Restarts lose nothing: of the stack (same state: vector DBs, chunks, OpenAI vector stores and
their files) and, on a server backend, of Milvus itself."""

import io
import time

import httpx
import pytest
from conftest import EMBEDDING_MODEL
from servers import StackServer
from tutorial import QUESTION, all_chunks, tutorial_documents


def answering_pages(base_url: str):
    """llama3.rst, which answers QUESTION, and lora_finetune.rst, which the keyword query finds."""
    return tutorial_documents(base_url)[1::2]


# What a stack restart could lose is the stack's own state (registry, files, vector store metadata)
# and what its provider reopens: once embedded (lite-file), once remote (lite-tcp is remote like 2.3).
@pytest.mark.parametrize("backend", ["lite-file", "milvus-2.3"], indirect=True)
def test_vector_dbs_and_chunks_survive_a_stack_restart(tmp_path, backend, docs_server):
    server = StackServer(backend.config, tmp_path, env=backend.env).start()
    try:
        client = server.client()
        client.vector_dbs.register(vector_db_id="kept-db", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        client.vector_dbs.register(vector_db_id="kept_empty", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        client.tool_runtime.rag_tool.insert(
            documents=answering_pages(docs_server.base_url), vector_db_id="kept-db", chunk_size_in_tokens=1024
        )
        before = sorted(c.chunk_id for c in all_chunks(client, "kept-db"))
        answer_before = client.vector_io.query(vector_db_id="kept-db", query=QUESTION, params={"max_chunks": 5})
        store = client.vector_stores.create(name="docs", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        page = io.BytesIO(b"HNSW is a graph index; ef is the search-time candidate list.")
        uploaded = client.files.create(file=("index.md", page, "text/plain"), purpose="assistants")
        client.vector_stores.files.create(vector_store_id=store.id, file_id=uploaded.id)
    finally:
        server.stop()

    server.start()
    try:
        client = server.client()
        assert {"kept-db", "kept_empty"} <= {db.identifier for db in client.vector_dbs.list()}
        assert sorted(c.chunk_id for c in all_chunks(client, "kept-db")) == before
        assert len(before) >= 2
        answer_after = client.vector_io.query(vector_db_id="kept-db", query=QUESTION, params={"max_chunks": 5})
        assert [c.chunk_id for c in answer_after.chunks] == [c.chunk_id for c in answer_before.chunks]
        assert client.vector_io.query(vector_db_id="kept_empty", query="x").chunks == []
        if backend.keyword_search:
            assert client.vector_io.query(vector_db_id="kept-db", query="LoRA", params={"mode": "keyword"}).chunks

        assert client.vector_stores.retrieve(store.id).name == "docs"
        hits = client.vector_stores.search(vector_store_id=store.id, query="What does ef mean in HNSW?").data
        assert hits and {(hit.file_id, hit.filename) for hit in hits} == {(uploaded.id, "index.md")}
        client.vector_stores.files.delete(vector_store_id=store.id, file_id=uploaded.id)
        assert client.vector_stores.search(vector_store_id=store.id, query="ef").data == []
        assert client.vector_stores.delete(store.id).deleted
    finally:
        server.stop()


# Milvus Lite in a file lives inside the stack process: the stack restart test covers it.
@pytest.mark.parametrize("backend", ["lite-tcp", "milvus-2.3"], indirect=True)
def test_milvus_server_restart_between_insert_and_query(backend, stack, client):
    client.vector_dbs.register(vector_db_id="across-restart", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    chunks = [{"content": f"fact number {i} about restarts", "metadata": {"document_id": f"r{i}"}} for i in range(20)]
    client.vector_io.insert(vector_db_id="across-restart", chunks=chunks)
    before = sorted(c.chunk_id for c in all_chunks(client, "across-restart"))
    assert len(before) == 20

    backend.server.restart()

    # The provider reconnects by itself: the first queries may fail while Milvus loads again.
    deadline = time.monotonic() + 180
    while True:
        try:
            after = sorted(c.chunk_id for c in all_chunks(client, "across-restart"))
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)
    assert after == before
    assert httpx.get(f"{stack.base_url}/v1/health", timeout=10).status_code == 200, "the stack kept running"
