"""The LLM of a run-config is one env var away: none with LOCAL_LLM=off (as the test stacks run);
Together or vLLM added, in the same file. The local LLM itself: tests/e2e/test_local_llm.py."""

from inprocess_stack import InProcessStack
from servers import RUN_CONFIGS, StackServer
from vllm_server import ANSWER


def test_no_llm_with_the_local_llm_off(client, backend):
    assert [m.identifier for m in client.models.list() if m.model_type == "llm"] == []


def test_together_api_key_adds_the_tutorial_model_without_showing_the_key(tmp_path):
    key = "tgp-not-a-real-key-123"
    stack = StackServer(RUN_CONFIGS / "milvus-lite.yaml", tmp_path, env={"TOGETHER_API_KEY": key}).start()
    try:
        client = stack.client()
        llms = {m.identifier for m in client.models.list() if m.model_type == "llm"}
        assert "together/meta-llama/Llama-3.3-70B-Instruct-Turbo" in llms
        together = next(p for p in client.providers.list() if p.provider_id == "together")
        assert together.config["api_key"] == "********"
    finally:
        stack.stop()
    assert key not in stack.log_text()


def test_vllm_url_adds_the_vllm_model(tmp_path, vllm):
    stack = InProcessStack(RUN_CONFIGS / "milvus-lite.yaml", tmp_path, env=vllm.stack_env()).start()
    try:
        client = stack.client()
        assert "vllm/tiny-llama" in {m.identifier for m in client.models.list() if m.model_type == "llm"}
        reply = client.chat.completions.create(
            model="tiny-llama", messages=[{"role": "user", "content": "hi"}], max_tokens=32
        )
        assert reply.choices[0].message.content == ANSWER
        assert reply.choices[0].finish_reason == "stop"
    finally:
        stack.stop()
