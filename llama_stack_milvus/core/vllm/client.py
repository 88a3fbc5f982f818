"""A vLLM server over HTTP: one shared OpenAI client, errors that name vLLM, model discovery.

Core: no Llama Stack. The remote::vllm adapter (providers/remote_vllm/adapter.py) builds one from its config.
"""

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

import httpx
import openai
from openai import AsyncOpenAI

from ..errors import ServiceUnavailableError, UpstreamError, UpstreamTimeoutError

T = TypeVar("T")
# vLLM wants a bearer token only when started with --api-key; the OpenAI client wants one always.
NO_TOKEN = "no-token"
PROBE_TEXT = "embedding dimension probe"


@dataclass(frozen=True)
class VllmConnection:
    """Where vLLM is and how to talk to it."""

    url: str
    api_token: str | None = None
    tls_verify: bool | str = True
    connect_timeout: float = 5.0
    request_timeout: float = 600.0
    max_retries: int = 2


@dataclass(frozen=True)
class ServedModel:
    id: str
    max_model_len: int | None
    embedding_dimension: int | None  # None: a generative model


class VllmClient:
    def __init__(self, config: VllmConnection) -> None:
        self.url = config.url
        self._default_token = config.api_token
        self._http = httpx.AsyncClient(
            verify=config.tls_verify,
            timeout=httpx.Timeout(config.request_timeout, connect=config.connect_timeout),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
        )
        self._openai = AsyncOpenAI(
            base_url=config.url,
            api_key=self._default_token or NO_TOKEN,
            http_client=self._http,
            max_retries=config.max_retries,
            timeout=httpx.Timeout(config.request_timeout, connect=config.connect_timeout),
        )
        self._embedding_dimensions: dict[str, int | None] = {}
        # /tokenize and /detokenize sit beside /v1, not under it.
        self._root = config.url.rstrip("/").removesuffix("/v1")

    def openai(self, token: str | None = None) -> AsyncOpenAI:
        """The shared client; with a request's own token, a view of it that sends that token."""
        if token and token != self._default_token:
            return self._openai.with_options(api_key=token)
        return self._openai

    async def close(self) -> None:
        await self._http.aclose()

    async def call(self, request: Awaitable[T], what: str) -> T:
        try:
            return await request
        except openai.APITimeoutError as exc:
            raise UpstreamTimeoutError(f"vLLM at {self.url} did not answer {what} in time: {exc}") from exc
        except openai.APIConnectionError as exc:
            raise ServiceUnavailableError(
                f"vLLM at {self.url} is unreachable ({_cause(exc)}); start it, or fix url in the remote::vllm config"
            ) from exc
        except openai.AuthenticationError as exc:
            raise PermissionError(
                f"vLLM at {self.url} refused the API token for {what}: set api_token (VLLM_API_TOKEN) "
                "or send vllm_api_token in X-LlamaStack-Provider-Data"
            ) from exc
        except openai.APIStatusError as exc:
            message = _message(exc)
            if exc.status_code < 500:
                raise ValueError(f"vLLM refused {what}: {message}") from exc
            raise UpstreamError(f"vLLM failed {what} ({exc.status_code}): {message}") from exc

    async def tokenize(self, model: str, text: str, token: str | None = None, special_tokens: bool = False):
        """vLLM's /tokenize: the text's token ids, and the model's max_model_len."""
        reply = await self.call(
            self.openai(token).post(
                f"{self._root}/tokenize",
                cast_to=object,
                body={"model": model, "prompt": text, "add_special_tokens": special_tokens},
            ),
            "tokenizing",
        )
        return reply["tokens"], reply.get("max_model_len")

    async def detokenize(self, model: str, tokens: list[int], token: str | None = None) -> str:
        reply = await self.call(
            self.openai(token).post(
                f"{self._root}/detokenize", cast_to=object, body={"model": model, "tokens": tokens}
            ),
            "detokenizing",
        )
        return reply["prompt"]

    async def served_models(self, token: str | None = None, retries: int | None = None) -> list[ServedModel]:
        client = self.openai(token)
        if retries is not None:
            client = client.with_options(max_retries=retries)
        page = await self.call(client.models.list(), "listing its models")
        models = []
        for entry in page.data:
            if entry.id not in self._embedding_dimensions:
                self._embedding_dimensions[entry.id] = await self._embedding_dimension(client, entry.id)
            max_len = (entry.model_extra or {}).get("max_model_len")
            models.append(ServedModel(entry.id, max_len, self._embedding_dimensions[entry.id]))
        return models

    async def _embedding_dimension(self, client: AsyncOpenAI, model: str) -> int | None:
        # /v1/models does not say what a model does: an embedding model is one that embeds.
        try:
            response = await client.with_options(max_retries=0).embeddings.create(
                model=model, input=[PROBE_TEXT], encoding_format="float"
            )
        except openai.APIStatusError:
            return None
        return len(response.data[0].embedding)


def _cause(exc: Exception) -> str:
    cause = exc.__cause__ or exc.__context__
    while cause is not None and (cause.__cause__ or cause.__context__) is not None:
        cause = cause.__cause__ or cause.__context__
    return f"{type(cause).__name__}: {cause}" if cause is not None else str(exc)


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if body.get("message"):
            return str(body["message"])
    return str(exc)
