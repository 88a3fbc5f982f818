"""Llama Stack's inference API over an OpenAI-compatible client: the request and response
conversions remote::vllm (a `vllm serve`) and inline::llama-cpp (an in-process stand-in for the
OpenAI client) share. A subclass says where requests go (`_openai`, `_call`) and what it serves."""

from collections.abc import AsyncIterator
from typing import Any

from llama_stack.apis.common.content_types import InterleavedContent, InterleavedContentItem
from llama_stack.apis.inference import (
    ChatCompletionResponse,
    ChatCompletionResponseStreamChunk,
    CompletionResponse,
    CompletionResponseStreamChunk,
    EmbeddingsResponse,
    EmbeddingTaskType,
    Inference,
    LogProbConfig,
    Message,
    OpenAIChatCompletion,
    OpenAICompletion,
    OpenAIEmbeddingsResponse,
    OpenAIMessageParam,
    OpenAIResponseFormatParam,
    ResponseFormat,
    SamplingParams,
    TextTruncation,
    ToolChoice,
    ToolConfig,
    ToolDefinition,
    ToolPromptFormat,
)
from llama_stack.apis.models import Model, ModelType
from llama_stack.providers.datatypes import ModelsProtocolPrivate
from llama_stack.providers.utils.inference.openai_compat import prepare_openai_completion_params
from llama_stack.providers.utils.inference.prompt_adapter import content_has_media, interleaved_content_as_str

from . import requests, responses


class OpenAICompatibleInference(Inference, ModelsProtocolPrivate):
    __provider_id__: str
    PROVIDER_TYPE = "an OpenAI-compatible provider"  # for messages

    def _openai(self):
        """The OpenAI client (or its stand-in) requests go to."""
        raise NotImplementedError

    async def _call(self, request, what: str):
        """Await one request to it, its failures mapped to our errors."""
        raise NotImplementedError

    async def unregister_model(self, model_id: str) -> None:
        return None

    async def _embedding_model(self, model_id: str) -> Model:
        model = await self.model_store.get_model(model_id)
        if model.model_type != ModelType.embedding:
            raise ValueError(f"model {model_id!r} is not an embedding model")
        return model

    async def _provider_model_id(self, model_id: str) -> str:
        model = await self.model_store.get_model(model_id)
        return model.provider_resource_id or model.identifier

    async def chat_completion(
        self,
        model_id: str,
        messages: list[Message],
        sampling_params: SamplingParams | None = None,
        tools: list[ToolDefinition] | None = None,
        tool_choice: ToolChoice | None = ToolChoice.auto,
        tool_prompt_format: ToolPromptFormat | None = None,
        response_format: ResponseFormat | None = None,
        stream: bool | None = False,
        logprobs: LogProbConfig | None = None,
        tool_config: ToolConfig | None = None,
    ) -> ChatCompletionResponse | AsyncIterator[ChatCompletionResponseStreamChunk]:
        if tool_config is None:
            tool_config = ToolConfig(tool_choice=tool_choice or ToolChoice.auto)
        params = await requests.chat_params(
            model=await self._provider_model_id(model_id),
            messages=messages,
            sampling_params=sampling_params,
            tools=tools,
            tool_config=tool_config,
            response_format=response_format,
            logprobs=logprobs,
            stream=bool(stream),
            default_max_tokens=self.config.max_tokens,
        )
        # Awaited here, not inside the stream, so an unreachable vLLM is the request's error status.
        reply = await self._call(self._openai().chat.completions.create(**params), "a chat completion")
        return responses.chat_stream(reply) if stream else responses.chat_response(reply)

    async def completion(
        self,
        model_id: str,
        content: InterleavedContent,
        sampling_params: SamplingParams | None = None,
        response_format: ResponseFormat | None = None,
        stream: bool | None = False,
        logprobs: LogProbConfig | None = None,
    ) -> CompletionResponse | AsyncIterator[CompletionResponseStreamChunk]:
        if content_has_media(content):
            raise ValueError(f"{self.PROVIDER_TYPE} completions take text only; send images through chat_completion")
        params: dict[str, Any] = {
            "model": await self._provider_model_id(model_id),
            "prompt": interleaved_content_as_str(content),
            "stream": bool(stream),
            **requests.sampling_options(sampling_params, self.config.max_tokens),
            **requests.logprobs_options(logprobs, chat=False),
        }
        if (fmt := requests.response_format_option(response_format)) is not None:
            params.setdefault("extra_body", {})["response_format"] = fmt
        reply = await self._call(self._openai().completions.create(**params), "a completion")
        return responses.completion_stream(reply) if stream else responses.completion_response(reply)

    async def openai_completion(
        self,
        model: str,
        prompt: str | list[str] | list[int] | list[list[int]],
        best_of: int | None = None,
        echo: bool | None = None,
        frequency_penalty: float | None = None,
        logit_bias: dict[str, float] | None = None,
        logprobs: bool | None = None,
        max_tokens: int | None = None,
        n: int | None = None,
        presence_penalty: float | None = None,
        seed: int | None = None,
        stop: str | list[str] | None = None,
        stream: bool | None = None,
        stream_options: dict[str, Any] | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        user: str | None = None,
        guided_choice: list[str] | None = None,
        prompt_logprobs: int | None = None,
        suffix: str | None = None,
    ) -> OpenAICompletion:
        extra_body: dict[str, Any] = {}
        if prompt_logprobs is not None and prompt_logprobs >= 0:
            extra_body["prompt_logprobs"] = prompt_logprobs
        if guided_choice:
            extra_body["structured_outputs"] = {"choice": guided_choice}
        params = await prepare_openai_completion_params(
            model=await self._provider_model_id(model),
            prompt=prompt,
            best_of=best_of,
            echo=echo,
            frequency_penalty=frequency_penalty,
            logit_bias=logit_bias,
            logprobs=logprobs,
            max_tokens=max_tokens or self.config.max_tokens,
            n=n,
            presence_penalty=presence_penalty,
            seed=seed,
            stop=stop,
            stream=stream,
            stream_options=stream_options,
            temperature=temperature,
            top_p=top_p,
            user=user,
            suffix=suffix,
            extra_body=extra_body or None,
        )
        return await self._call(self._openai().completions.create(**params), "a completion")

    async def openai_chat_completion(
        self,
        model: str,
        messages: list[OpenAIMessageParam],
        frequency_penalty: float | None = None,
        function_call: str | dict[str, Any] | None = None,
        functions: list[dict[str, Any]] | None = None,
        logit_bias: dict[str, float] | None = None,
        logprobs: bool | None = None,
        max_completion_tokens: int | None = None,
        max_tokens: int | None = None,
        n: int | None = None,
        parallel_tool_calls: bool | None = None,
        presence_penalty: float | None = None,
        response_format: OpenAIResponseFormatParam | None = None,
        seed: int | None = None,
        stop: str | list[str] | None = None,
        stream: bool | None = None,
        stream_options: dict[str, Any] | None = None,
        temperature: float | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        tools: list[dict[str, Any]] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        user: str | None = None,
    ) -> OpenAIChatCompletion | AsyncIterator[Any]:
        if max_tokens is None and max_completion_tokens is None:
            max_tokens = self.config.max_tokens
        params = await prepare_openai_completion_params(
            model=await self._provider_model_id(model),
            messages=messages,
            frequency_penalty=frequency_penalty,
            function_call=function_call,
            functions=functions,
            logit_bias=logit_bias,
            logprobs=logprobs,
            max_completion_tokens=max_completion_tokens,
            max_tokens=max_tokens,
            n=n,
            parallel_tool_calls=parallel_tool_calls,
            presence_penalty=presence_penalty,
            response_format=response_format,
            seed=seed,
            stop=stop,
            stream=stream,
            stream_options=stream_options,
            temperature=temperature,
            tool_choice=tool_choice,
            tools=tools,
            top_logprobs=top_logprobs,
            top_p=top_p,
            user=user,
        )
        return await self._call(self._openai().chat.completions.create(**params), "a chat completion")

    # A provider that serves LLMs only (inline::llama-cpp) refuses embeddings; remote::vllm overrides these.
    async def embeddings(
        self,
        model_id: str,
        contents: list[str] | list[InterleavedContentItem],
        text_truncation: TextTruncation | None = TextTruncation.none,
        output_dimension: int | None = None,
        task_type: EmbeddingTaskType | None = None,
    ) -> EmbeddingsResponse:
        raise ValueError(f"model {model_id!r} is not an embedding model: {self.PROVIDER_TYPE} serves an LLM")

    async def openai_embeddings(
        self,
        model: str,
        input: str | list[str],
        encoding_format: str | None = "float",
        dimensions: int | None = None,
        user: str | None = None,
    ) -> OpenAIEmbeddingsResponse:
        raise ValueError(f"model {model!r} is not an embedding model: {self.PROVIDER_TYPE} serves an LLM")
