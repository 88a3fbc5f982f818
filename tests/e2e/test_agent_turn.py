"""The tutorial's agent turn end to end: a real vLLM calls knowledge_search, our Milvus answers it.

The LLM is the programmed tiny Llama (tests/vllm/make_tiny_llama.py) behind a real `vllm serve`:
with the knowledge_search tool offered it calls it, and after the tool result it answers.
"""

import subprocess
import sys

import pytest
from inprocess_stack import InProcessStack
from llama_stack_client import Agent
from servers import REPO
from tutorial import QUESTION, VECTOR_DB_ID, tutorial_documents
from vllm_server import ANSWER


@pytest.fixture(scope="module")
def rag_stack(backend_pool, vllm, tmp_path_factory, docs_server):
    """A stack on a Milvus Lite file with the vLLM model, and the tutorial's documents inserted.

    One backend: what the agent loop asks of vector_io (rag_tool.query, vector store search naming
    the file) is the provider tier's, run against every backend there (tests/provider).
    """
    backend = backend_pool("lite-file")
    env = {**backend.env, **vllm.stack_env()}
    stack = InProcessStack(backend.config, tmp_path_factory.mktemp(f"rag-{backend.name}"), env=env).start()
    client = stack.client()
    client.vector_dbs.register(
        vector_db_id=VECTOR_DB_ID, embedding_model="all-MiniLM-L6-v2", embedding_dimension=384, provider_id="milvus"
    )
    client.tool_runtime.rag_tool.insert(
        documents=tutorial_documents(docs_server.base_url), vector_db_id=VECTOR_DB_ID, chunk_size_in_tokens=1024
    )
    yield stack
    stack.stop()


def test_agent_turn_is_inference_then_retrieval_from_milvus_then_inference(rag_stack):
    client = rag_stack.client()
    agent = Agent(
        client,
        model="tiny-llama",
        instructions="You are a helpful assistant.",
        tools=[{"name": "builtin::rag/knowledge_search", "args": {"vector_db_ids": [VECTOR_DB_ID]}}],
    )
    turn = agent.create_turn(
        messages=[{"role": "user", "content": QUESTION}], session_id=agent.create_session("s"), stream=False
    )
    assert [step.step_type for step in turn.steps] == ["inference", "tool_execution", "inference"]
    execution = turn.steps[1]
    assert execution.tool_calls[0].tool_name == "knowledge_search"
    retrieved = execution.tool_responses[0]
    assert retrieved.metadata["document_ids"] and all(d.startswith("num-") for d in retrieved.metadata["document_ids"])
    assert "knowledge_search tool found" in str(retrieved.content)
    assert turn.output_message.content == ANSWER


def test_rag_agent_example_runs_as_written(rag_stack, docs_server):
    completed = subprocess.run(
        [sys.executable, str(REPO / "examples" / "rag_agent.py"), "--base-url", rag_stack.base_url,
         "--docs-base-url", docs_server.base_url, "--model", "tiny-llama"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "tool_execution>" in completed.stdout and "knowledge_search" in completed.stdout
    assert f"inference> {ANSWER}" in completed.stdout


def test_responses_file_search_through_our_vector_store(rag_stack):
    import io

    client = rag_stack.client()
    store = client.vector_stores.create(name="docs", embedding_model="all-MiniLM-L6-v2", embedding_dimension=384)
    page = (REPO / "tests" / "data" / "torchtune" / "llama3.rst").read_bytes()
    uploaded = client.files.create(file=("llama3.rst", io.BytesIO(page), "text/plain"), purpose="assistants")
    client.vector_stores.files.create(vector_store_id=store.id, file_id=uploaded.id)
    response = client.responses.create(
        model="tiny-llama", input=QUESTION, tools=[{"type": "file_search", "vector_store_ids": [store.id]}]
    )
    kinds = [item.type for item in response.output]
    assert kinds == ["file_search_call", "message"], kinds
    assert response.output[0].status == "completed"
    hits = response.output[0].results
    assert hits and {(hit.file_id, hit.filename) for hit in hits} == {(uploaded.id, "llama3.rst")}
    assert response.output_text == ANSWER
