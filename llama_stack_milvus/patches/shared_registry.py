"""Upstream bug (llama-stack 0.2.20, core/store/registry.py, CachedDiskDistributionRegistry): the
registry reads its store once at start-up and then answers from memory, so replicas sharing a
store (PostgreSQL, see run-configs/milvus-server-postgres.yaml) never see the vector DBs another
one registers or removes.

Fix, only where the store is shared (a server-backed kvstore, not SQLite): lists read the store;
a lookup of a vector DB not in memory reads it; routing a request to an id not known reloads the
registry once. With a local store (the embedded default) nothing changes: lookups stay in memory.

Upstream since: OGX 1.5.0 (the renamed Llama Stack) re-reads the store for lists at most every 5 s
(cache_ttl_seconds) and reads a lookup that misses from the store; not checked in between.
"""

import functools

from ._guard import once

# kvstores that several stack processes can share.
SHARED_KVSTORES = ("PostgresKVStoreImpl", "RedisKVStoreImpl", "MongoDBKVStoreImpl")


def is_shared(registry) -> bool:
    kvstore = getattr(registry, "kvstore", None)
    return type(kvstore).__name__ in SHARED_KVSTORES


@once
def apply() -> None:
    from llama_stack.core.routing_tables.common import CommonRoutingTableImpl
    from llama_stack.core.store.registry import CachedDiskDistributionRegistry, DiskDistributionRegistry

    original_get_all = CachedDiskDistributionRegistry.get_all
    original_get = CachedDiskDistributionRegistry.get

    @functools.wraps(original_get_all)
    async def get_all(self):
        if not is_shared(self):
            return await original_get_all(self)
        await self._ensure_initialized()
        objects = await DiskDistributionRegistry.get_all(self)
        async with self._locked_cache() as cache:
            cache.clear()
            cache.update({(o.type, o.identifier): o for o in objects})
        return objects

    @functools.wraps(original_get)
    async def get(self, type, identifier):  # noqa: A002
        found = await original_get(self, type, identifier)
        if found is None and type == "vector_db" and is_shared(self):
            found = await DiskDistributionRegistry.get(self, type, identifier)
            if found is not None:
                async with self._locked_cache() as cache:
                    cache[(type, identifier)] = found
        return found

    CachedDiskDistributionRegistry.get_all = get_all
    CachedDiskDistributionRegistry.get = get

    original_get_provider_impl = CommonRoutingTableImpl.get_provider_impl

    @functools.wraps(original_get_provider_impl)
    async def get_provider_impl(self, routing_key, provider_id=None):
        try:
            return await original_get_provider_impl(self, routing_key, provider_id)
        except ValueError:
            if not is_shared(self.dist_registry):
                raise
            await self.dist_registry.get_all()
            return await original_get_provider_impl(self, routing_key, provider_id)

    CommonRoutingTableImpl.get_provider_impl = get_provider_impl
