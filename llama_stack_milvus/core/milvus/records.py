"""The provider's own persisted record of each vector DB (vector store) and the collection behind
it, as plain data: each framework keeps its own object in `resource` (0.2.20's VectorDB, OGX's
VectorStore, as JSON) and reads it back itself. Kept in the framework's key-value store, under a
prefix of the shell's."""

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class StoredRecord:
    identifier: str
    resource: dict[str, Any]
    collection: str
    full_text_search: bool
    # Set when the vector DB lives in a collection shared by many (tenancy: partition_key): its
    # rows carry this value. Records saved before tenancy existed have their own collection.
    tenant: str | None = None

    def to_json(self, resource_key: str) -> str:
        data = {resource_key: self.resource, "collection": self.collection, "full_text_search": self.full_text_search}
        if self.tenant is not None:
            data["tenant"] = self.tenant
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str, resource_key: str) -> "StoredRecord":
        data = json.loads(text)
        resource = data[resource_key]
        return cls(resource["identifier"], resource, data["collection"], data["full_text_search"], data.get("tenant"))


def collection_name(vector_db_id: str) -> str:
    """A valid, unique Milvus collection name: letters, digits and _, a readable stem and a hash
    of the exact id (so "a-b" and "a_b" never share a collection)."""
    stem = re.sub(r"[^0-9A-Za-z_]", "_", vector_db_id)[:64]
    digest = hashlib.sha256(vector_db_id.encode("utf-8")).hexdigest()[:12]
    return f"lsm_{stem}_{digest}"


def shared_collection_name(dimension: int) -> str:
    """The collection that holds every vector DB of this embedding dimension under tenancy: partition_key."""
    return f"lsm_vector_dbs_{dimension}d"


class KeyValues(Protocol):
    """What both frameworks' kvstores offer."""

    async def get(self, key: str) -> str | None: ...
    async def values_in_range(self, start_key: str, end_key: str) -> list[str]: ...
    async def set(self, key: str, value: str) -> None: ...
    async def delete(self, key: str) -> None: ...


class RecordStore:
    def __init__(self, kvstore: KeyValues, prefix: str, resource_key: str) -> None:
        self.kvstore, self.prefix, self.resource_key = kvstore, prefix, resource_key

    async def load_all(self) -> list[StoredRecord]:
        values = await self.kvstore.values_in_range(self.prefix, self.prefix + "\xff")
        return [StoredRecord.from_json(v, self.resource_key) for v in values]

    async def load(self, identifier: str) -> StoredRecord | None:
        value = await self.kvstore.get(self.prefix + identifier)
        return StoredRecord.from_json(value, self.resource_key) if value else None

    async def save(self, record: StoredRecord) -> None:
        await self.kvstore.set(self.prefix + record.identifier, record.to_json(self.resource_key))

    async def delete(self, identifier: str) -> None:
        await self.kvstore.delete(self.prefix + identifier)
