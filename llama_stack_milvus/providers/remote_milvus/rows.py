"""Chunks to Milvus rows and back, with the checks that keep bad input out of storage."""

from typing import Any

from llama_stack.apis.vector_io import Chunk, ChunkMetadata
from llama_stack.providers.utils.inference.prompt_adapter import interleaved_content_as_str

from ...core.milvus import collection as fields
from ...core.milvus.rows import make_row


def chunk_text(chunk: Chunk) -> str:
    return chunk.content if isinstance(chunk.content, str) else interleaved_content_as_str(chunk.content)


def chunk_to_row(chunk: Chunk, chunk_id: str, embedding: list[float]) -> dict[str, Any]:
    """A row for `chunk`; every stored chunk gets a chunk_metadata naming its document."""
    meta = chunk.chunk_metadata.model_copy() if chunk.chunk_metadata else ChunkMetadata()
    # A chunk inserted without a document is a document of its own.
    document_id = str(meta.document_id or chunk.metadata.get("document_id") or chunk_id)
    meta.chunk_id = chunk_id
    meta.document_id = document_id
    metadata = dict(chunk.metadata)
    # rag_tool.query reads metadata["document_id"] of every hit.
    metadata.setdefault("document_id", document_id)
    extra: dict[str, Any] = {"chunk_metadata": meta.model_dump(exclude_none=True)}
    if not isinstance(chunk.content, str):
        extra["content"] = chunk.model_dump(mode="json", include={"content"})["content"]
    return make_row(chunk_id, document_id, chunk_text(chunk), embedding, metadata, extra)


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
