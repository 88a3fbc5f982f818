"""The "Build RAG with Llama Stack and Milvus" tutorial's documents, question and vector DB, for
the tests that follow it (provider/test_tutorial.py and the e2e agent, restart and local-LLM tests)."""

from llama_stack_client import RAGDocument

VECTOR_DB_ID = "my_demo_vector_db"
QUESTION = "what attention type does Llama3-8B use?"
LLAMA3_DOC = "num-1"
TUTORIAL_PAGES = ["chat.rst", "llama3.rst", "memory_optimizations.rst", "lora_finetune.rst"]


def tutorial_documents(base_url: str) -> list[RAGDocument]:
    return [
        RAGDocument(document_id=f"num-{i}", content=f"{base_url}/{page}", mime_type="text/plain", metadata={})
        for i, page in enumerate(TUTORIAL_PAGES)
    ]


def all_chunks(client, vector_db_id: str):
    """Every stored chunk: a vector query with no threshold and a k above the chunk count."""
    return client.vector_io.query(
        vector_db_id=vector_db_id, query="anything", params={"max_chunks": 10_000, "score_threshold": -2.0}
    ).chunks
