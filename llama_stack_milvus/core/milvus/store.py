"""One vector DB's chunks in Milvus: opened (created, indexed, loaded, its BM25 field found), rows in,
hits out, every blocking call in a thread and bounded (milvus/calls.py). Core: no framework; each
shell turns its chunks into rows and hits back (providers/remote_milvus/rows.py for Llama Stack
0.2.20, ogx/rows.py for OGX).
"""

from collections.abc import Sequence
from typing import Any

from pymilvus import MilvusClient

from .calls import call_milvus
from .collection import DOCUMENT_ID, ID, VECTOR, ChunkCollection, Hit, StoredDocument
from .connection import ServerFeatures
from .search_request import SearchRequest
from .settings import IndexSettings


class ChunkStore:
    def __init__(self, collection: ChunkCollection, features: ServerFeatures, where: str) -> None:
        self.collection = collection
        self.features = features
        self.where = where  # the Milvus, as errors name it

    @classmethod
    async def open(
        cls,
        client: MilvusClient,
        name: str,
        dimension: int,
        settings: IndexSettings,
        features: ServerFeatures,
        where: str,
        full_text_search: bool,
        shared: bool = False,
        with_vectors: bool = False,
    ) -> "ChunkStore":
        """Create the collection (or reopen it) and learn whether it has a BM25 field: a collection
        made on a Milvus older than 2.5 keeps working, without keyword search.

        shared: a collection for many vector DBs; use it through for_tenant.
        with_vectors: hits carry their embedding (OGX returns it with every chunk)."""
        collection = ChunkCollection(
            client,
            name,
            dimension,
            settings,
            full_text_search=full_text_search and features.full_text_search,
            shared=shared,
            partition_key=shared and not features.is_lite,
            upsert_by_delete=shared and not features.partition_key_upsert,
        )
        if with_vectors:
            collection.output_fields.append(VECTOR)
        await call_milvus(where, collection.ensure)
        collection.full_text_search = await call_milvus(where, collection.has_sparse_field)
        return cls(collection, features, where)

    def for_tenant(self, tenant: str) -> "ChunkStore":
        """One vector DB's view of a shared collection: it sees, writes and deletes only its own rows."""
        return ChunkStore(self.collection.for_tenant(tenant), self.features, self.where)

    @property
    def dimension(self) -> int:
        return self.collection.dimension

    @property
    def full_text_search(self) -> bool:
        return self.collection.full_text_search

    async def upsert(self, rows: Sequence[dict[str, Any]]) -> int:
        return await call_milvus(self.where, self.collection.upsert, rows)

    async def search(self, request: SearchRequest, text: str, vector: list[float] | None) -> list[Hit]:
        """The hits of one search, best first, those under the request's score threshold left out."""
        if request.mode != "vector" and not self.full_text_search:
            raise ValueError(f"{request.mode} search is unavailable for this vector DB: {self._why_no_keyword()}")
        collection = self.collection
        if request.mode == "vector":
            assert vector is not None
            hits = await call_milvus(self.where, collection.search_vector, vector, request.k, request.filter_expr)
        elif request.mode == "keyword":
            hits = await call_milvus(self.where, collection.search_keyword, text, request.k, request.filter_expr)
        elif request.ranker.kind == "rrf":
            assert vector is not None
            hits = await call_milvus(self.where, collection.search_rrf, vector, text, request.k,
                                     request.ranker.rrf_k, request.filter_expr)  # fmt: skip
        else:
            assert vector is not None
            hits = await call_milvus(self.where, collection.search_weighted, vector, text, request.k,
                                     request.ranker.alpha, request.filter_expr)  # fmt: skip
        return [h for h in hits if request.keeps(h.score)]

    async def delete_ids(self, ids: Sequence[str]) -> None:
        await call_milvus(self.where, self.collection.delete_ids, list(ids))

    async def replace_documents(self, rows: Sequence[dict[str, Any]]) -> int:
        """Store `rows` as the whole of their documents: each document's chunks of before that are
        not among them (an older version's) are deleted once the new ones are stored."""
        stored = await self.upsert(rows)
        document_ids = sorted({row[DOCUMENT_ID] for row in rows})
        keep_ids = [row[ID] for row in rows]
        await call_milvus(self.where, self.collection.delete_document_chunks_except, document_ids, keep_ids)
        return stored

    async def delete_documents(self, document_ids: Sequence[str]) -> None:
        await call_milvus(self.where, self.collection.delete_documents, list(document_ids))

    async def documents(self, document_id: str | None = None) -> list[StoredDocument]:
        return await call_milvus(self.where, self.collection.documents, document_id)

    async def count(self) -> int:
        return await call_milvus(self.where, self.collection.count)

    async def drop(self) -> None:
        """Drop the collection; a tenant's view deletes only its rows."""
        await call_milvus(self.where, self.collection.drop)

    def _why_no_keyword(self) -> str:
        if not self.features.full_text_search:
            return self.features.keyword_search_unavailable()
        return "its collection was created without a BM25 field (on a Milvus older than 2.5); re-create it"
