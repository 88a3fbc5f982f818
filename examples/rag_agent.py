"""The "Build RAG with Llama Stack and Milvus" tutorial's client, as written.

Registers a vector DB with a given id on our Milvus provider, inserts the torchtune pages by
plain-string URL with rag_tool.insert, and asks an Agent that has the builtin::rag tool.
Only the server URL, the documents' base URL and the model come from flags or the environment:

    python examples/rag_agent.py --base-url http://localhost:8321 \
        --docs-base-url https://raw.githubusercontent.com/pytorch/torchtune/main/docs/source/tutorials \
        --model meta-llama/Llama-3.1-8B-Instruct

On the embedded default the local LLM answers; with no LLM on the server (the local-llm extra not
installed, or LOCAL_LLM=off, and no VLLM_URL or TOGETHER_API_KEY) it stops after the retrieval and
says how to add one.
"""

import argparse
import os
import sys

from llama_stack_client import Agent, AgentEventLogger, LlamaStackClient, RAGDocument

TORCHTUNE_DOCS = "https://raw.githubusercontent.com/pytorch/torchtune/main/docs/source/tutorials"
PAGES = ["chat.rst", "llama3.rst", "memory_optimizations.rst", "lora_finetune.rst"]
VECTOR_DB_ID = "my_demo_vector_db"
QUESTION = "What attention type does Llama3-8B use?"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default=os.environ.get("LLAMA_STACK_URL", "http://localhost:8321"))
    parser.add_argument("--docs-base-url", default=os.environ.get("DOCS_BASE_URL", TORCHTUNE_DOCS))
    parser.add_argument("--model", default=os.environ.get("INFERENCE_MODEL"), help="default: the server's first LLM")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--vector-db", default=VECTOR_DB_ID, help=f"the vector DB's id (default {VECTOR_DB_ID})")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    client = LlamaStackClient(base_url=args.base_url)

    vector_providers = [p for p in client.providers.list() if p.api == "vector_io"]
    provider_id = vector_providers[0].provider_id
    client.vector_dbs.register(
        vector_db_id=args.vector_db,
        embedding_model="all-MiniLM-L6-v2",
        embedding_dimension=384,
        provider_id=provider_id,
    )

    documents = [
        RAGDocument(
            document_id=f"num-{i}",
            content=f"{args.docs_base_url.rstrip('/')}/{page}",
            mime_type="text/plain",
            metadata={},
        )
        for i, page in enumerate(PAGES)
    ]
    client.tool_runtime.rag_tool.insert(documents=documents, vector_db_id=args.vector_db, chunk_size_in_tokens=1024)
    print(f"Inserted {len(documents)} documents into vector DB {args.vector_db!r} (provider {provider_id}).")

    llms = [m.identifier for m in client.models.list() if m.model_type == "llm"]
    model = args.model or (llms[0] if llms else None)
    if model is None:
        result = client.tool_runtime.rag_tool.query(content=args.question, vector_db_ids=[args.vector_db])
        print(f"Retrieved for {args.question!r} from documents {result.metadata['document_ids']}.")
        print(
            "No LLM is registered on this server, so there is no agent turn. The embedded default answers with "
            "its local LLM once the local-llm extra is installed (`uv sync --all-extras`, or "
            "`pip install 'llama-stack-milvus[local-llm]'`) or LLM_GGUF names a GGUF file; or start the server "
            "with VLLM_URL=http://<vllm>:8000/v1 (and INFERENCE_MODEL) or TOGETHER_API_KEY set.",
            file=sys.stderr,
        )
        return 2

    agent = Agent(
        client,
        model=model,
        instructions="You are a helpful assistant. Use the knowledge_search tool to answer.",
        tools=[{"name": "builtin::rag/knowledge_search", "args": {"vector_db_ids": [args.vector_db]}}],
    )
    session_id = agent.create_session("rag-session")
    response = agent.create_turn(
        messages=[{"role": "user", "content": args.question}], session_id=session_id, stream=True
    )
    for log in AgentEventLogger().log(response):
        log.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
