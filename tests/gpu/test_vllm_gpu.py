"""Our remote::vllm against vLLM on a GPU serving a random Llama-3.1-8B-Instruct architecture.

Run by scripts/gpu_check.sh (GPU_VLLM_URL, GPU_VLLM_MODEL); tests/conftest.py leaves this folder out
otherwise. Random weights write arbitrary text, so these check the protocol, not the words.
"""

import os

import pytest
from servers import RUN_CONFIGS, StackServer

URL, MODEL = os.environ.get("GPU_VLLM_URL", ""), os.environ.get("GPU_VLLM_MODEL", "")
USER = [{"role": "user", "content": "Say something."}]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    env = {"VLLM_URL": URL, "INFERENCE_MODEL": MODEL, "VLLM_REQUIRE_AT_STARTUP": "true"}
    stack = StackServer(RUN_CONFIGS / "milvus-lite.yaml", tmp_path_factory.mktemp("gpu"), env=env).start()
    yield stack.client()
    stack.stop()


def test_model_is_listed_with_its_context(client):
    model = next(m for m in client.models.list() if m.identifier.endswith(MODEL))
    assert model.model_type == "llm" and model.metadata["context_length"] == 8192


@pytest.mark.parametrize("stream", [False, True])
def test_chat_writes_up_to_max_tokens(client, stream):
    sampling = {"max_tokens": 32}
    reply = client.inference.chat_completion(model_id=MODEL, messages=USER, sampling_params=sampling, stream=stream)
    if stream:
        events = list(reply)
        assert events[-1].event.event_type == "complete"
        assert "".join(e.event.delta.text for e in events if e.event.delta.type == "text")
    else:
        assert reply.completion_message.content and reply.completion_message.stop_reason == "out_of_tokens"


def test_openai_chat_and_completions(client):
    chat = client.chat.completions.create(model=MODEL, messages=USER, max_tokens=16)
    assert chat.choices[0].finish_reason == "length"
    completion = client.completions.create(model=MODEL, prompt="Once upon a time", max_tokens=16)
    assert completion.choices[0].text


def test_logprobs(client):
    reply = client.inference.chat_completion(
        model_id=MODEL, messages=USER, sampling_params={"max_tokens": 8}, logprobs={"top_k": 3}
    )
    assert len(reply.logprobs) == 8 and all(len(t.logprobs_by_token) >= 3 for t in reply.logprobs)
