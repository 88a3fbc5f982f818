"""The embedded default answers: our inline::llama-cpp with the bundled Qwen2.5-Coder-1.5B-Instruct.

Real model, real stack (run-configs/milvus-lite.yaml as shipped), real llama-stack-client. Each
full agent turn costs 10-40 s on 2 cores, so there are five: the tutorial as written, the example
(streamed), and a session of three questions.
"""

import json
import os
import re
import subprocess
import sys

import httpx
import pytest
from conftest import EMBEDDING_MODEL
from inprocess_stack import InProcessStack
from llama_stack_client import Agent
from servers import REPO, RUN_CONFIGS, StackServer
from tutorial import tutorial_documents

from llama_stack_milvus.core.passages import GAP_MARK

LLM = "qwen2.5-coder-1.5b-instruct"
VECTOR_DB_ID = "local-llm-tutorial"
QUESTION = "What attention type does Llama3-8B use?"
GQA = re.compile(r"grouped[- ]query attention|\bGQA\b", re.IGNORECASE)
WEATHER = {
    "tool_name": "get_weather",
    "description": "Get the current weather in a city",
    "parameters": {"city": {"param_type": "string", "description": "The city", "required": True}},
}
SEARCH = {
    "tool_name": "knowledge_search",
    "description": "Search for information in a database.",
    "parameters": {"query": {"param_type": "string", "description": "What to search for", "required": True}},
}


@pytest.fixture(scope="module")
def llm_stack(tmp_path_factory, models_dir, docs_server):
    """The embedded default as shipped (nothing but state paths set), the tutorial pages inserted."""
    stack = StackServer(
        RUN_CONFIGS / "milvus-lite.yaml",
        tmp_path_factory.mktemp("local-llm"),
        env={
            "LOCAL_LLM": "auto",
            "LLM_MODELS_DIR": str(models_dir),
            "EMBEDDING_PRELOAD": "all-MiniLM-L6-v2",
            "EMBEDDING_BACKEND": "onnx",  # the run config's default: tests/servers.py's is onnx-int8
        },  # fmt: skip
    ).start(timeout=600)
    client = stack.client()
    client.vector_dbs.register(
        vector_db_id=VECTOR_DB_ID, embedding_model=EMBEDDING_MODEL, embedding_dimension=384, provider_id="milvus"
    )
    client.tool_runtime.rag_tool.insert(
        documents=tutorial_documents(docs_server.base_url), vector_db_id=VECTOR_DB_ID, chunk_size_in_tokens=1024
    )
    yield stack
    stack.stop()


def run_example(args: list[str], env: dict[str, str] | None = None, timeout: float = 600):
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "INFERENCE_MODEL": "", **(env or {})}, cwd=REPO,
    )  # fmt: skip


def test_the_local_model_is_the_only_llm_and_loads_at_start_up(llm_stack):
    llms = [m for m in llm_stack.client().models.list() if m.model_type == "llm"]
    assert [(m.identifier, m.provider_id) for m in llms] == [(LLM, "llama-cpp")]
    assert llms[0].metadata["context_length"] == 8192
    loaded = re.search(r"reads\s+(\d+)\s+prompt\s+tokens/s.*?up\s+to\s+(\d+)\s+tokens", llm_stack.log_text(), re.S)
    assert loaded and f"local LLM {LLM} loaded" in llm_stack.log_text()
    speed, budget = map(int, loaded.groups())
    assert speed > 0 and 300 <= budget <= 2500


@pytest.mark.alone
def test_tutorial_client_as_written_prints_the_answer(llm_stack, docs_server):
    """AgentConfig, builtin::rag, a non-streaming turn and the client's default 60 s read timeout."""
    completed = run_example(
        [str(REPO / "examples" / "tutorial_as_written.py")],
        env={"LLAMA_STACK_URL": llm_stack.base_url, "DOCS_BASE_URL": docs_server.base_url},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    answer = completed.stdout.split("Response: ", 1)[1]
    assert GQA.search(answer), completed.stdout


# Alone too: the example keeps the client's default read timeout, which a turn on shared cores
# missed once in a clean-clone run (ReadTimeout; 92 s when it passed under load).
@pytest.mark.alone
def test_rag_agent_example_streams_the_answer(llm_stack, docs_server):
    completed = run_example(
        [str(REPO / "examples" / "rag_agent.py"), "--base-url", llm_stack.base_url,
         "--docs-base-url", docs_server.base_url],
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "tool_execution> Tool:knowledge_search" in completed.stdout
    answer = completed.stdout.rsplit("inference> ", 1)[1]
    assert GQA.search(answer), completed.stdout


def test_a_three_question_session_answers_each_question_and_the_follow_up(llm_stack):
    """The second question refers to the first ("it"): its search carries the first question too."""
    client = llm_stack.client()
    agent = Agent(
        client,
        model=LLM,
        instructions="You are a helpful assistant. Use the knowledge_search tool to answer.",
        tools=[{"name": "builtin::rag/knowledge_search", "args": {"vector_db_ids": [VECTOR_DB_ID]}}],
        sampling_params={"strategy": {"type": "greedy"}, "max_tokens": 96},  # short answers: CI time
    )
    session = agent.create_session("three-questions")
    turn = agent.create_turn(messages=[{"role": "user", "content": QUESTION}], session_id=session, stream=False)
    assert [step.step_type for step in turn.steps] == ["inference", "tool_execution", "inference"]
    call = turn.steps[1].tool_calls[0]
    assert call.tool_name == "knowledge_search" and call.arguments["query"] == QUESTION  # the user's words
    retrieved = turn.steps[1].tool_responses[0]
    assert retrieved.metadata["document_ids"][0] == "num-1"  # llama3.rst, from our Milvus provider
    # Over the auto budget, the passages that bear on the question reach the model, gaps marked.
    assert GAP_MARK.strip() in str(retrieved.content) and "grouped-query attention" in str(retrieved.content)
    assert GQA.search(turn.output_message.content), turn.output_message.content

    # The follow-up, streamed: searched with the question it refers to, answered from llama3.rst.
    events = list(
        agent.create_turn(
            messages=[{"role": "user", "content": "And which tokenizer does it use?"}], session_id=session, stream=True
        )
    )
    second = events[-1].event.payload.turn
    assert [step.step_type for step in second.steps] == ["inference", "tool_execution", "inference"]
    assert second.steps[1].tool_calls[0].arguments["query"] == f"{QUESTION} And which tokenizer does it use?"
    assert len(second.input_messages) == 1
    assert "tiktoken" in second.output_message.content.lower(), second.output_message.content

    third = agent.create_turn(
        messages=[{"role": "user", "content": "How do I enable activation offloading in torchtune?"}],
        session_id=session,
        stream=False,
    )
    assert third.steps[1].tool_calls[0].arguments["query"] == "How do I enable activation offloading in torchtune?"
    assert "enable_activation_offloading" in third.output_message.content, third.output_message.content


def test_forced_and_named_tool_calls_have_valid_arguments(llm_stack):
    client = llm_stack.client()
    messages = [{"role": "user", "content": "Is it raining in Paris right now?"}]
    forced = client.inference.chat_completion(
        model_id=LLM, messages=messages, tools=[WEATHER, SEARCH], tool_config={"tool_choice": "required"}
    ).completion_message
    assert len(forced.tool_calls) == 1 and forced.tool_calls[0].tool_name in ("get_weather", "knowledge_search")
    assert isinstance(forced.tool_calls[0].arguments, dict) and forced.tool_calls[0].arguments

    named = client.inference.chat_completion(
        model_id=LLM, messages=messages, tools=[WEATHER, SEARCH], tool_config={"tool_choice": "get_weather"}
    ).completion_message
    assert named.tool_calls[0].tool_name == "get_weather"
    assert "paris" in named.tool_calls[0].arguments["city"].lower()

    # The OpenAI-compatible endpoint, with a named tool in OpenAI's object form.
    response = httpx.post(
        f"{llm_stack.base_url}/v1/openai/v1/chat/completions",
        json={
            "model": LLM,
            "messages": messages,
            "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {
                "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        },
        timeout=300,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    call = choice["message"]["tool_calls"][0]["function"]
    assert call["name"] == "get_weather" and "paris" in json.loads(call["arguments"])["city"].lower()


def test_structured_output_validates_against_its_schema(llm_stack):
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string", "maxLength": 40}, "country": {"type": "string", "maxLength": 40},
                       "population_millions": {"type": "number"}},
        "required": ["city", "country", "population_millions"],
    }  # fmt: skip
    reply = llm_stack.client().inference.chat_completion(
        model_id=LLM,
        messages=[{"role": "user", "content": "Give the capital of France and its population in millions."}],
        response_format={"type": "json_schema", "json_schema": schema},
        sampling_params={"max_tokens": 80},
    )
    answer = json.loads(reply.completion_message.content)
    assert set(answer) == {"city", "country", "population_millions"}
    assert "paris" in answer["city"].lower() and isinstance(answer["population_millions"], int | float)


def test_streamed_chat_and_text_completion(llm_stack):
    client = llm_stack.client()
    chunks = list(
        client.inference.chat_completion(
            model_id=LLM,
            messages=[{"role": "user", "content": "Say hello in French, one word."}],
            sampling_params={"max_tokens": 16},
            stream=True,
        )
    )
    text = "".join(c.event.delta.text for c in chunks if c.event.event_type == "progress")
    assert len(chunks) > 2 and "bonjour" in text.lower()
    assert chunks[-1].event.event_type == "complete"

    completion = client.inference.completion(
        model_id=LLM, content="The capital of France is", sampling_params={"max_tokens": 8}
    )
    assert "paris" in completion.content.lower()
    streamed = list(
        client.inference.completion(
            model_id=LLM, content="The capital of France is", sampling_params={"max_tokens": 8}, stream=True
        )
    )
    assert "paris" in "".join(c.delta for c in streamed).lower()


def test_unknown_model_and_context_overflow_are_clear_4xx(llm_stack):
    unknown = httpx.post(
        f"{llm_stack.base_url}/v1/inference/chat-completion",
        json={"model_id": "no-such-llm", "messages": [{"role": "user", "content": "hi"}]},
        timeout=60,
    )
    assert 400 <= unknown.status_code < 500 and "no-such-llm" in unknown.text

    too_long = " ".join(["attention"] * 9000)  # 9,000 tokens and more, in a context of 8,192
    overflow = httpx.post(
        f"{llm_stack.base_url}/v1/inference/chat-completion",
        json={"model_id": LLM, "messages": [{"role": "user", "content": too_long}]},
        timeout=300,
    )
    assert overflow.status_code == 400, overflow.text
    assert "too long for the local model" in overflow.text and "8192" in overflow.text
    # The model still answers afterwards.
    assert llm_stack.client().inference.completion(model_id=LLM, content="1, 2, 3,", sampling_params={"max_tokens": 4})


def test_missing_weights_still_serve_retrieval_and_say_how_to_get_them(tmp_path_factory):
    state = tmp_path_factory.mktemp("no-weights")
    stack = StackServer(
        RUN_CONFIGS / "milvus-lite.yaml",
        state,
        env={
            "LOCAL_LLM": "auto",
            "LLM_MODELS_DIR": str(state / "models"),
            "PYTHONPATH": str(REPO / "tests" / "local_llm" / "hide_weights"),
        },
    ).start()
    try:
        assert "install the local-llm extra" in stack.log_text()
        client = stack.client()
        assert [m for m in client.models.list() if m.model_type == "llm"] == []
        # Retrieval is served as before (the rag_agent example without an LLM: tests/provider/test_examples.py).
        client.vector_dbs.register(vector_db_id="no-llm", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        facts = ["Llama3-8B uses grouped-query attention.", "LoRA adapts the attention projections."]
        client.vector_io.insert(
            vector_db_id="no-llm",
            chunks=[{"content": f, "metadata": {"document_id": f"d{i}"}} for i, f in enumerate(facts)],
        )
        hits = client.vector_io.query(vector_db_id="no-llm", query=QUESTION, params={"max_chunks": 1}).chunks
        assert [hit.content for hit in hits] == [facts[0]]
    finally:
        stack.stop()


def test_vllm_url_takes_over_from_the_local_model(tmp_path_factory, models_dir):
    stack = InProcessStack(
        RUN_CONFIGS / "milvus-lite.yaml",
        tmp_path_factory.mktemp("vllm-takes-over"),
        env={"LOCAL_LLM": "auto", "LLM_MODELS_DIR": str(models_dir), "VLLM_URL": "http://127.0.0.1:9/v1"},
    ).start()
    try:
        assert "the local LLM is off" in stack.log_text()
        llms = [m for m in stack.client().models.list() if m.model_type == "llm"]
        assert [m.provider_id for m in llms] == ["vllm"]
    finally:
        stack.stop()
