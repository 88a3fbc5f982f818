"""Our remote::vllm against a real `vllm serve` (CPU): the programmed tiny Llama and all-MiniLM-L6-v2.

What the tiny Llama writes is fixed (tests/vllm/make_tiny_llama.py): ANSWER as free text, and
under a grammar (forced tool call, structured output) JSON whose strings read "attention".
"""

import json
import math
import os

import httpx
import pytest
from certificates import issue_certificate, make_ca
from inprocess_stack import InProcessStack
from llama_stack_client import APIStatusError
from servers import RUN_CONFIGS, StackServer, free_port
from tcp_proxy import TcpProxy
from vllm_server import ANSWER, API_KEY, EMBEDDING_MODEL_NAME, MODEL_NAME

WEATHER_TOOL = {
    "tool_name": "get_weather",
    "description": "The weather in a city",
    "parameters": {"city": {"param_type": "string", "description": "the city", "required": True}},
}
OPENAI_WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
ANSWER_SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
USER = [{"role": "user", "content": "What is the weather in Paris?"}]


@pytest.fixture(scope="module")
def llm_stack(vllm, vllm_embedding, tmp_path_factory):
    env = {**vllm.stack_env(), **vllm_embedding.embedding_env()}
    stack = InProcessStack(RUN_CONFIGS / "milvus-lite.yaml", tmp_path_factory.mktemp("vllm-adapter"), env=env).start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def client(llm_stack):
    return llm_stack.client()


def test_the_provider_is_ours(llm_stack):
    assert "llama-stack-milvus 0.1.0 serves remote::vllm: vLLM at" in llm_stack.log_text()


@pytest.mark.parametrize("stream", [False, True])
def test_chat_completion(client, stream):
    reply = client.inference.chat_completion(model_id=MODEL_NAME, messages=USER, stream=stream)
    if stream:
        events = list(reply)
        assert events[0].event.event_type == "start" and events[-1].event.event_type == "complete"
        assert "".join(e.event.delta.text for e in events if e.event.delta.type == "text") == ANSWER
        assert events[-1].event.stop_reason == "end_of_turn"
    else:
        assert reply.completion_message.content == ANSWER
        assert reply.completion_message.stop_reason == "end_of_turn"


@pytest.mark.parametrize("stream", [False, True])
def test_openai_chat_completions_pass_through(client, stream):
    reply = client.chat.completions.create(model=MODEL_NAME, messages=USER, stream=stream, max_tokens=64)
    if stream:
        chunks = [c for c in reply if c.choices]
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == ANSWER
        assert chunks[-1].choices[0].finish_reason == "stop"
    else:
        assert reply.choices[0].message.content == ANSWER


def test_completion_native_and_openai(client):
    native = client.inference.completion(model_id=MODEL_NAME, content="Tell me", sampling_params={"max_tokens": 4})
    openai_reply = client.completions.create(model=MODEL_NAME, prompt="Tell me", max_tokens=4, temperature=0)
    assert native.content == openai_reply.choices[0].text
    assert native.stop_reason in ("end_of_turn", "out_of_tokens")


def _streamed_tool_call(events):
    done = [e.event.delta.tool_call for e in events if e.event.delta.type == "tool_call"]
    done = [d for d in done if not isinstance(d, str)]
    assert len(done) == 1, events
    return done[0]


@pytest.mark.parametrize("choice", ["required", "get_weather"])
@pytest.mark.parametrize("stream", [False, True])
def test_forced_tool_call_has_valid_arguments(client, choice, stream):
    reply = client.inference.chat_completion(
        model_id=MODEL_NAME, messages=USER, tools=[WEATHER_TOOL], tool_config={"tool_choice": choice}, stream=stream
    )
    call = _streamed_tool_call(list(reply)) if stream else reply.completion_message.tool_calls[0]
    assert call.tool_name == "get_weather"
    assert call.arguments == {"city": "attention"}  # the schema's one required string, as the model writes it
    assert json.loads(call.arguments_json) == call.arguments


def test_tool_choice_none_answers_in_text(client):
    reply = client.inference.chat_completion(
        model_id=MODEL_NAME, messages=USER, tools=[WEATHER_TOOL], tool_config={"tool_choice": "none"}
    )
    assert reply.completion_message.tool_calls == [] and reply.completion_message.content == ANSWER


def test_openai_named_tool_choice_is_forwarded(client):
    reply = client.chat.completions.create(
        model=MODEL_NAME,
        messages=USER,
        tools=[OPENAI_WEATHER_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    call = reply.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "attention"}


def test_structured_output_follows_the_json_schema(client):
    reply = client.inference.chat_completion(
        model_id=MODEL_NAME, messages=USER, response_format={"type": "json_schema", "json_schema": ANSWER_SCHEMA}
    )
    assert json.loads(reply.completion_message.content) == {"answer": "attention"}
    openai_reply = client.chat.completions.create(
        model=MODEL_NAME,
        messages=USER,
        response_format={"type": "json_schema", "json_schema": {"name": "answer", "schema": ANSWER_SCHEMA}},
    )
    assert json.loads(openai_reply.choices[0].message.content) == {"answer": "attention"}


def test_logprobs_when_asked(client):
    reply = client.inference.chat_completion(model_id=MODEL_NAME, messages=USER, logprobs={"top_k": 2})
    assert reply.logprobs and all(len(t.logprobs_by_token) == 2 for t in reply.logprobs)
    first = reply.logprobs[0].logprobs_by_token
    assert max(first, key=first.get) == "Based on the documents,"
    assert client.inference.chat_completion(model_id=MODEL_NAME, messages=USER).logprobs is None


def test_models_are_discovered_with_their_kind(client):
    models = {m.identifier: m for m in client.models.list()}
    llm = models["vllm/" + MODEL_NAME]
    assert llm.model_type == "llm" and llm.metadata["context_length"] == 32768
    embedding = models["vllm-embedding/" + EMBEDDING_MODEL_NAME]
    assert embedding.model_type == "embedding" and embedding.metadata["embedding_dimension"] == 384


# Four times what all-MiniLM-L6-v2 reads (256 word-pieces): one topic, then another.
LONG_TEXT = "Milvus builds HNSW graphs for vector search. " * 40 + "LoRA tunes a few weights of a frozen model. " * 40


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_vllm_embeddings_match_sentence_transformers(client):
    # Both embed every window of the long text (vLLM's tokenizer cuts them for ours) and return their mean.
    texts = ["Milvus stores vectors.", "LoRA fine-tunes a few parameters.", LONG_TEXT]
    ours = client.inference.embeddings(model_id=EMBEDDING_MODEL_NAME, contents=texts).embeddings
    reference = client.inference.embeddings(model_id="all-MiniLM-L6-v2", contents=texts).embeddings
    assert [cosine(a, b) for a, b in zip(ours, reference, strict=True)] > [0.99] * 3
    openai_reply = client.embeddings.create(model=EMBEDDING_MODEL_NAME, input=texts)
    assert [len(d.embedding) for d in openai_reply.data] == [384, 384, 384]


def test_a_long_text_is_embedded_whole_unless_truncation_is_asked_for(client):
    question = client.inference.embeddings(model_id=EMBEDDING_MODEL_NAME, contents=["LoRA fine-tunes parameters"])
    for model in (EMBEDDING_MODEL_NAME, "all-MiniLM-L6-v2"):
        whole = client.inference.embeddings(model_id=model, contents=[LONG_TEXT]).embeddings[0]
        start = client.inference.embeddings(model_id=model, contents=[LONG_TEXT], text_truncation="end").embeddings[0]
        assert cosine(whole, start) < 0.9  # the second half, past the model's limit, counts
        assert cosine(question.embeddings[0], whole) > cosine(question.embeddings[0], start) + 0.2


def test_over_long_text_is_a_400_when_truncation_is_off(vllm, vllm_embedding, tmp_path):
    env = {**vllm_embedding.embedding_env(), "VLLM_EMBEDDING_TRUNCATE": "false"}
    stack = InProcessStack(RUN_CONFIGS / "milvus-lite.yaml", tmp_path, env=env).start()
    try:
        with pytest.raises(APIStatusError) as refused:
            stack.client().inference.embeddings(model_id=EMBEDDING_MODEL_NAME, contents=[LONG_TEXT])
        assert refused.value.status_code == 400 and "maximum context length" in str(refused.value)
    finally:
        stack.stop()


def test_a_vector_db_embeds_with_the_vllm_model(client):
    client.vector_dbs.register(
        vector_db_id="vllm-embedded", embedding_model=EMBEDDING_MODEL_NAME, embedding_dimension=384,
        provider_id="milvus",
    )  # fmt: skip
    client.vector_io.insert(
        vector_db_id="vllm-embedded",
        chunks=[
            {"content": "Milvus builds HNSW graphs for fast vector search.", "metadata": {"document_id": "hnsw"}},
            {"content": "LoRA trains low-rank adapters on a frozen model.", "metadata": {"document_id": "lora"}},
        ],
    )
    hits = client.vector_io.query(
        vector_db_id="vllm-embedded", query="graph index for vectors", params={"max_chunks": 1}
    )
    assert hits.chunks[0].metadata["document_id"] == "hnsw"


def test_token_from_provider_data(vllm, tmp_path):
    env = {**vllm.stack_env(), "VLLM_API_TOKEN": ""}
    stack = StackServer(RUN_CONFIGS / "milvus-lite.yaml", tmp_path, env=env).start()
    try:
        client = stack.client()
        with pytest.raises(APIStatusError) as refused:
            client.inference.chat_completion(model_id=MODEL_NAME, messages=USER)
        assert refused.value.status_code == 403 and "refused the API token" in str(refused.value)
        with_token = stack.client(provider_data={"vllm_api_token": API_KEY})
        assert with_token.inference.chat_completion(model_id=MODEL_NAME, messages=USER).completion_message.content
    finally:
        stack.stop()
    assert API_KEY not in stack.log_text()


def test_unreachable_vllm_is_a_503_naming_it_and_the_stack_still_starts(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    stack = InProcessStack(RUN_CONFIGS / "milvus-lite.yaml", tmp_path, env={"VLLM_URL": url, "INFERENCE_MODEL": "m"})
    stack.start()
    try:
        response = httpx.post(
            f"{stack.base_url}/v1/openai/v1/chat/completions",
            json={"model": "m", "messages": USER},
            timeout=60,
        )
        assert response.status_code == 503, response.text
        assert f"vLLM at {url} is unreachable" in response.json()["detail"]
        health = httpx.get(f"{stack.base_url}/v1/providers/vllm", timeout=30).json()["health"]
        assert health["status"] == "Error" and "unreachable" in health["message"]
    finally:
        stack.stop()


def test_require_at_startup_refuses_to_start_without_vllm(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    env = {"VLLM_URL": url, "INFERENCE_MODEL": "m", "VLLM_REQUIRE_AT_STARTUP": "true"}
    stack = StackServer(RUN_CONFIGS / "milvus-lite.yaml", tmp_path, env=env)
    assert stack.run_until_exit() != 0
    assert f"vLLM at {url} is unreachable" in stack.log_text()


def test_stack_started_before_vllm_serves_once_vllm_is_up(vllm, tmp_path):
    late = TcpProxy(vllm.port)  # nothing listens on its port yet
    env = {**vllm.stack_env(), "VLLM_URL": f"http://127.0.0.1:{late.port}/v1"}
    stack = InProcessStack(RUN_CONFIGS / "milvus-lite.yaml", tmp_path, env=env).start()
    try:
        client = stack.client()
        with pytest.raises(APIStatusError) as down:
            client.inference.chat_completion(model_id=MODEL_NAME, messages=USER)
        assert down.value.status_code == 503
        late.start()
        assert client.inference.chat_completion(model_id=MODEL_NAME, messages=USER).completion_message.content == ANSWER
    finally:
        late.stop()
        stack.stop()


def test_vllm_over_tls_with_the_ca_given(vllm, tmp_path):
    ca = make_ca(tmp_path, "vllm-ca")
    proxy = TcpProxy(vllm.port, tls=issue_certificate(tmp_path, "vllm", ca, "IP:127.0.0.1")).start()
    url = f"https://127.0.0.1:{proxy.port}/v1"
    try:
        trusted = InProcessStack(
            RUN_CONFIGS / "milvus-lite.yaml", tmp_path / "trusted", env={**vllm.stack_env(), "VLLM_URL": url,
                                                                         "VLLM_TLS_VERIFY": str(ca[0])},
        ).start()  # fmt: skip
        try:
            health = httpx.get(f"{trusted.base_url}/v1/providers/vllm", timeout=30).json()["health"]
            assert health["status"] == "OK"
            reply = trusted.client().inference.chat_completion(model_id=MODEL_NAME, messages=USER)
            assert reply.completion_message.content == ANSWER
        finally:
            trusted.stop()
        untrusted = InProcessStack(
            RUN_CONFIGS / "milvus-lite.yaml", tmp_path / "untrusted", env={**vllm.stack_env(), "VLLM_URL": url}
        ).start()
        try:
            health = httpx.get(f"{untrusted.base_url}/v1/providers/vllm", timeout=30).json()["health"]
            assert health["status"] == "Error" and "CERTIFICATE_VERIFY_FAILED" in health["message"]
        finally:
            untrusted.stop()
    finally:
        proxy.stop()


def test_litellm_is_not_needed(vllm, tmp_path):
    blocker = tmp_path / "no-litellm"
    (blocker / "litellm").mkdir(parents=True)
    (blocker / "litellm" / "__init__.py").write_text("raise ImportError('litellm is blocked in this test')\n")
    pythonpath = os.pathsep.join([str(blocker), *filter(None, [os.environ.get("PYTHONPATH")])])
    env = {**vllm.stack_env(), "PYTHONPATH": pythonpath}
    stack = StackServer(RUN_CONFIGS / "milvus-lite.yaml", tmp_path / "stack", env=env).start()
    try:
        assert stack.client().inference.chat_completion(model_id=MODEL_NAME, messages=USER).completion_message.content
    finally:
        stack.stop()
    assert "litellm is blocked" not in stack.log_text()
