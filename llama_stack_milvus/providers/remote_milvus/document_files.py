"""A vector DB's documents seen as the files of a vector store (0.2.20 has no API that lists or
deletes the documents of a vector DB; upstream answers these calls for vector_dbs with a 404).

A document's file id: core/file_ids.py.
"""

from llama_stack.apis.common.errors import ResourceNotFoundError
from llama_stack.apis.vector_io import (
    VectorStoreChunkingStrategyAuto,
    VectorStoreFileObject,
    VectorStoreListFilesResponse,
)

from ...core.documents import CONTENT_HASH_KEY, DOCUMENT_CHUNKS_KEY
from ...core.file_ids import document_id_of, file_id
from ...core.milvus.collection import StoredDocument

MAX_FILES_PER_PAGE = 10_000


class DocumentNotFoundError(ResourceNotFoundError):
    def __init__(self, file_id: str, vector_db_id: str) -> None:
        super().__init__(file_id, "Document", f"client.vector_stores.files.list({vector_db_id!r})")


def document_id(file_id_: str, vector_db_id: str) -> str:
    found = document_id_of(file_id_)
    if found is None:
        raise DocumentNotFoundError(file_id_, vector_db_id)
    return found


def file_object(document: StoredDocument, vector_db_id: str) -> VectorStoreFileObject:
    """What the page and a client read: the document's id, source, chunk count (stored and expected)."""
    metadata = document.metadata
    attributes = {
        "document_id": document.document_id,
        "source": metadata.get("source") or document.document_id,
        "chunks": document.chunks,
    }
    if len(document.content_hashes) == 1 and "" not in document.content_hashes:  # every chunk of one version
        attributes[CONTENT_HASH_KEY] = next(iter(document.content_hashes))
    expected = metadata.get(DOCUMENT_CHUNKS_KEY)
    complete = not isinstance(expected, int | float) or int(expected) == document.chunks
    return VectorStoreFileObject(
        id=file_id(document.document_id),
        attributes=attributes,
        chunking_strategy=VectorStoreChunkingStrategyAuto(),
        created_at=0,
        status="completed" if complete else "in_progress",
        vector_store_id=vector_db_id,
    )


def page(
    files: list[VectorStoreFileObject], limit: int | None, order: str | None, after: str | None, before: str | None
) -> VectorStoreListFilesResponse:
    """OpenAI's list semantics over files sorted by document id: order, then the after/before cursors."""
    ordered = sorted(files, key=lambda f: f.attributes["document_id"], reverse=(order or "desc") == "desc")
    if after:
        ids = [f.id for f in ordered]
        ordered = ordered[ids.index(after) + 1 :] if after in ids else []
    if before:
        ids = [f.id for f in ordered]
        ordered = ordered[: ids.index(before)] if before in ids else ordered
    limit = min(max(limit or 20, 1), MAX_FILES_PER_PAGE)
    data = ordered[:limit]
    return VectorStoreListFilesResponse(
        data=data,
        first_id=data[0].id if data else None,
        last_id=data[-1].id if data else None,
        has_more=len(ordered) > limit,
    )
