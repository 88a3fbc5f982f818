"""Upstream bug (llama-stack 0.2.20, core/server/server.py, translate_exception): an exception the
server does not know becomes a bare 500 "An unexpected error occurred", so a client cannot tell
a Milvus or vLLM that is down (503), failing (502) or too slow (504) from a bug.

Fix: our UpstreamError (llama_stack_milvus/core/errors.py) keeps its status and message; anything else
goes to the original.

Upstream since: not an upstream bug: upstream cannot know our error types.
"""

import functools

from ._guard import once


@once
def apply() -> None:
    from fastapi import HTTPException
    from llama_stack.core.server import server

    from ..core.errors import UpstreamError

    original = server.translate_exception

    @functools.wraps(original)
    def translate_exception(exc: Exception):
        if isinstance(exc, UpstreamError):
            return HTTPException(status_code=exc.status_code, detail=str(exc))
        return original(exc)

    server.translate_exception = translate_exception
