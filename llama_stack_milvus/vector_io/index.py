"""One vector DB's index: chunks in, chunks out, over a Milvus collection (blocking calls in threads)."""

from collections.abc import Sequence

from llama_stack.apis.vector_io import Chunk, QueryChunksResponse

from ..milvus.collection import ChunkCollection, Hit
from ..milvus.connection import ServerFeatures
from .milvus_calls import call_milvus
from .registry import RegisteredDB
from .rows import chunk_to_row, row_to_chunk
from .search_request import SearchRequest


class MilvusChunkIndex:
    def __init__(self, entry: RegisteredDB, collection: ChunkCollection, features: ServerFeatures, where: str) -> None:
        self.entry = entry
        self.collection = collection
        self.features = features
        self.where = where  # the Milvus, as errors name it

    @property
    def dimension(self) -> int:
        return self.collection.dimension

    async def upsert(self, chunks: Sequence[Chunk], ids: Sequence[str], embeddings: Sequence[list[float]]) -> int:
        rows = [chunk_to_row(c, i, e) for c, i, e in zip(chunks, ids, embeddings, strict=True)]
        return await call_milvus(self.where, self.collection.upsert, rows)

    async def search(self, request: SearchRequest, text: str, vector: list[float] | None) -> QueryChunksResponse:
        if request.mode != "vector" and not self.entry.full_text_search:
            raise ValueError(f"{request.mode} search is unavailable for this vector DB: {self._why_no_keyword()}")

        if request.mode == "vector":
            assert vector is not None
            hits = await call_milvus(self.where, self.collection.search_vector, vector, request.k, request.filter_expr)
        elif request.mode == "keyword":
            hits = await call_milvus(self.where, self.collection.search_keyword, text, request.k, request.filter_expr)
        else:
            assert vector is not None
            if request.ranker.kind == "rrf":
                hits = await call_milvus(
                    self.where,
                    self.collection.search_rrf,
                    vector,
                    text,
                    request.k,
                    request.ranker.rrf_k,
                    request.filter_expr,
                )
            else:
                hits = await call_milvus(
                    self.where,
                    self.collection.search_weighted,
                    vector,
                    text,
                    request.k,
                    request.ranker.alpha,
                    request.filter_expr,
                )
        return _response([h for h in hits if request.keeps(h.score)])

    async def delete_ids(self, ids: Sequence[str]) -> None:
        await call_milvus(self.where, self.collection.delete_ids, list(ids))

    async def drop(self) -> None:
        await call_milvus(self.where, self.collection.drop)

    def _why_no_keyword(self) -> str:
        if not self.features.full_text_search:
            return self.features.keyword_search_unavailable()
        return "its collection was created without a BM25 field (on a Milvus older than 2.5); re-create it"


def _response(hits: list[Hit]) -> QueryChunksResponse:
    return QueryChunksResponse(chunks=[row_to_chunk(h.id, h.row) for h in hits], scores=[h.score for h in hits])
