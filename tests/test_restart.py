"""Stop the server and start it again on the same state: vector DBs and chunks are still there."""

from conftest import EMBEDDING_MODEL, TUTORIAL_PAGES
from servers import RUN_CONFIGS, StackServer
from test_tutorial import QUESTION, all_chunks, tutorial_documents


def test_vector_dbs_and_chunks_survive_a_restart(tmp_path, docs_server):
    server = StackServer(RUN_CONFIGS / "milvus-lite.yaml", tmp_path).start()
    try:
        client = server.client()
        client.vector_dbs.register(vector_db_id="kept-db", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        client.vector_dbs.register(vector_db_id="kept_empty", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        client.tool_runtime.rag_tool.insert(
            documents=tutorial_documents(docs_server.base_url), vector_db_id="kept-db", chunk_size_in_tokens=1024
        )
        before = sorted(c.chunk_id for c in all_chunks(client, "kept-db"))
        answer_before = client.vector_io.query(vector_db_id="kept-db", query=QUESTION, params={"mode": "hybrid"})
    finally:
        server.stop()

    server.start()
    try:
        client = server.client()
        assert {"kept-db", "kept_empty"} <= {db.identifier for db in client.vector_dbs.list()}
        assert sorted(c.chunk_id for c in all_chunks(client, "kept-db")) == before
        assert len(before) >= len(TUTORIAL_PAGES)
        answer_after = client.vector_io.query(vector_db_id="kept-db", query=QUESTION, params={"mode": "hybrid"})
        assert [c.chunk_id for c in answer_after.chunks] == [c.chunk_id for c in answer_before.chunks]
        assert client.vector_io.query(vector_db_id="kept_empty", query="x").chunks == []
        for mode in ("vector", "keyword"):
            assert client.vector_io.query(vector_db_id="kept-db", query="LoRA", params={"mode": mode}).chunks
    finally:
        server.stop()
