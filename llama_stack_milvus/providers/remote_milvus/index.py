"""One vector DB as Llama Stack 0.2.20 sees it: its Chunks over the core's ChunkStore."""

from collections.abc import Sequence

from llama_stack.apis.vector_io import Chunk, QueryChunksResponse

from ...core.milvus.collection import StoredDocument
from ...core.milvus.search_request import SearchRequest
from ...core.milvus.store import ChunkStore
from .registry import RegisteredDB
from .rows import chunk_to_row, row_to_chunk


class MilvusChunkIndex:
    def __init__(self, entry: RegisteredDB, store: ChunkStore) -> None:
        self.entry = entry
        self.store = store

    @property
    def dimension(self) -> int:
        return self.store.dimension

    async def upsert(self, chunks: Sequence[Chunk], ids: Sequence[str], embeddings: Sequence[list[float]]) -> int:
        return await self.store.upsert([chunk_to_row(c, i, e) for c, i, e in zip(chunks, ids, embeddings, strict=True)])

    async def search(self, request: SearchRequest, text: str, vector: list[float] | None) -> QueryChunksResponse:
        hits = await self.store.search(request, text, vector)
        return QueryChunksResponse(chunks=[row_to_chunk(h.id, h.row) for h in hits], scores=[h.score for h in hits])

    async def delete_ids(self, ids: Sequence[str]) -> None:
        await self.store.delete_ids(ids)

    async def delete_document_chunks_except(self, document_ids: Sequence[str], keep_ids: Sequence[str]) -> None:
        await self.store.delete_document_chunks_except(document_ids, keep_ids)

    async def documents(self, document_id: str | None = None) -> list[StoredDocument]:
        return await self.store.documents(document_id)

    async def delete_documents(self, document_ids: Sequence[str]) -> None:
        await self.store.delete_documents(document_ids)

    async def count(self) -> int:
        return await self.store.count()

    async def drop(self) -> None:
        await self.store.drop()
