"""An in-process stand-in for `openai.AsyncOpenAI` over a LlamaCppEngine.

The remote::vllm layer turns Llama Stack requests into OpenAI calls and OpenAI replies back into
Llama Stack responses; with this object in place of the HTTP client the same layer serves the
local model. Replies are the openai package's own types.
"""

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from openai.types import Completion, Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import BaseModel

from .engine import LlamaCppEngine

_DONE = object()


class LocalOpenAI:
    def __init__(self, engine: LlamaCppEngine) -> None:
        self.engine = engine
        self.chat = _Chat(self)
        self.completions = _Completions(self)
        self.models = _Models(self)
        # The model answers one request at a time: requests wait in this executor's queue, not in
        # the server's shared thread pool, which embeddings and Milvus calls need meanwhile.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama-cpp")

    async def run(self, work: Callable[[threading.Event], Iterator[dict[str, Any]]], stream: bool, parse):
        """Drive `work` in the model's thread: its one item, or its items as an async stream."""
        cancelled = threading.Event()
        if not stream:
            loop = asyncio.get_running_loop()
            items = await loop.run_in_executor(self._executor, lambda: list(work(cancelled)))
            return parse(self._named(items[0]))
        return await _stream(work, cancelled, lambda item: parse(self._named(item)), self._executor)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _named(self, item: dict[str, Any]) -> dict[str, Any]:
        item["model"] = self.engine.model_name
        return item


class _Chat:
    def __init__(self, client: LocalOpenAI) -> None:
        self.completions = _ChatCompletions(client)


class _ChatCompletions:
    def __init__(self, client: LocalOpenAI) -> None:
        self._client = client

    async def create(self, **params: Any):
        params = plain(params)
        stream = bool(params.get("stream"))
        parse = ChatCompletionChunk.model_validate if stream else ChatCompletion.model_validate
        return await self._client.run(lambda cancelled: self._client.engine.chat(params, cancelled), stream, parse)


class _Completions:
    def __init__(self, client: LocalOpenAI) -> None:
        self._client = client

    async def create(self, **params: Any):
        params = plain(params)
        stream = bool(params.get("stream"))
        # A streamed text chunk has no finish_reason yet, which Completion's validation refuses.
        parse = (lambda item: Completion.construct(**item)) if stream else Completion.model_validate
        return await self._client.run(lambda cancelled: self._client.engine.complete(params, cancelled), stream, parse)


class _Models:
    def __init__(self, client: LocalOpenAI) -> None:
        self._client = client

    async def list(self) -> list[Model]:
        return [Model(id=self._client.engine.model_name, created=0, object="model", owned_by="llama-stack-milvus")]


def plain(value: Any) -> Any:
    """Request parameters as plain JSON data (the OpenAI conversions may hand over typed objects)."""
    if isinstance(value, BaseModel):
        return plain(value.model_dump(exclude_none=True))
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


async def _stream(work, cancelled: threading.Event, parse, executor: ThreadPoolExecutor) -> AsyncIterator[Any]:
    """Start `work` in a thread; the first item (or error) arrives before this returns, so a bad
    request fails the HTTP call instead of an already-started stream."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()

    def produce() -> None:
        try:
            for item in work(cancelled):
                loop.call_soon_threadsafe(queue.put_nowait, item)
                if cancelled.is_set():
                    break
        except BaseException as exc:  # handed to the consumer, which raises it
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        loop.call_soon_threadsafe(queue.put_nowait, _DONE)

    worker = loop.run_in_executor(executor, produce)
    first = await queue.get()
    if isinstance(first, BaseException):
        await worker
        raise first

    async def items() -> AsyncIterator[Any]:
        item = first
        try:
            while item is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                yield parse(item)
                item = await queue.get()
        finally:
            cancelled.set()  # a client that went away stops the generation
            await worker

    return items()
