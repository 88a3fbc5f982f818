"""The provider's own persisted record of its vector DBs and the collections behind them."""

import hashlib
import json
import re
from dataclasses import dataclass

from llama_stack.apis.vector_dbs import VectorDB
from llama_stack.providers.utils.kvstore.api import KVStore

PREFIX = "llama_stack_milvus:vector_dbs:v1::"


@dataclass(frozen=True)
class RegisteredDB:
    vector_db: VectorDB
    collection: str
    full_text_search: bool
    # Set when the vector DB lives in a collection shared by many (tenancy: partition_key): its
    # rows carry this value. Entries saved before tenancy existed have their own collection.
    tenant: str | None = None

    def to_json(self) -> str:
        data = {
            "vector_db": self.vector_db.model_dump(mode="json"),
            "collection": self.collection,
            "full_text_search": self.full_text_search,
        }
        if self.tenant is not None:
            data["tenant"] = self.tenant
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> "RegisteredDB":
        data = json.loads(text)
        return cls(VectorDB(**data["vector_db"]), data["collection"], data["full_text_search"], data.get("tenant"))


def collection_name(vector_db_id: str) -> str:
    """A valid, unique Milvus collection name: letters, digits and _, a readable stem and a hash
    of the exact id (so "a-b" and "a_b" never share a collection)."""
    stem = re.sub(r"[^0-9A-Za-z_]", "_", vector_db_id)[:64]
    digest = hashlib.sha256(vector_db_id.encode("utf-8")).hexdigest()[:12]
    return f"lsm_{stem}_{digest}"


def shared_collection_name(dimension: int) -> str:
    """The collection that holds every vector DB of this embedding dimension under tenancy: partition_key."""
    return f"lsm_vector_dbs_{dimension}d"


class VectorDBRegistry:
    def __init__(self, kvstore: KVStore) -> None:
        self.kvstore = kvstore

    async def load_all(self) -> list[RegisteredDB]:
        return [RegisteredDB.from_json(v) for v in await self.kvstore.values_in_range(PREFIX, PREFIX + "\xff")]

    async def save(self, entry: RegisteredDB) -> None:
        await self.kvstore.set(PREFIX + entry.vector_db.identifier, entry.to_json())

    async def delete(self, vector_db_id: str) -> None:
        await self.kvstore.delete(PREFIX + vector_db_id)
