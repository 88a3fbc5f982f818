"""Milvus boolean expressions built from values that can never change the expression's shape.

Milvus Lite does not accept `filter_params` templates, so values are written as literals: strings
are double-quoted with every backslash and quote escaped, numbers and booleans are validated.
"""

import json
import math
from collections.abc import Iterable
from typing import Any


def literal(value: Any) -> str:
    """A Milvus literal for a str, int, float or bool; anything else is refused."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"filter value {value!r} is not a finite number")
        return repr(value)
    if isinstance(value, str):
        # JSON string escaping is also valid Milvus string-literal escaping, and it escapes
        # quotes, backslashes and control characters alike.
        return json.dumps(value, ensure_ascii=False)
    raise ValueError(f"filter value {value!r} must be a string, number or boolean, not {type(value).__name__}")


def in_list(field: str, values: Iterable[Any], negate: bool = False) -> str:
    return f"{field} {'not in' if negate else 'in'} [{', '.join(literal(v) for v in values)}]"


def json_path(field: str, key: str) -> str:
    """`field["key"]` for a top-level key of a JSON field."""
    return f"{field}[{literal(key)}]"
