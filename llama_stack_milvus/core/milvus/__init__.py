"""The Milvus core shared by the inline (Milvus Lite) and remote (Milvus server) providers.

Storage only: schema, batched upserts, searches and deletes over plain rows. It knows nothing of
any framework's API types; the shells adapt chunks to rows and back (providers/remote_milvus for
Llama Stack 0.2.20, ogx/ for OGX).
"""
