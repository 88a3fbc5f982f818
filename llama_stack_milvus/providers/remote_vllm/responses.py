"""vLLM (OpenAI API) replies as Llama Stack inference responses."""

import json
from collections.abc import AsyncIterator

from llama_stack.apis.inference import (
    ChatCompletionResponse,
    ChatCompletionResponseStreamChunk,
    CompletionMessage,
    CompletionResponse,
    CompletionResponseStreamChunk,
    TokenLogProbs,
)
from llama_stack.models.llama.datatypes import StopReason, ToolCall
from llama_stack.providers.utils.inference.openai_compat import convert_openai_chat_completion_stream

STOP_REASONS = {
    "stop": StopReason.end_of_turn,
    "length": StopReason.out_of_tokens,
    "tool_calls": StopReason.end_of_message,
}


def stop_reason(finish_reason: str | None) -> StopReason:
    return STOP_REASONS.get(finish_reason or "stop", StopReason.end_of_turn)


def tool_calls(calls) -> list[ToolCall]:
    result = []
    for call in calls or []:
        try:
            arguments = json.loads(call.function.arguments or "{}")
        except json.JSONDecodeError:
            arguments = call.function.arguments  # kept as text: the caller sees what the model wrote
        result.append(
            ToolCall(
                call_id=call.id,
                tool_name=call.function.name,
                arguments=arguments,
                arguments_json=call.function.arguments,
            )
        )
    return result


def chat_logprobs(logprobs) -> list[TokenLogProbs] | None:
    if logprobs is None or not logprobs.content:
        return None
    return [
        TokenLogProbs(logprobs_by_token={t.token: t.logprob for t in [token, *token.top_logprobs]})
        for token in logprobs.content
    ]


def chat_response(reply) -> ChatCompletionResponse:
    if not reply.choices:
        raise ValueError("vLLM answered with no choices")
    choice = reply.choices[0]
    return ChatCompletionResponse(
        completion_message=CompletionMessage(
            content=choice.message.content or "",
            stop_reason=stop_reason(choice.finish_reason),
            tool_calls=tool_calls(choice.message.tool_calls),
        ),
        logprobs=chat_logprobs(choice.logprobs),
    )


async def chat_stream(stream) -> AsyncIterator[ChatCompletionResponseStreamChunk]:
    async def with_choices():
        async for chunk in stream:
            if chunk.choices:  # a usage-only chunk has none
                yield chunk

    async for event in convert_openai_chat_completion_stream(with_choices(), enable_incremental_tool_calls=True):
        yield event


def completion_logprobs(logprobs) -> list[TokenLogProbs] | None:
    if logprobs is None or not logprobs.top_logprobs:
        return None
    return [TokenLogProbs(logprobs_by_token=dict(top or {})) for top in logprobs.top_logprobs]


def completion_response(reply) -> CompletionResponse:
    if not reply.choices:
        raise ValueError("vLLM answered with no choices")
    choice = reply.choices[0]
    return CompletionResponse(
        content=choice.text,
        stop_reason=stop_reason(choice.finish_reason),
        logprobs=completion_logprobs(choice.logprobs),
    )


async def completion_stream(stream) -> AsyncIterator[CompletionResponseStreamChunk]:
    async for chunk in stream:
        if not chunk.choices:
            continue
        choice = chunk.choices[0]
        yield CompletionResponseStreamChunk(
            delta=choice.text,
            stop_reason=stop_reason(choice.finish_reason) if choice.finish_reason else None,
            logprobs=completion_logprobs(choice.logprobs),
        )
