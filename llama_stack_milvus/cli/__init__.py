"""The `llama-stack-milvus` command: ingest folders, files and URLs into a vector DB of a running
stack, search it, list vector DBs. A client of the stack (llama-stack-client): it never imports
Llama Stack itself, so it starts fast and works against any of our backends."""
