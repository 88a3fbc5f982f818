"""The stored row of a chunk, whichever framework sent it: its fields, and the checks that keep
bad input out of storage (each a ValueError naming the chunk and what to do)."""

import json
from collections.abc import Sequence
from typing import Any

from . import collection as fields
from .settings import ID_MAX_BYTES, MAX_VARCHAR_BYTES


def check_embedding(embedding: Sequence[float], dimension: int, chunk_label: str) -> list[float]:
    if len(embedding) != dimension:
        raise ValueError(
            f"{chunk_label}: embedding dimension mismatch: the vector DB expects {dimension}, got {len(embedding)}"
        )
    return [float(x) for x in embedding]


def make_row(
    chunk_id: str,
    document_id: str,
    text: str,
    embedding: list[float],
    metadata: dict[str, Any],
    extra: dict[str, Any],
) -> dict[str, Any]:
    """`metadata`: what filters see; `extra`: whatever else of the chunk must come back (JSON)."""
    check_bytes("chunk_id", chunk_id, ID_MAX_BYTES, chunk_id)
    check_bytes("content", text, MAX_VARCHAR_BYTES, chunk_id)
    check_bytes("document_id", document_id, ID_MAX_BYTES, chunk_id)
    check_json("metadata", metadata, chunk_id)
    check_json("chunk", extra, chunk_id)
    return {
        fields.ID: chunk_id,
        fields.DOCUMENT_ID: document_id,
        fields.TEXT: text,
        fields.VECTOR: embedding,
        fields.METADATA: metadata,
        fields.EXTRA: extra,
    }


def check_bytes(what: str, value: str, limit: int, chunk_id: str) -> None:
    size = len(value.encode("utf-8"))
    if size > limit:
        raise ValueError(
            f"chunk {chunk_id[:80]!r}: {what} is {size} bytes; Milvus stores at most {limit} bytes in this field. "
            + ("Split the text into smaller chunks." if what == "content" else "Use a shorter id.")
        )


def check_json(what: str, value: Any, chunk_id: str) -> None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"chunk {chunk_id[:80]!r}: {what} is not JSON-serialisable: {exc}") from exc
