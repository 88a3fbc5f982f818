"""OGX's vector_io API (vector stores, their files and search) over the core: OGX's own
vector-store mixin does files, chunking and search requests; our index stores and searches."""

import asyncio
from typing import Any

from ogx.core.storage.kvstore import kvstore_impl
from ogx.log import get_logger
from ogx.providers.utils.memory.openai_vector_store_mixin import OpenAIVectorStoreMixin
from ogx.providers.utils.memory.vector_store import VectorStoreWithIndex
from ogx_api import (
    Api,
    DeleteChunksRequest,
    InsertChunksRequest,
    QueryChunksRequest,
    QueryChunksResponse,
    VectorIO,
    VectorStore,
    VectorStoreNotFoundError,
    VectorStoresProtocolPrivate,
)

from ..core.milvus.connection import MilvusBackend
from ..core.milvus.records import RecordStore, StoredRecord
from ..core.milvus.stores import StoreOpener
from .config import OgxStores
from .index import MilvusStoreIndex
from .offline import ensure_cl100k_cached

logger = get_logger(name=__name__, category="vector_io::milvus")

RECORD_PREFIX = "llama_stack_milvus:ogx:vector_stores:v1::"
RESOURCE_KEY = "vector_store"


class MilvusVectorIOAdapter(OpenAIVectorStoreMixin, VectorIO, VectorStoresProtocolPrivate):
    def __init__(self, config: OgxStores, backend: MilvusBackend, deps: dict[Api, Any], policy: list | None) -> None:
        super().__init__(
            inference_api=deps[Api.inference],
            files_api=deps.get(Api.files),
            kvstore=None,
            file_processor_api=deps.get(Api.file_processors),
        )
        self.config = config
        self.backend = backend
        self.settings = config.index_settings()
        self._policy = policy or []
        self.cache: dict[str, VectorStoreWithIndex] = {}
        self.stores: StoreOpener | None = None
        self.records: RecordStore | None = None

    async def initialize(self) -> None:
        self.kvstore = await kvstore_impl(self.config.persistence)
        if self.config.metadata_store:
            from ogx.core.storage.sqlstore import authorized_sqlstore

            self.metadata_store = await authorized_sqlstore(self.config.metadata_store, self._policy)
        self.records = RecordStore(self.kvstore, RECORD_PREFIX, RESOURCE_KEY)
        self.stores = await StoreOpener.connect(self.backend, self.settings, self.config.tenancy, with_vectors=True)
        for record in await self.records.load_all():
            await self._open(VectorStore.model_validate(record.resource), record)
        ensure_cl100k_cached()
        await self.initialize_openai_vector_stores()
        logger.info(self.stores.summary(len(self.cache), "vector store(s)"))

    async def shutdown(self) -> None:
        await super().shutdown()
        if self.stores is not None:
            await asyncio.to_thread(self.stores.client.close)

    async def register_vector_store(self, vector_store: VectorStore) -> None:
        dimension = vector_store.embedding_dimension
        if not isinstance(dimension, int) or dimension <= 0:
            raise ValueError(
                f"vector store {vector_store.identifier!r}: embedding_dimension must be a positive integer"
            )
        existing = self.cache.get(vector_store.identifier)
        if existing is not None:
            if existing.index.dimension != dimension:
                raise ValueError(
                    f"vector store {vector_store.identifier!r} already exists with embedding dimension "
                    f"{existing.index.dimension}, not {dimension}; delete it first"
                )
            return
        record = self.stores.new_record(vector_store.identifier, vector_store.model_dump(mode="json"), dimension)
        index = await self._open(vector_store, record)
        await self.records.save(index.index.record)

    async def unregister_vector_store(self, vector_store_id: str) -> None:
        entry = self.cache.pop(vector_store_id, None)
        if entry is not None:
            await entry.index.delete()
        await self.records.delete(vector_store_id)

    async def _open(self, vector_store: VectorStore, record: StoredRecord) -> VectorStoreWithIndex:
        record, store = await self.stores.open(record, vector_store.embedding_dimension)
        entry = VectorStoreWithIndex(vector_store, MilvusStoreIndex(record, store), self.inference_api)
        self.cache[vector_store.identifier] = entry
        return entry

    async def _get_and_cache_vector_store_index(self, vector_store_id: str) -> VectorStoreWithIndex:
        entry = self.cache.get(vector_store_id)
        if entry is not None:
            return entry
        # Saved by another replica after this one started: its record is in the shared store.
        record = await self.records.load(vector_store_id)
        if record is None:
            raise VectorStoreNotFoundError(vector_store_id)
        return await self._open(VectorStore.model_validate(record.resource), record)

    async def insert_chunks(self, request: InsertChunksRequest) -> None:
        entry = await self._get_and_cache_vector_store_index(request.vector_store_id)
        await entry.insert_chunks(request)

    async def query_chunks(self, request: QueryChunksRequest) -> QueryChunksResponse:
        entry = await self._get_and_cache_vector_store_index(request.vector_store_id)
        return await entry.query_chunks(request)

    async def delete_chunks(self, request: DeleteChunksRequest) -> None:
        entry = await self._get_and_cache_vector_store_index(request.vector_store_id)
        await entry.index.delete_chunks(request.chunks)
