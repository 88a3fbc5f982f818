"""Upstream bug (llama-stack 0.2.20, core/server/server.py, log_request_pre_validation): every POST
body is parsed and pretty-printed with rich for a DEBUG line that the default log level drops:
about 85% of the time of a vector_io.insert with embeddings (256 x 384 floats).

Fix: the original runs only when DEBUG is on.

Upstream since: a speed change; the function is gone in llama-stack 0.7.0.
"""

import functools
import logging

from ._guard import once


@once
def apply() -> None:
    from llama_stack.core.server import server

    original = server.log_request_pre_validation

    @functools.wraps(original)
    async def log_request_pre_validation(request):
        if server.logger.isEnabledFor(logging.DEBUG):
            await original(request)

    server.log_request_pre_validation = log_request_pre_validation
