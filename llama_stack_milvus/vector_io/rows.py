"""Chunks to Milvus rows and back, with the checks that keep bad input out of storage."""

import json
from collections.abc import Sequence
from typing import Any

from llama_stack.apis.vector_io import Chunk, ChunkMetadata
from llama_stack.providers.utils.inference.prompt_adapter import interleaved_content_as_str

from ..core.milvus import collection as fields
from ..core.milvus.settings import ID_MAX_BYTES, MAX_VARCHAR_BYTES


def chunk_text(chunk: Chunk) -> str:
    return chunk.content if isinstance(chunk.content, str) else interleaved_content_as_str(chunk.content)


def check_embedding(embedding: Sequence[float], dimension: int, chunk_label: str) -> list[float]:
    if len(embedding) != dimension:
        raise ValueError(
            f"{chunk_label}: embedding dimension mismatch: the vector DB expects {dimension}, got {len(embedding)}"
        )
    return [float(x) for x in embedding]


def chunk_to_row(chunk: Chunk, chunk_id: str, embedding: list[float]) -> dict[str, Any]:
    """A row for `chunk`; every stored chunk gets a chunk_metadata naming its document."""
    _check_bytes("chunk_id", chunk_id, ID_MAX_BYTES, chunk_id)
    text = chunk_text(chunk)
    _check_bytes("content", text, MAX_VARCHAR_BYTES, chunk_id)

    meta = chunk.chunk_metadata.model_copy() if chunk.chunk_metadata else ChunkMetadata()
    # A chunk inserted without a document is a document of its own.
    document_id = str(meta.document_id or chunk.metadata.get("document_id") or chunk_id)
    _check_bytes("document_id", document_id, ID_MAX_BYTES, chunk_id)
    meta.chunk_id = chunk_id
    meta.document_id = document_id

    metadata = dict(chunk.metadata)
    # rag_tool.query reads metadata["document_id"] of every hit.
    metadata.setdefault("document_id", document_id)
    _check_json("metadata", metadata, chunk_id)

    extra: dict[str, Any] = {"chunk_metadata": meta.model_dump(exclude_none=True)}
    if not isinstance(chunk.content, str):
        extra["content"] = chunk.model_dump(mode="json", include={"content"})["content"]

    return {
        fields.ID: chunk_id,
        fields.DOCUMENT_ID: document_id,
        fields.TEXT: text,
        fields.VECTOR: embedding,
        fields.METADATA: metadata,
        fields.EXTRA: extra,
    }


def row_to_chunk(chunk_id: str, row: dict[str, Any]) -> Chunk:
    extra = row.get(fields.EXTRA) or {}
    metadata = dict(row.get(fields.METADATA) or {})
    meta = ChunkMetadata(**extra.get("chunk_metadata", {}))
    meta.chunk_id = meta.chunk_id or chunk_id
    meta.document_id = meta.document_id or row.get(fields.DOCUMENT_ID) or metadata.get("document_id") or chunk_id
    metadata.setdefault("document_id", meta.document_id)
    return Chunk(
        content=extra.get("content", row.get(fields.TEXT, "")),
        metadata=metadata,
        chunk_id=chunk_id,
        chunk_metadata=meta,
    )


def _check_bytes(what: str, value: str, limit: int, chunk_id: str) -> None:
    size = len(value.encode("utf-8"))
    if size > limit:
        raise ValueError(
            f"chunk {chunk_id[:80]!r}: {what} is {size} bytes; Milvus stores at most {limit} bytes in this field. "
            + ("Split the text into smaller chunks." if what == "content" else "Use a shorter id.")
        )


def _check_json(what: str, value: Any, chunk_id: str) -> None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"chunk {chunk_id[:80]!r}: {what} is not JSON-serialisable: {exc}") from exc
