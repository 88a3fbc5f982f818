"""0.2.20's vector DBs in the core's record store (core/milvus/records.py): the record keeps the
VectorDB's JSON under "vector_db", as it always has, so registries written before read the same."""

from dataclasses import dataclass

from llama_stack.apis.vector_dbs import VectorDB
from llama_stack.providers.utils.kvstore.api import KVStore

from ...core.milvus.records import RecordStore, StoredRecord

PREFIX = "llama_stack_milvus:vector_dbs:v1::"
RESOURCE_KEY = "vector_db"


@dataclass(frozen=True)
class RegisteredDB:
    vector_db: VectorDB
    collection: str
    full_text_search: bool
    tenant: str | None = None

    def record(self) -> StoredRecord:
        resource = self.vector_db.model_dump(mode="json")
        return StoredRecord(self.vector_db.identifier, resource, self.collection, self.full_text_search, self.tenant)

    @classmethod
    def of(cls, record: StoredRecord) -> "RegisteredDB":
        return cls(VectorDB(**record.resource), record.collection, record.full_text_search, record.tenant)


class VectorDBRegistry:
    def __init__(self, kvstore: KVStore) -> None:
        self.records = RecordStore(kvstore, PREFIX, RESOURCE_KEY)

    async def load_all(self) -> list[StoredRecord]:
        return await self.records.load_all()

    async def save(self, entry: RegisteredDB) -> None:
        await self.records.save(entry.record())

    async def delete(self, vector_db_id: str) -> None:
        await self.records.delete(vector_db_id)
