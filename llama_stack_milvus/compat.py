"""Fixes for bugs of the pinned Llama Stack release (0.2.20) that sit in front of our providers.

Applied once, when the stack imports one of our provider specs (before any request is served).
"""

import functools
import logging

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    _applied = True
    _insert_chunks_without_document_id()
    _upstream_errors_keep_their_status()
    _request_bodies_pretty_printed_only_for_debug_logs()
    _span_attributes_bounded()
    _registry_shared_between_replicas()


def _insert_chunks_without_document_id() -> None:
    # VectorIORouter.insert_chunks formats a debug line with chunk.metadata['document_id'] before
    # routing, so a chunk without that key fails with a 500 (KeyError) whatever the provider does.
    from llama_stack.core.routers.vector_io import VectorIORouter

    original = VectorIORouter.insert_chunks

    # wraps() keeps the signature the server reads to parse request bodies into Chunk objects.
    @functools.wraps(original)
    async def insert_chunks(self, vector_db_id, chunks, ttl_seconds=None):
        provider = await self.routing_table.get_provider_impl(vector_db_id)
        return await provider.insert_chunks(vector_db_id, chunks, ttl_seconds)

    VectorIORouter.insert_chunks = insert_chunks


def _upstream_errors_keep_their_status() -> None:
    # The server maps exceptions it does not know to a bare 500 "An unexpected error occurred".
    from fastapi import HTTPException
    from llama_stack.core.server import server

    from .errors import UpstreamError

    original = server.translate_exception

    @functools.wraps(original)
    def translate_exception(exc: Exception):
        if isinstance(exc, UpstreamError):
            return HTTPException(status_code=exc.status_code, detail=str(exc))
        return original(exc)

    server.translate_exception = translate_exception


def _request_bodies_pretty_printed_only_for_debug_logs() -> None:
    # Every POST body was parsed and pretty-printed with rich for a debug line that is dropped at the
    # default level: about 85% of the time of a vector_io.insert with embeddings (256 x 384 floats).
    from llama_stack.core.server import server

    original = server.log_request_pre_validation

    @functools.wraps(original)
    async def log_request_pre_validation(request):
        if server.logger.isEnabledFor(logging.DEBUG):
            await original(request)

    server.log_request_pre_validation = log_request_pre_validation


def _span_attributes_bounded() -> None:
    # Every traced API call wrote all its arguments and its result into span attributes: the
    # 256 x 384 floats of an insert, every embedding an embedding model returned, every chunk a
    # query found; serialising them took most of an insert with embeddings. Spans keep a summary.
    from llama_stack.providers.utils.telemetry import trace_protocol

    from .span_summary import summarize

    trace_protocol.serialize_value = summarize


def _registry_shared_between_replicas() -> None:
    # The registry reads its store once at start-up and then answers from memory, so a replica
    # sharing the store (PostgreSQL) never saw what another one registered or removed. Lists read
    # the store, a lookup of an id not in memory reads it, and routing a request to an id it does
    # not know reloads it once.
    from llama_stack.core.routing_tables.common import CommonRoutingTableImpl
    from llama_stack.core.store.registry import CachedDiskDistributionRegistry, DiskDistributionRegistry

    async def get_all(self):
        await self._ensure_initialized()
        objects = await DiskDistributionRegistry.get_all(self)
        async with self._locked_cache() as cache:
            cache.clear()
            cache.update({(o.type, o.identifier): o for o in objects})
        return objects

    async def get(self, type, identifier):  # noqa: A002
        # Hits stay in memory: the embedding model is looked up several times per request.
        await self._ensure_initialized()
        found = self.cache.get((type, identifier))
        if found is None:
            found = await DiskDistributionRegistry.get(self, type, identifier)
            if found is not None:
                async with self._locked_cache() as cache:
                    cache[(type, identifier)] = found
        return found

    CachedDiskDistributionRegistry.get_all = get_all
    CachedDiskDistributionRegistry.get = get

    original = CommonRoutingTableImpl.get_provider_impl

    @functools.wraps(original)
    async def get_provider_impl(self, routing_key, provider_id=None):
        try:
            return await original(self, routing_key, provider_id)
        except ValueError:
            await self.dist_registry.get_all()
            return await original(self, routing_key, provider_id)

    CommonRoutingTableImpl.get_provider_impl = get_provider_impl
