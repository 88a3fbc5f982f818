"""Pure logic of our remote::vllm: Llama Stack request parts as OpenAI/vLLM parameters, and its config."""

import pytest
from llama_stack.apis.inference import (
    GrammarResponseFormat,
    GreedySamplingStrategy,
    JsonSchemaResponseFormat,
    LogProbConfig,
    SamplingParams,
    ToolChoice,
    ToolConfig,
    TopKSamplingStrategy,
    TopPSamplingStrategy,
)
from llama_stack.models.llama.datatypes import ToolDefinition
from pydantic import ValidationError

from llama_stack_milvus.providers.remote_vllm.config import VllmInferenceConfig
from llama_stack_milvus.providers.remote_vllm.requests import (
    logprobs_options,
    response_format_option,
    sampling_options,
    tool_choice_option,
)

TOOLS = [ToolDefinition(tool_name="get_weather")]


def test_greedy_is_temperature_zero_and_default_max_tokens_applies():
    assert sampling_options(SamplingParams(strategy=GreedySamplingStrategy()), 64) == {
        "temperature": 0.0,
        "max_tokens": 64,
    }
    assert "max_tokens" not in sampling_options(None, None)


def test_top_p_top_k_and_vllm_only_options():
    top_p = sampling_options(SamplingParams(strategy=TopPSamplingStrategy(temperature=0.7, top_p=0.9)), None)
    assert top_p == {"temperature": 0.7, "top_p": 0.9}
    top_k = sampling_options(
        SamplingParams(strategy=TopKSamplingStrategy(top_k=5), repetition_penalty=1.2, stop=["</s>"], max_tokens=9),
        64,
    )
    assert top_k == {"max_tokens": 9, "stop": ["</s>"], "extra_body": {"top_k": 5, "repetition_penalty": 1.2}}


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (ToolChoice.auto, "auto"),
        (ToolChoice.required, "required"),
        (ToolChoice.none, "none"),
        ("get_weather", {"type": "function", "function": {"name": "get_weather"}}),
    ],
)
def test_tool_choice_is_forwarded(choice, expected):
    assert tool_choice_option(ToolConfig(tool_choice=choice), TOOLS) == expected


def test_no_tools_no_tool_choice():
    assert tool_choice_option(ToolConfig(tool_choice=ToolChoice.required), []) is None


def test_response_formats():
    schema = {"type": "object"}
    assert response_format_option(JsonSchemaResponseFormat(json_schema=schema)) == {
        "type": "json_schema",
        "json_schema": {"name": "response", "schema": schema},
    }
    with pytest.raises(NotImplementedError, match="json_schema"):
        response_format_option(GrammarResponseFormat(bnf={"root": "x"}))


def test_logprobs_options():
    assert logprobs_options(LogProbConfig(top_k=3), chat=True) == {"logprobs": True, "top_logprobs": 3}
    assert logprobs_options(LogProbConfig(top_k=3), chat=False) == {"logprobs": 3}
    assert logprobs_options(None, chat=True) == {}


def test_config_reads_env_strings_and_refuses_bad_values(tmp_path):
    config = VllmInferenceConfig(url="http://h:8000/v1/", api_token="", max_tokens="", tls_verify="false")
    assert config.url == "http://h:8000/v1" and config.api_token is None and config.max_tokens is None
    assert config.tls_verify is False
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    assert VllmInferenceConfig(url="https://h/v1", tls_verify=str(ca)).tls_verify == str(ca)
    with pytest.raises(ValidationError, match="no CA bundle"):
        VllmInferenceConfig(url="https://h/v1", tls_verify=str(tmp_path / "missing.pem"))
    with pytest.raises(ValidationError, match="http"):
        VllmInferenceConfig(url="localhost:8000")
    with pytest.raises(ValidationError):
        VllmInferenceConfig(url="http://h/v1", api_key="typo")
