"""The providers serving the embedded default are ours, not Llama Stack's built-ins."""

import llama_stack_milvus


def test_vector_io_provider_is_ours(client, stack):
    providers = {(p.api, p.provider_id): p for p in client.providers.list()}
    milvus = providers[("vector_io", "milvus")]
    assert milvus.provider_type == "inline::milvus"
    # Keys the built-in inline::milvus config does not have.
    assert {"index_type", "metric_type", "db_path"} <= set(milvus.config)
    assert milvus.config["db_path"] == str(stack.state_dir / "milvus.db")
    assert f"llama-stack-milvus {llama_stack_milvus.__version__} serves inline::milvus" in stack.log_text()


def test_embedding_provider_is_ours_and_offline(client, stack):
    assert "serves inline::sentence-transformers" in stack.log_text()
    embeddings = client.inference.embeddings(model_id="all-MiniLM-L6-v2", contents=["offline embeddings"])
    assert len(embeddings.embeddings[0]) == 384
