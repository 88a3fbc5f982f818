"""A vector DB's documents seen as the files of a vector store (0.2.20 has no API that lists or
deletes the documents of a vector DB; upstream answers these calls for vector_dbs with a 404).

A document's file id is `doc_` and its id in URL-safe base64: document ids are paths and URLs,
and a `/` cannot travel in the path of /v1/vector_stores/{id}/files/{file_id}.
"""

import base64
import binascii

from llama_stack.apis.common.errors import ResourceNotFoundError
from llama_stack.apis.vector_io import (
    VectorStoreChunkingStrategyAuto,
    VectorStoreFileObject,
    VectorStoreListFilesResponse,
)

from ..core.documents import DOCUMENT_CHUNKS_KEY
from ..core.milvus.collection import StoredDocument

FILE_ID_PREFIX = "doc_"
MAX_FILES_PER_PAGE = 10_000


class DocumentNotFoundError(ResourceNotFoundError):
    def __init__(self, file_id: str, vector_db_id: str) -> None:
        super().__init__(file_id, "Document", f"client.vector_stores.files.list({vector_db_id!r})")


def file_id(document_id: str) -> str:
    return FILE_ID_PREFIX + base64.urlsafe_b64encode(document_id.encode("utf-8")).decode("ascii").rstrip("=")


def document_id(file_id_: str, vector_db_id: str) -> str:
    encoded = file_id_.removeprefix(FILE_ID_PREFIX)
    try:
        if not file_id_.startswith(FILE_ID_PREFIX) or not encoded:
            raise ValueError
        padded = encoded + "=" * (-len(encoded) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise DocumentNotFoundError(file_id_, vector_db_id) from None


def file_object(document: StoredDocument, vector_db_id: str) -> VectorStoreFileObject:
    """What the page and a client read: the document's id, source, chunk count (stored and expected)."""
    metadata = document.metadata
    attributes = {
        "document_id": document.document_id,
        "source": metadata.get("source") or document.document_id,
        "chunks": document.chunks,
    }
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
    ids = [f.id for f in ordered]
    if after:
        ordered = ordered[ids.index(after) + 1 :] if after in ids else []
    if before:
        ordered = ordered[: [f.id for f in ordered].index(before)] if before in {f.id for f in ordered} else ordered
    limit = min(max(limit or 20, 1), MAX_FILES_PER_PAGE)
    data = ordered[:limit]
    return VectorStoreListFilesResponse(
        data=data,
        first_id=data[0].id if data else None,
        last_id=data[-1].id if data else None,
        has_more=len(ordered) > limit,
    )
