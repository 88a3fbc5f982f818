"""Blocking Milvus calls run in a thread, their failures turned into errors a client can act on:
503 naming Milvus while it does not answer, 502 with Milvus' reason when it refuses a request."""

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from pymilvus import MilvusException

from ..errors import ServiceUnavailableError, UpstreamError

T = TypeVar("T")

# What pymilvus says when the server is down, restarting or too slow (after its own retries).
_UNREACHABLE = ("timeout", "deadline", "unavailable", "failed to connect", "fail connecting", "connection refused",
                "connection reset", "socket closed", "not ready", "stopping")  # fmt: skip


async def call_milvus(where: str, fn: Callable[..., T], *args: Any) -> T:
    try:
        return await asyncio.to_thread(fn, *args)
    except (MilvusException, grpc.RpcError, grpc.FutureTimeoutError, ConnectionError, TimeoutError) as exc:
        raise milvus_error(where, exc) from None


def milvus_error(where: str, exc: Exception) -> UpstreamError:
    reason = _reason(exc)
    if any(marker in reason.lower() for marker in _UNREACHABLE) or isinstance(exc, (ConnectionError, TimeoutError)):
        return ServiceUnavailableError(
            f"{where} is not answering ({reason}); nothing more of this request was done: retry it when Milvus is back"
        )
    return UpstreamError(f"{where} refused the request: {reason}")


def _reason(exc: Exception) -> str:
    if isinstance(exc, MilvusException):
        text = str(exc.message or "")
    elif isinstance(exc, grpc.RpcError) and callable(getattr(exc, "details", None)):
        text = f"{exc.code()}: {exc.details()}"
    else:
        text = str(exc) or type(exc).__name__
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first if len(first) <= 300 else first[:300] + "..."
