"""One OGX vector store over the core's ChunkStore: OGX's EmbeddingIndex (what its vector-store
mixin calls for inserts, searches and deletes)."""

from typing import Any

from ogx.providers.utils.memory.vector_store import RERANKER_TYPE_WEIGHTED, ChunkForDeletion, EmbeddingIndex
from ogx_api import EmbeddedChunk, QueryChunksResponse

from ..core.milvus.filters import filter_expression
from ..core.milvus.records import StoredRecord
from ..core.milvus.search_request import DEFAULT_ALPHA, DEFAULT_RRF_K, Ranker, SearchRequest
from ..core.milvus.store import ChunkStore
from .rows import chunk_to_row, row_to_chunk


class MilvusStoreIndex(EmbeddingIndex):
    def __init__(self, record: StoredRecord, store: ChunkStore) -> None:
        self.record = record
        self.store = store

    @property
    def dimension(self) -> int:
        return self.store.dimension

    async def add_chunks(self, embedded_chunks: list[EmbeddedChunk]) -> None:
        by_id = {c.chunk_id: c for c in embedded_chunks}  # the same id twice: the last wins, as an upsert
        if by_id:
            await self.store.upsert([chunk_to_row(c) for c in by_id.values()])

    async def delete_chunks(self, chunks_for_deletion: list[ChunkForDeletion]) -> None:
        await self.store.delete_ids([c.chunk_id for c in chunks_for_deletion])

    async def query_vector(self, embedding, k: int, score_threshold: float, filters=None) -> QueryChunksResponse:
        request = SearchRequest("vector", k, _threshold(score_threshold), filter_expr=filter_expression(filters))
        return await self._search(request, "", embedding)

    async def query_keyword(self, query_string: str, k: int, score_threshold: float, filters=None):
        request = SearchRequest("keyword", k, _threshold(score_threshold), filter_expr=filter_expression(filters))
        return await self._search(request, query_string, None)

    async def query_hybrid(
        self,
        embedding,
        query_string: str,
        k: int,
        score_threshold: float,
        reranker_type: str,
        reranker_params: dict[str, Any] | None = None,
        filters=None,
    ) -> QueryChunksResponse:
        ranker = ranker_of(reranker_type, reranker_params or {})
        request = SearchRequest("hybrid", k, _threshold(score_threshold), ranker, filter_expression(filters))
        return await self._search(request, query_string, embedding)

    async def delete(self) -> None:
        await self.store.drop()

    async def _search(self, request: SearchRequest, text: str, embedding) -> QueryChunksResponse:
        vector = [float(x) for x in embedding] if embedding is not None else None
        hits = await self.store.search(request, text, vector)
        return QueryChunksResponse(
            chunks=[row_to_chunk(h.id, h.row, self.dimension) for h in hits], scores=[h.score for h in hits]
        )


def ranker_of(reranker_type: str, params: dict[str, Any]) -> Ranker:
    """OGX's reranker as the core's: weighted (alpha, or weights {vector, keyword}) or RRF."""
    if reranker_type == RERANKER_TYPE_WEIGHTED:
        weights = params.get("weights") if isinstance(params.get("weights"), dict) else {}
        vector, keyword = float(weights.get("vector", 0)), float(weights.get("keyword", 0))
        alpha = vector / (vector + keyword) if vector + keyword > 0 else float(params.get("alpha", DEFAULT_ALPHA))
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"weighted reranker alpha must be from 0 to 1; got {alpha}")
        return Ranker("weighted", alpha=alpha)
    impact = float(params.get("impact_factor", DEFAULT_RRF_K))
    if not 0 < impact < 16384:
        raise ValueError(f"RRF impact_factor must be above 0 and below 16384; got {impact}")
    return Ranker("rrf", rrf_k=impact)


def _threshold(score_threshold: float | None) -> float | None:
    # OGX passes 0.0 for "none": a cosine similarity below 0 is still a hit.
    return score_threshold if score_threshold else None
