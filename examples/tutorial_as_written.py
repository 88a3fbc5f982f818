"""The Milvus docs' "Build RAG with Llama Stack and Milvus" client, as the tutorial writes it.

AgentConfig with the builtin::rag tool group, a non-streaming turn, llama-stack-client's default
timeouts. Only the server URL, the documents' base URL, the model and the question come from the
environment (LLAMA_STACK_URL, DOCS_BASE_URL, INFERENCE_MODEL, QUESTION); with no INFERENCE_MODEL
the server's first LLM answers (on the embedded default: the local Qwen2.5-Coder-1.5B-Instruct).
"""

import os
import uuid

from llama_stack_client import Agent, LlamaStackClient, RAGDocument
from llama_stack_client.types.agent_create_params import AgentConfig

client = LlamaStackClient(base_url=os.environ.get("LLAMA_STACK_URL", "http://localhost:8321"))
base = os.environ.get("DOCS_BASE_URL", "https://raw.githubusercontent.com/pytorch/torchtune/main/docs/source/tutorials")
model_id = os.environ.get("INFERENCE_MODEL") or next(
    m.identifier for m in client.models.list() if m.model_type == "llm"
)

urls = ["memory_optimizations.rst", "chat.rst", "llama3.rst", "lora_finetune.rst"]
documents = [
    RAGDocument(document_id=f"num-{i}", content=f"{base}/{url}", mime_type="text/plain", metadata={})
    for i, url in enumerate(urls)
]

vector_db_id = f"test-vector-db-{uuid.uuid4().hex}"
client.vector_dbs.register(
    vector_db_id=vector_db_id,
    embedding_model="all-MiniLM-L6-v2",
    embedding_dimension=384,
    provider_id="milvus",
)

print("inserting...")
client.tool_runtime.rag_tool.insert(documents=documents, vector_db_id=vector_db_id, chunk_size_in_tokens=1024)

agent_config = AgentConfig(
    model=model_id,
    instructions="You are a helpful assistant",
    enable_session_persistence=False,
    toolgroups=[{"name": "builtin::rag", "args": {"vector_db_ids": [vector_db_id]}}],
)
rag_agent = Agent(client, agent_config)
session_id = rag_agent.create_session("test-session")
print("finish init agent...")

user_prompt = os.environ.get("QUESTION", "What attention type does Llama3-8B use?")
response = rag_agent.create_turn(
    messages=[{"role": "user", "content": user_prompt}],
    session_id=session_id,
    stream=False,
)
print("Response: ")
print(response.output_message.content)
