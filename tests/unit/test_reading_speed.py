"""max_tokens_in_context: auto follows the local LLM's measured reading speed."""

import pytest
from pydantic import ValidationError

from llama_stack_milvus.core.llm import reading_speed
from llama_stack_milvus.providers.inline_rag_runtime.config import RagRuntimeConfig


@pytest.fixture(autouse=True)
def no_measurement():
    reading_speed.forget()
    yield
    reading_speed.forget()


def test_without_a_local_llm_the_budget_is_the_cap():
    assert reading_speed.tokens_per_second() is None
    assert reading_speed.auto_budget() == reading_speed.AUTO_MAX_TOKENS


def test_the_budget_is_what_the_model_reads_in_10_seconds_within_bounds():
    reading_speed.record(1000, 10.0)  # 100 tokens/s
    assert reading_speed.auto_budget() == 1000
    reading_speed.forget()
    reading_speed.record(100, 10.0)  # 10 tokens/s: a slow CPU still gets the best passages
    assert reading_speed.auto_budget() == reading_speed.AUTO_MIN_TOKENS
    reading_speed.forget()
    reading_speed.record(5000, 10.0)
    assert reading_speed.auto_budget() == reading_speed.AUTO_MAX_TOKENS


def test_measurements_are_smoothed_and_tiny_prompts_ignored():
    reading_speed.record(400, 10.0)
    reading_speed.record(800, 10.0)
    assert reading_speed.tokens_per_second() == pytest.approx(0.7 * 40 + 0.3 * 80)
    reading_speed.record(5, 0.001)  # a cached prompt: 5 new tokens say nothing about the speed
    assert reading_speed.tokens_per_second() == pytest.approx(52)


def test_the_rag_runtime_config_takes_auto_or_at_least_64_tokens():
    assert RagRuntimeConfig(max_tokens_in_context="auto").max_tokens_in_context == "auto"
    assert RagRuntimeConfig(max_tokens_in_context="2500").max_tokens_in_context == 2500  # from ${env...}
    with pytest.raises(ValidationError, match="at least 64"):
        RagRuntimeConfig(max_tokens_in_context=10)
    with pytest.raises(ValidationError):
        RagRuntimeConfig(max_tokens_in_context="lots")
