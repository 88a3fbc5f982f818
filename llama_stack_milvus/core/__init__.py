"""The core: Milvus storage and search, documents, embeddings, passages, the model clients.

It imports neither Llama Stack nor OGX (tests/unit/test_layers.py): each framework generation has
a thin shell of its own over it (`llama_stack_milvus/` for Llama Stack 0.2.20, `ogx/` for OGX).
"""
