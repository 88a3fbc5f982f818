"""max_tokens_in_context: auto follows the local LLM's measured reading speed."""

from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from llama_stack_milvus.core.llm.reading_speed import AUTO_MAX_TOKENS, AUTO_MIN_TOKENS, ReadingSpeed, auto_budget
from llama_stack_milvus.providers.inline_rag_runtime import local_llm_reading
from llama_stack_milvus.providers.inline_rag_runtime.config import RagRuntimeConfig
from llama_stack_milvus.providers.inline_rag_runtime.runtime import RagToolRuntime


def measured(*readings: tuple[int, float]) -> ReadingSpeed:
    speed = ReadingSpeed()
    for tokens, seconds in readings:
        speed.record(tokens, seconds)
    return speed


def test_without_a_local_llm_the_budget_is_the_cap():
    assert ReadingSpeed().tokens_per_second() is None
    assert auto_budget(None) == auto_budget(ReadingSpeed()) == AUTO_MAX_TOKENS


def test_the_budget_is_what_the_model_reads_in_10_seconds_within_bounds():
    assert auto_budget(measured((1000, 10.0))) == 1000  # 100 tokens/s
    assert auto_budget(measured((100, 10.0))) == AUTO_MIN_TOKENS  # a slow CPU still gets the best passages
    assert auto_budget(measured((5000, 10.0))) == AUTO_MAX_TOKENS


def test_measurements_are_smoothed_and_tiny_prompts_ignored():
    speed = measured((400, 10.0), (800, 10.0))
    assert speed.tokens_per_second() == pytest.approx(0.7 * 40 + 0.3 * 80)
    speed.record(5, 0.001)  # a cached prompt: 5 new tokens say nothing about the speed
    assert speed.tokens_per_second() == pytest.approx(52)
    speed.forget()
    assert speed.tokens_per_second() is None


def test_the_rag_runtime_is_given_the_local_llms_reading_speed():
    from llama_stack_milvus.providers.inline_llama_cpp.adapter import LlamaCppInferenceAdapter
    from llama_stack_milvus.providers.inline_llama_cpp.config import LlamaCppInferenceConfig

    local = LlamaCppInferenceAdapter(LlamaCppInferenceConfig())
    router = SimpleNamespace(routing_table=SimpleNamespace(impls_by_provider_id={"vllm": object(), "llama-cpp": local}))
    assert local_llm_reading(router) is local.reading
    runtime = RagToolRuntime(RagRuntimeConfig(max_tokens_in_context="auto"), None, router, local_llm_reading(router))
    local.reading.record(600, 10.0)  # what the engine records as the model reads
    assert runtime.context_budget() == 600
    no_local = SimpleNamespace(routing_table=SimpleNamespace(impls_by_provider_id={"vllm": object()}))
    assert local_llm_reading(no_local) is None
    auto = RagRuntimeConfig(max_tokens_in_context="auto")
    assert RagToolRuntime(auto, None, no_local, None).context_budget() == AUTO_MAX_TOKENS


def test_the_rag_runtime_config_takes_auto_or_at_least_64_tokens():
    assert RagRuntimeConfig(max_tokens_in_context="auto").max_tokens_in_context == "auto"
    assert RagRuntimeConfig(max_tokens_in_context="2500").max_tokens_in_context == 2500  # from ${env...}
    with pytest.raises(ValidationError, match="at least 64"):
        RagRuntimeConfig(max_tokens_in_context=10)
    with pytest.raises(ValidationError):
        RagRuntimeConfig(max_tokens_in_context="lots")
