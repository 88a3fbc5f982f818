"""The ChunkStore behind each record (records.py): its own collection, or its tenant's view of a
collection shared by many (tenancy: partition_key), opened once for all its vector DBs."""

import asyncio

from pymilvus import MilvusClient

from .connection import MilvusBackend, ServerFeatures, detect_features
from .records import StoredRecord, collection_name, shared_collection_name
from .settings import IndexSettings
from .store import ChunkStore


class StoreOpener:
    def __init__(
        self,
        client: MilvusClient,
        settings: IndexSettings,
        features: ServerFeatures,
        label: str,
        tenancy: str = "collection",
        with_vectors: bool = False,
    ) -> None:
        self.client, self.settings, self.features, self.label = client, settings, features, label
        self.tenancy, self.with_vectors = tenancy, with_vectors
        self.shared: dict[str, ChunkStore] = {}  # by collection
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(
        cls, backend: MilvusBackend, settings: IndexSettings, tenancy: str = "collection", with_vectors: bool = False
    ) -> "StoreOpener":
        """Connected to the backend, its features known, the configured index type checked against them."""
        client = await asyncio.to_thread(backend.connect)
        features = await asyncio.to_thread(detect_features, client, is_lite=backend.is_lite)
        features.check_index_type(settings.index_type)
        return cls(client, settings, features, backend.label, tenancy, with_vectors)

    def summary(self, count: int, what: str) -> str:
        """The provider's start-up log line."""
        return (
            f"{self.label} ({self.features.version}): {count} {what}, "
            f"{self.settings.index_type}/{self.settings.metric_type}, "
            f"keyword search {'on' if self.features.full_text_search else 'off'}"
        )

    def new_record(self, identifier: str, resource: dict, dimension: int) -> StoredRecord:
        """Where a vector DB registered now goes, by this provider's tenancy."""
        if self.tenancy == "partition_key":
            return StoredRecord(
                identifier, resource, shared_collection_name(dimension), self.features.full_text_search, identifier
            )
        return StoredRecord(identifier, resource, collection_name(identifier), self.features.full_text_search)

    async def open(self, record: StoredRecord, dimension: int) -> tuple[StoredRecord, ChunkStore]:
        """The store, and the record as it is (its collection may lack BM25: made on an older Milvus)."""
        if record.tenant is not None:
            store = (await self._shared_store(record, dimension)).for_tenant(record.tenant)
        else:
            store = await self._open_store(record, dimension, shared=False)
        opened = StoredRecord(record.identifier, record.resource, record.collection, store.full_text_search,
                              record.tenant)  # fmt: skip
        return opened, store

    async def _open_store(self, record: StoredRecord, dimension: int, shared: bool) -> ChunkStore:
        return await ChunkStore.open(
            self.client, record.collection, dimension, self.settings, self.features, self.label,
            record.full_text_search, shared=shared, with_vectors=self.with_vectors,
        )  # fmt: skip

    async def _shared_store(self, record: StoredRecord, dimension: int) -> ChunkStore:
        # Opened once for all its vector DBs: thousands of tenants cost one collection load.
        async with self._lock:
            store = self.shared.get(record.collection)
            if store is None:
                store = await self._open_store(record, dimension, shared=True)
                self.shared[record.collection] = store
            return store
