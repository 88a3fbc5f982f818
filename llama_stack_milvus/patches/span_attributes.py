"""Upstream bug (llama-stack 0.2.20, providers/utils/telemetry/trace_protocol.py, serialize_value):
every traced API call writes all its arguments and its result into span attributes: the 256 x 384
floats of an insert, every embedding an embedding model returns, every chunk a query finds.
Serialising them took most of an insert with embeddings.

Fix: the original serialises a bounded summary of the value (span_summary.py) instead.

Upstream since: a speed and span-size change, not a bug fix.
"""

import functools

from ._guard import once


@once
def apply() -> None:
    from llama_stack.providers.utils.telemetry import trace_protocol

    from ..core.span_summary import summarize

    original = trace_protocol.serialize_value

    @functools.wraps(original)
    def serialize_value(value):
        return original(summarize(value))

    trace_protocol.serialize_value = serialize_value
