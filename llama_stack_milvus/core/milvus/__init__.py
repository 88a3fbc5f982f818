"""The Milvus core shared by the inline (Milvus Lite) and remote (Milvus server) providers.

Storage only: schema, batched upserts, searches and deletes over plain rows. It knows nothing of
Llama Stack's API types; `llama_stack_milvus.vector_io` adapts chunks to rows and back.
"""
