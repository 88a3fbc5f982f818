"""One vector DB as Llama Stack 0.2.20 sees it: its Chunks over the core's ChunkStore."""

from collections.abc import Sequence

from llama_stack.apis.vector_io import Chunk, QueryChunksResponse

from ...core.documents import DOCUMENT_CHUNKS_KEY
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
        """Chunks that state their document's chunk count (the rag runtime's, DOCUMENT_CHUNKS_KEY)
        are the whole of their document: they replace its chunks of before. Others are upserted."""
        whole, parts = [], []
        for chunk, chunk_id, embedding in zip(chunks, ids, embeddings, strict=True):
            (whole if DOCUMENT_CHUNKS_KEY in chunk.metadata else parts).append(chunk_to_row(chunk, chunk_id, embedding))
        stored = await self.store.upsert(parts) if parts else 0
        return stored + (await self.store.replace_documents(whole) if whole else 0)

    async def search(self, request: SearchRequest, text: str, vector: list[float] | None) -> QueryChunksResponse:
        hits = await self.store.search(request, text, vector)
        return QueryChunksResponse(chunks=[row_to_chunk(h.id, h.row) for h in hits], scores=[h.score for h in hits])

    async def delete_ids(self, ids: Sequence[str]) -> None:
        await self.store.delete_ids(ids)

    async def documents(self, document_id: str | None = None) -> list[StoredDocument]:
        return await self.store.documents(document_id)

    async def delete_documents(self, document_ids: Sequence[str]) -> None:
        await self.store.delete_documents(document_ids)

    async def count(self) -> int:
        return await self.store.count()

    async def drop(self) -> None:
        await self.store.drop()
