"""Index settings come from the provider config: refused at start-up where the backend lacks them."""

import pytest
from conftest import EMBEDDING_MODEL
from inprocess_stack import InProcessStack
from servers import StackServer


@pytest.mark.parametrize("backend", ["lite-file", "lite-tcp"], indirect=True)
def test_hnsw_is_refused_at_start_up_on_milvus_lite(tmp_path, backend):
    server = StackServer(backend.config, tmp_path, env={**backend.env, "MILVUS_INDEX_TYPE": "HNSW"})
    assert server.run_until_exit() != 0
    assert "index_type HNSW is not available on Milvus Lite" in server.log_text()
    assert "FLAT, IVF_FLAT" in server.log_text()


@pytest.mark.parametrize("backend", ["milvus-2.3"], indirect=True)
def test_hnsw_runs_on_a_server(tmp_path, backend):
    server = InProcessStack(backend.config, tmp_path, env={**backend.env, "MILVUS_INDEX_TYPE": "HNSW"})
    server.start()
    try:
        client = server.client()
        client.vector_dbs.register(vector_db_id="hnsw-db", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        chunks = [
            {"content": f"sentence {i} about hnsw graphs", "metadata": {"document_id": f"h{i}"}} for i in range(30)
        ]
        client.vector_io.insert(vector_db_id="hnsw-db", chunks=chunks)
        hits = client.vector_io.query(
            vector_db_id="hnsw-db", query="sentence 7 about hnsw graphs", params={"max_chunks": 3}
        )
        assert hits.chunks[0].metadata["document_id"] == "h7"
    finally:
        server.stop()


def test_unknown_settings_are_start_up_errors_naming_them(tmp_path, backend):
    server = StackServer(backend.config, tmp_path, env={**backend.env, "MILVUS_CONSISTENCY_LEVEL": "Sometimes"})
    assert server.run_until_exit() != 0
    assert "consistency_level must be one of Strong, Session, Bounded, Eventually" in server.log_text()
