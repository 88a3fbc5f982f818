"""Llama Stack inference requests as vLLM (OpenAI API) request parameters."""

from typing import Any

from llama_stack.apis.inference import (
    GrammarResponseFormat,
    GreedySamplingStrategy,
    JsonSchemaResponseFormat,
    LogProbConfig,
    Message,
    ResponseFormat,
    SamplingParams,
    ToolChoice,
    ToolConfig,
    ToolDefinition,
    TopKSamplingStrategy,
    TopPSamplingStrategy,
)
from llama_stack.providers.utils.inference.openai_compat import (
    convert_message_to_openai_dict_new,
    convert_tooldef_to_openai_tool,
)


def sampling_options(params: SamplingParams | None, default_max_tokens: int | None) -> dict[str, Any]:
    """OpenAI keyword arguments; vLLM's own ones (top_k, repetition_penalty) under extra_body."""
    params = params or SamplingParams()
    options: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    strategy = params.strategy
    if isinstance(strategy, GreedySamplingStrategy):
        options["temperature"] = 0.0
    elif isinstance(strategy, TopPSamplingStrategy):
        if strategy.temperature is not None:
            options["temperature"] = strategy.temperature
        if strategy.top_p is not None:
            options["top_p"] = strategy.top_p
    elif isinstance(strategy, TopKSamplingStrategy):
        extra["top_k"] = strategy.top_k
    max_tokens = params.max_tokens or default_max_tokens
    if max_tokens:
        options["max_tokens"] = max_tokens
    if params.repetition_penalty is not None and params.repetition_penalty != 1.0:
        extra["repetition_penalty"] = params.repetition_penalty
    if params.stop:
        options["stop"] = params.stop
    if extra:
        options["extra_body"] = extra
    return options


def tool_choice_option(tool_config: ToolConfig | None, tools: list[ToolDefinition]) -> Any:
    """auto, required, none, or a named tool: forwarded, so vLLM forces the call (the built-in drops it)."""
    if not tools or tool_config is None or tool_config.tool_choice is None:
        return None
    choice = tool_config.tool_choice
    if isinstance(choice, ToolChoice):
        return choice.value
    return {"type": "function", "function": {"name": choice}}


def response_format_option(response_format: ResponseFormat | None) -> dict[str, Any] | None:
    if response_format is None:
        return None
    if isinstance(response_format, JsonSchemaResponseFormat):
        return {"type": "json_schema", "json_schema": {"name": "response", "schema": response_format.json_schema}}
    if isinstance(response_format, GrammarResponseFormat):
        raise NotImplementedError("remote::vllm takes response_format json_schema; a BNF grammar is not supported")
    raise ValueError(f"unknown response_format type {response_format.type!r}")


def logprobs_options(logprobs: LogProbConfig | None, chat: bool) -> dict[str, Any]:
    if logprobs is None:
        return {}
    top_k = max(logprobs.top_k or 1, 1)
    return {"logprobs": True, "top_logprobs": top_k} if chat else {"logprobs": top_k}


async def chat_params(
    model: str,
    messages: list[Message],
    sampling_params: SamplingParams | None,
    tools: list[ToolDefinition] | None,
    tool_config: ToolConfig | None,
    response_format: ResponseFormat | None,
    logprobs: LogProbConfig | None,
    stream: bool,
    default_max_tokens: int | None,
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "model": model,
        "messages": [await convert_message_to_openai_dict_new(m, download_images=True) for m in messages],
        "stream": stream,
        **sampling_options(sampling_params, default_max_tokens),
        **logprobs_options(logprobs, chat=True),
    }
    if tools:  # an empty list breaks some vLLM versions
        params["tools"] = [convert_tooldef_to_openai_tool(t) for t in tools]
        choice = tool_choice_option(tool_config, tools)
        if choice is not None:
            params["tool_choice"] = choice
    if (fmt := response_format_option(response_format)) is not None:
        params["response_format"] = fmt
    return params
