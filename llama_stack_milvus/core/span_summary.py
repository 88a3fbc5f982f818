"""Bounded summaries of API arguments and results for telemetry spans (patches/span_attributes.py)."""

from typing import Any

from pydantic import BaseModel

MAX_ITEMS = 5  # of a list, then "... N more"
MAX_TEXT = 200  # characters of a string
MAX_DEPTH = 6


def _brief(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + f"... ({len(value)} characters)"
    if hasattr(value, "_name_"):  # enums
        return value._name_
    if depth >= MAX_DEPTH:
        return f"<{type(value).__name__}>"
    if isinstance(value, BaseModel):
        value = {name: getattr(value, name, None) for name in type(value).model_fields}
    if isinstance(value, dict):
        return {str(k): _brief(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        items = list(value)
        if items and all(isinstance(x, float) for x in items[:MAX_ITEMS]) and len(items) > MAX_ITEMS:
            return f"<{len(items)} numbers>"
        head = [_brief(x, depth + 1) for x in items[:MAX_ITEMS]]
        return head + ([f"... {len(items) - MAX_ITEMS} more"] if len(items) > MAX_ITEMS else [])
    return str(value)[:MAX_TEXT]


def summarize(value: Any) -> str:
    """A span attribute for `value`: its shape and beginnings, at a cost that does not grow with it."""
    return str(_brief(value, 0))
