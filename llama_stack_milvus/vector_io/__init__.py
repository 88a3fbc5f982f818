"""The vector_io API adapter over the Milvus core: registry, chunk <-> row, Llama Stack protocol."""
