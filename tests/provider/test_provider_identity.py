"""The providers serving the embedded default are ours, not Llama Stack's built-ins."""

import llama_stack_milvus


def test_vector_io_provider_is_ours(client, stack, backend):
    providers = {(p.api, p.provider_id): p for p in client.providers.list()}
    milvus = providers[("vector_io", "milvus")]
    assert milvus.provider_type == backend.provider_type
    # Keys the built-in Milvus configs do not have.
    assert {"index_type", "metric_type"} <= set(milvus.config)
    if backend.name == "lite-file":
        assert milvus.config["db_path"] == str(stack.state_dir / "milvus.db")
    else:
        assert milvus.config["uri"] == backend.env["MILVUS_URI"]
    assert milvus.health["status"] == "OK"
    assert f"llama-stack-milvus {llama_stack_milvus.__version__} serves {backend.provider_type}" in stack.log_text()


def test_embedding_provider_is_ours_and_offline(client, stack):
    assert "serves inline::sentence-transformers" in stack.log_text()
    embeddings = client.inference.embeddings(model_id="all-MiniLM-L6-v2", contents=["offline embeddings"])
    assert len(embeddings.embeddings[0]) == 384
