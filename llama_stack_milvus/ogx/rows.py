"""OGX's EmbeddedChunk to the core's stored row and back (core/milvus/rows.py)."""

from typing import Any

from ogx.providers.utils.inference.prompt_adapter import interleaved_content_as_str
from ogx_api import EmbeddedChunk

from ..core.milvus import collection as fields
from ..core.milvus.rows import make_row

# What of an EmbeddedChunk is not in the row's own fields (text, vector, metadata) comes back from EXTRA.
OWN_FIELDS = {"content", "embedding", "metadata"}


def chunk_to_row(chunk: EmbeddedChunk) -> dict[str, Any]:
    try:
        document_id = chunk.document_id or chunk.chunk_id
    except TypeError as exc:  # metadata["document_id"] that is no string
        raise ValueError(f"chunk {chunk.chunk_id[:80]!r}: {exc}") from None
    extra = chunk.model_dump(mode="json", exclude=OWN_FIELDS)
    if not isinstance(chunk.content, str):
        extra["content"] = chunk.model_dump(mode="json", include={"content"})["content"]
    return make_row(
        chunk.chunk_id,
        document_id,
        interleaved_content_as_str(chunk.content),
        [float(x) for x in chunk.embedding],
        dict(chunk.metadata),
        extra,
    )


def row_to_chunk(chunk_id: str, row: dict[str, Any], dimension: int) -> EmbeddedChunk:
    extra = dict(row.get(fields.EXTRA) or {})
    vector = row.get(fields.VECTOR)
    return EmbeddedChunk.model_validate(
        {
            **extra,
            "chunk_id": chunk_id,
            "content": extra.get("content", row.get(fields.TEXT, "")),
            "metadata": dict(row.get(fields.METADATA) or {}),
            "chunk_metadata": extra.get("chunk_metadata") or {"chunk_id": chunk_id},
            "embedding": [float(x) for x in vector] if vector is not None else [],
            "embedding_model": extra.get("embedding_model") or "unknown",
            "embedding_dimension": extra.get("embedding_dimension") or dimension,
        }
    )
