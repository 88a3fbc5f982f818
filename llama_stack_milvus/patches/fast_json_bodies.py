"""Upstream bug (llama-stack 0.2.20, core/server/server.py with FastAPI's request handler): every
request body is decoded by Starlette's `Request.json` with the standard library's `json.loads`. A
`vector_io.insert` of 256 chunks with 384-d embeddings is about 2.5 MB of JSON, and decoding it took
about 60% of the request thread (docs/benchmarks.md).

Fix: the body is decoded with orjson (several times faster; the same Python objects for standard
JSON) and kept where Starlette keeps it, so the original returns it. A body orjson refuses (NaN or
Infinity, integers beyond 64 bits, malformed JSON) is left to the original: what the stdlib accepts
still parses, and malformed JSON still gets FastAPI's 4xx with its position.

Upstream since: a speed change, not a bug fix.
"""

import functools

from ._guard import once


@once
def apply() -> None:
    import orjson
    from starlette.requests import Request

    original = Request.json

    @functools.wraps(original)
    async def json(self):
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = orjson.loads(body)
            except orjson.JSONDecodeError:
                pass
        return await original(self)

    Request.json = json
