"""remote::vllm: Llama Stack's inference API and its OpenAI-compatible endpoints on a `vllm serve`."""

import asyncio
from typing import Any

import numpy as np
from llama_stack.apis.common.content_types import InterleavedContentItem
from llama_stack.apis.inference import (
    EmbeddingsResponse,
    EmbeddingTaskType,
    OpenAIEmbeddingData,
    OpenAIEmbeddingsResponse,
    OpenAIEmbeddingUsage,
    TextTruncation,
)
from llama_stack.apis.models import Model, ModelType
from llama_stack.core.request_headers import NeedsRequestProviderData
from llama_stack.log import get_logger
from llama_stack.providers.datatypes import HealthResponse, HealthStatus
from llama_stack.providers.utils.inference.openai_compat import prepare_openai_completion_params
from llama_stack.providers.utils.inference.prompt_adapter import content_has_media, interleaved_content_as_str

from ...core.embedding_windows import combine, token_windows
from ...core.errors import UpstreamError
from ...core.vllm.client import ServedModel, VllmClient
from .config import VllmInferenceConfig
from .openai_compatible import OpenAICompatibleInference

logger = get_logger(name="llama_stack_milvus.vllm", category="inference")
# vLLM: keep as many tokens from the start as the model reads.
TRUNCATE_TO_MODEL = {"truncate_prompt_tokens": -1}


class VllmInferenceAdapter(OpenAICompatibleInference, NeedsRequestProviderData):
    PROVIDER_TYPE = "remote::vllm"

    __provider_id__: str

    def __init__(self, config: VllmInferenceConfig) -> None:
        self.config = config
        self._client: VllmClient | None = None
        self._window_limits: dict[str, int] = {}
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._startup_loop: asyncio.AbstractEventLoop | None = None

    # The stack is built in one event loop and served in another: an HTTP client is bound to the
    # loop it was made in, so the shared client is made (once) in the serving loop.
    def _shared_client(self) -> VllmClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            self._client, self._client_loop = VllmClient(self.config.connection()), loop
        return self._client

    def _token(self) -> str | None:
        data = self.get_request_provider_data()
        return data.vllm_api_token if data is not None and data.vllm_api_token else None

    def _openai(self):
        return self._shared_client().openai(self._token())

    async def _call(self, request, what: str):
        return await self._shared_client().call(request, what)

    async def initialize(self) -> None:
        self._startup_loop = asyncio.get_running_loop()
        if not self.config.require_at_startup:
            return
        try:
            models = await self._served_models()
        except (UpstreamError, PermissionError) as exc:
            raise RuntimeError(f"{exc} (require_at_startup is true: the stack does not start without vLLM)") from None
        logger.info(f"vLLM at {self.config.url} serves {', '.join(m.id for m in models) or 'no model'}")

    async def shutdown(self) -> None:
        if self._client is not None and self._client_loop is asyncio.get_running_loop():
            await self._client.close()
        self._client = None

    async def health(self) -> HealthResponse:
        # The stack gives a health check one second: one attempt, no retries.
        try:
            await self._served_models(retries=0)
        except Exception as exc:
            return HealthResponse(status=HealthStatus.ERROR, message=str(exc))
        return HealthResponse(status=HealthStatus.OK)

    async def _served_models(self, retries: int | None = None) -> list[ServedModel]:
        if asyncio.get_running_loop() is not self._startup_loop:
            return await self._shared_client().served_models(self._token(), retries)
        # Start-up runs in a loop of its own that ends before serving: a client just for it. One
        # try each, unless vLLM is required: a stack allowed to start without it should not wait.
        client = VllmClient(self.config.connection())
        if retries is None and not self.config.require_at_startup:
            retries = 0
        try:
            return await client.served_models(retries=retries)
        finally:
            await client.close()

    async def should_refresh_models(self) -> bool:
        return self.config.refresh_models

    async def list_models(self) -> list[Model] | None:
        return [self._as_model(served) for served in await self._served_models()]

    def _as_model(self, served: ServedModel) -> Model:
        if served.embedding_dimension is not None:
            model_type, metadata = ModelType.embedding, {"embedding_dimension": served.embedding_dimension}
        else:
            model_type, metadata = (
                ModelType.llm,
                ({"context_length": served.max_model_len} if served.max_model_len else {}),
            )
        return Model(
            identifier=served.id,
            provider_resource_id=served.id,
            provider_id=self.__provider_id__,
            metadata=metadata,
            model_type=model_type,
        )

    async def register_model(self, model: Model) -> Model:
        try:
            served = {m.id: m for m in await self._served_models()}
        except (UpstreamError, PermissionError) as exc:
            # Unreachable, or it wants a token that requests bring themselves as provider data.
            if self.config.require_at_startup:
                raise
            logger.warning(f"{exc}; model {model.identifier} is registered unchecked")
            return model
        found = served.get(model.provider_resource_id)
        if found is None:
            raise ValueError(
                f"vLLM at {self.config.url} does not serve model {model.provider_resource_id!r}; "
                f"it serves: {', '.join(served) or 'nothing'}"
            )
        if model.model_type == ModelType.embedding:
            if found.embedding_dimension is None:
                raise ValueError(f"model {found.id!r} on vLLM at {self.config.url} is not an embedding model")
            declared = model.metadata.get("embedding_dimension")
            if declared is not None and int(declared) != found.embedding_dimension:
                raise ValueError(
                    f"embedding model {found.id!r} makes {found.embedding_dimension}-dimensional vectors, "
                    f"not {declared} as registered"
                )
            model.metadata["embedding_dimension"] = found.embedding_dimension
        elif found.max_model_len:
            model.metadata.setdefault("context_length", found.max_model_len)
        return model

    async def embeddings(
        self,
        model_id: str,
        contents: list[str] | list[InterleavedContentItem],
        text_truncation: TextTruncation | None = TextTruncation.none,
        output_dimension: int | None = None,
        task_type: EmbeddingTaskType | None = None,
    ) -> EmbeddingsResponse:
        if text_truncation == TextTruncation.start:
            raise NotImplementedError("remote::vllm keeps the start of an over-long text; text_truncation=start")
        if any(content_has_media(c) for c in contents):
            raise ValueError("remote::vllm embeds text only")
        model = await self._embedding_model(model_id)
        kwargs: dict[str, Any] = {"dimensions": output_dimension} if output_dimension else {}
        texts = [interleaved_content_as_str(c) for c in contents]
        windows = None
        if text_truncation == TextTruncation.end or self.config.truncate_embedding_input:
            kwargs["extra_body"] = TRUNCATE_TO_MODEL
            if text_truncation != TextTruncation.end and self.config.long_texts == "windows":
                windows = await self._windows(model.provider_resource_id, texts)
        pieces = texts if windows is None else [piece for text_windows, _ in windows for piece in text_windows]
        reply = await self._call(
            self._openai().embeddings.create(
                model=model.provider_resource_id, input=pieces, encoding_format="float", **kwargs
            ),
            "embeddings",
        )
        vectors = [d.embedding for d in reply.data]
        if windows is not None and len(pieces) > len(texts):
            vectors = combine(np.asarray(vectors, dtype=np.float32), [lengths for _, lengths in windows]).tolist()
        return EmbeddingsResponse(embeddings=vectors)

    async def _windows(self, model: str, texts: list[str]) -> list[tuple[list[str], list[int]]]:
        """Each text's windows at the model's limit and their lengths in tokens, cut by vLLM's own
        tokenizer; a text that fits is one window, itself (and is not sent to /tokenize when it
        has fewer characters than the limit has tokens)."""
        client, token = self._shared_client(), self._token()
        limit = await self._window_limit(model)

        async def windows_of(text: str) -> tuple[list[str], list[int]]:
            if len(text) <= limit:
                return [text], [len(text)]
            ids, _ = await client.tokenize(model, text, token)
            spans = token_windows(len(ids), limit, min(self.config.window_overlap, limit - 1))
            if len(spans) == 1:
                return [text], [len(ids)]
            pieces = await asyncio.gather(*(client.detokenize(model, ids[a:b], token) for a, b in spans))
            return list(pieces), [b - a for a, b in spans]

        return list(await asyncio.gather(*(windows_of(t) for t in texts)))

    async def _window_limit(self, model: str) -> int:
        """Tokens of text the model reads: its max_model_len less the special tokens vLLM adds."""
        if model not in self._window_limits:
            client, token = self._shared_client(), self._token()
            bare, max_model_len = await client.tokenize(model, "a", token)
            marked, _ = await client.tokenize(model, "a", token, special_tokens=True)
            if not max_model_len:
                raise UpstreamError(f"vLLM did not say the max_model_len of {model!r} (/tokenize)")
            self._window_limits[model] = max_model_len - (len(marked) - len(bare))
        return self._window_limits[model]

    async def openai_embeddings(
        self,
        model: str,
        input: str | list[str],
        encoding_format: str | None = "float",
        dimensions: int | None = None,
        user: str | None = None,
    ) -> OpenAIEmbeddingsResponse:
        model_obj = await self._embedding_model(model)
        params = await prepare_openai_completion_params(
            model=model_obj.provider_resource_id,
            input=input,
            encoding_format=encoding_format,
            dimensions=dimensions,
            user=user,
            extra_body=TRUNCATE_TO_MODEL if self.config.truncate_embedding_input else None,
        )
        reply = await self._call(self._openai().embeddings.create(**params), "embeddings")
        usage = reply.usage
        return OpenAIEmbeddingsResponse(
            data=[OpenAIEmbeddingData(embedding=d.embedding, index=d.index) for d in reply.data],
            model=model_obj.identifier,
            usage=OpenAIEmbeddingUsage(
                prompt_tokens=usage.prompt_tokens if usage else 0,
                total_tokens=usage.total_tokens if usage else 0,
            ),
        )
