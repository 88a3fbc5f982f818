"""OpenAI-style metadata filters turned into a Milvus boolean expression over the chunk metadata.

A filter is {"type": "eq"|"ne"|"gt"|"gte"|"lt"|"lte", "key": k, "value": v},
{"type": "in"|"nin", "key": k, "value": [v, ...]} or {"type": "and"|"or", "filters": [...]}.
Keys and values become escaped literals, so no value can change the expression's shape.
"""

from typing import Any

from . import collection as fields
from . import expressions

_COMPARISONS = {"eq": "==", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_MEMBERSHIP = {"in": "in", "nin": "not in"}
_MAX_DEPTH = 16


def filter_expression(spec: Any) -> str:
    """The Milvus expression for a filter, or "" for none."""
    if spec is None or spec == {}:
        return ""
    return _expression(spec, depth=0)


def _expression(spec: Any, depth: int) -> str:
    if depth > _MAX_DEPTH:
        raise ValueError(f"filters nest deeper than {_MAX_DEPTH} levels")
    if hasattr(spec, "model_dump"):
        spec = spec.model_dump()
    if not isinstance(spec, dict):
        raise ValueError(f"a filter must be an object; got {spec!r}")
    kind = spec.get("type")
    if kind in ("and", "or"):
        parts = spec.get("filters")
        if not isinstance(parts, list) or not parts:
            raise ValueError(f"an {kind!r} filter needs a non-empty list of filters")
        return "(" + f" {kind} ".join(_expression(part, depth + 1) for part in parts) + ")"

    key = spec.get("key")
    if not isinstance(key, str) or not key:
        raise ValueError(f"filter {kind!r} needs a non-empty string key; got {key!r}")
    field = expressions.json_path(fields.METADATA, key)
    value = spec.get("value")
    if kind in _COMPARISONS:
        if kind in ("gt", "gte", "lt", "lte") and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"filter {kind!r} on {key!r} needs a number; got {value!r}")
        return f"{field} {_COMPARISONS[kind]} {expressions.literal(value)}"
    if kind in _MEMBERSHIP:
        if not isinstance(value, list) or not value:
            raise ValueError(f"filter {kind!r} on {key!r} needs a non-empty list of values; got {value!r}")
        return f"{field} {_MEMBERSHIP[kind]} [{', '.join(expressions.literal(v) for v in value)}]"
    raise ValueError(
        f"filter type must be one of {', '.join([*_COMPARISONS, *_MEMBERSHIP, 'and', 'or'])}; got {kind!r}"
    )
