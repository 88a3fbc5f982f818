"""Llama Stack's vector_io API (and the OpenAI-compatible vector stores) over the Milvus core."""

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from llama_stack.apis.common.errors import VectorStoreNotFoundError
from llama_stack.apis.files import Files
from llama_stack.apis.inference import Inference, InterleavedContent
from llama_stack.apis.vector_dbs import VectorDB
from llama_stack.apis.vector_io import (
    Chunk,
    QueryChunksResponse,
    SearchRankingOptions,
    VectorIO,
    VectorStoreFileCounts,
    VectorStoreFileDeleteResponse,
    VectorStoreFileObject,
    VectorStoreFileStatus,
    VectorStoreListFilesResponse,
    VectorStoreObject,
    VectorStoreSearchResponse,
    VectorStoreSearchResponsePage,
)
from llama_stack.log import get_logger
from llama_stack.providers.datatypes import HealthResponse, HealthStatus, VectorDBsProtocolPrivate
from llama_stack.providers.utils.inference.prompt_adapter import interleaved_content_as_str
from llama_stack.providers.utils.kvstore import kvstore_impl
from llama_stack.providers.utils.memory.openai_vector_store_mixin import OpenAIVectorStoreMixin
from llama_stack.providers.utils.memory.vector_store import ChunkForDeletion

from ...core.milvus.connection import MilvusBackend
from ...core.milvus.records import StoredRecord
from ...core.milvus.rows import check_embedding
from ...core.milvus.search_request import parse_search_params
from ...core.milvus.stores import StoreOpener
from . import document_files
from .config import MilvusIndexConfig
from .index import MilvusChunkIndex
from .registry import RegisteredDB, VectorDBRegistry
from .rows import chunk_text

# A short name: the log line that names the Milvus it serves must not wrap (tests read it).
logger = get_logger(name="llama_stack_milvus.milvus", category="vector_io")

EMBEDDING_BATCH = 256


class MilvusVectorIOAdapter(OpenAIVectorStoreMixin, VectorIO, VectorDBsProtocolPrivate):
    def __init__(
        self,
        config: MilvusIndexConfig,
        backend: MilvusBackend,
        inference_api: Inference,
        files_api: Files | None,
    ) -> None:
        self.config = config
        self.backend = backend
        self.inference_api = inference_api
        self.files_api = files_api
        self.settings = config.index_settings()
        self.indexes: dict[str, MilvusChunkIndex] = {}
        self.stores: StoreOpener | None = None  # once connected
        self.openai_vector_stores: dict[str, dict[str, Any]] = {}
        self.vector_db_store = None  # set by the stack's routing table
        self.kvstore = None

    # --- lifecycle -----------------------------------------------------------------------------

    async def initialize(self) -> None:
        self.kvstore = await kvstore_impl(self.config.kvstore)
        self.registry = VectorDBRegistry(self.kvstore)
        self.stores = await StoreOpener.connect(self.backend, self.settings, self.config.tenancy)
        for record in await self.registry.load_all():
            self.indexes[record.identifier] = await self._open(record)
        await self.initialize_openai_vector_stores()
        logger.info(self.stores.summary(len(self.indexes), "vector DB(s)"))

    async def shutdown(self) -> None:
        if self.stores is not None:
            await asyncio.to_thread(self.stores.client.close)

    async def health(self) -> HealthResponse:
        try:
            await asyncio.to_thread(self.stores.client.list_collections, timeout=self.settings.call_timeout)
            return HealthResponse(status=HealthStatus.OK)
        except Exception as exc:
            return HealthResponse(status=HealthStatus.ERROR, message=f"Milvus is not answering: {exc}")

    # --- vector DBs ----------------------------------------------------------------------------

    async def register_vector_db(self, vector_db: VectorDB) -> None:
        dimension = vector_db.embedding_dimension
        if not isinstance(dimension, int) or dimension <= 0:
            raise ValueError(f"vector DB {vector_db.identifier!r}: embedding_dimension must be a positive integer")
        existing = self.indexes.get(vector_db.identifier)
        if existing is not None:
            if existing.dimension != dimension:
                raise ValueError(
                    f"vector DB {vector_db.identifier!r} already exists with embedding dimension "
                    f"{existing.dimension}, not {dimension}; unregister it first"
                )
            return
        record = self.stores.new_record(vector_db.identifier, vector_db.model_dump(mode="json"), dimension)
        index = await self._open(record)
        await self.registry.save(index.entry)
        self.indexes[vector_db.identifier] = index

    async def unregister_vector_db(self, vector_db_id: str) -> None:
        index = self.indexes.pop(vector_db_id, None)
        if index is not None:
            await index.drop()
        await self.registry.delete(vector_db_id)

    async def _open(self, record: StoredRecord) -> MilvusChunkIndex:
        """Create (or reopen) the collection behind a registered vector DB (or its view of a shared one)."""
        entry = RegisteredDB.of(record)
        opened, store = await self.stores.open(record, entry.vector_db.embedding_dimension)
        return MilvusChunkIndex(replace(entry, full_text_search=opened.full_text_search), store)

    async def _index(self, vector_db_id: str) -> MilvusChunkIndex:
        index = self.indexes.get(vector_db_id)
        if index is not None:
            return index
        # Known to the stack but not to this provider (its registry file was removed): adopt it.
        vector_db = await self.vector_db_store.get_vector_db(vector_db_id) if self.vector_db_store else None
        if vector_db is None:
            raise VectorStoreNotFoundError(vector_db_id)
        await self.register_vector_db(vector_db)
        return self.indexes[vector_db_id]

    # --- chunks --------------------------------------------------------------------------------

    async def insert_chunks(self, vector_db_id: str, chunks: list[Chunk], ttl_seconds: int | None = None) -> None:
        index = await self._index(vector_db_id)
        if not chunks:
            return
        by_id: dict[str, Chunk] = {}
        for chunk in chunks:  # the same id twice in one call: the last one wins, as in an upsert
            by_id[chunk.chunk_id] = chunk
        ids = list(by_id)
        unique = list(by_id.values())
        embeddings = await self._chunk_embeddings(index, unique, ids)
        await index.upsert(unique, ids, embeddings)

    async def query_chunks(
        self, vector_db_id: str, query: InterleavedContent, params: dict[str, Any] | None = None
    ) -> QueryChunksResponse:
        index = await self._index(vector_db_id)
        request = parse_search_params(params)
        text = interleaved_content_as_str(query)
        vector = None
        if request.mode != "keyword":
            vector = (await self._embed(index, [text]))[0]
        return await index.search(request, text, vector)

    async def openai_retrieve_vector_store(self, vector_store_id: str) -> VectorStoreObject:
        """A vector store as upstream; a vector DB registered with vector_dbs.register (upstream: 404)
        seen as a vector store with no files, its chunk count in metadata["chunk_count"]."""
        if vector_store_id in self.openai_vector_stores or vector_store_id not in self.indexes:
            return await super().openai_retrieve_vector_store(vector_store_id)
        index = self.indexes[vector_store_id]
        vector_db = index.entry.vector_db
        return VectorStoreObject(
            id=vector_store_id,
            created_at=0,
            name=vector_db.vector_db_name or vector_store_id,
            file_counts=VectorStoreFileCounts(completed=0, cancelled=0, failed=0, in_progress=0, total=0),
            metadata={
                "chunk_count": await index.count(),
                "embedding_model": vector_db.embedding_model,
                "embedding_dimension": vector_db.embedding_dimension,
            },
        )

    def _is_vector_db(self, vector_store_id: str) -> bool:
        """Registered with vector_dbs.register, not created as an OpenAI vector store."""
        return vector_store_id not in self.openai_vector_stores and vector_store_id in self.indexes

    async def openai_list_files_in_vector_store(
        self,
        vector_store_id: str,
        limit: int | None = 20,
        order: str | None = "desc",
        after: str | None = None,
        before: str | None = None,
        filter: VectorStoreFileStatus | None = None,
    ) -> VectorStoreListFilesResponse:
        """A vector store's files as upstream; a vector DB's documents as files (document_files.py)."""
        if not self._is_vector_db(vector_store_id):
            return await super().openai_list_files_in_vector_store(vector_store_id, limit, order, after, before, filter)
        stored = await self.indexes[vector_store_id].documents()
        files = [document_files.file_object(d, vector_store_id) for d in stored]
        if filter is not None:
            files = [f for f in files if f.status == filter]
        return document_files.page(files, limit, order, after, before)

    async def openai_retrieve_vector_store_file(self, vector_store_id: str, file_id: str) -> VectorStoreFileObject:
        if not self._is_vector_db(vector_store_id):
            return await super().openai_retrieve_vector_store_file(vector_store_id, file_id)
        found = await self.indexes[vector_store_id].documents(document_files.document_id(file_id, vector_store_id))
        if not found:
            raise document_files.DocumentNotFoundError(file_id, vector_store_id)
        return document_files.file_object(found[0], vector_store_id)

    async def openai_delete_vector_store_file(
        self, vector_store_id: str, file_id: str
    ) -> VectorStoreFileDeleteResponse:
        """A vector store's file as upstream; a vector DB's document: all its chunks (404 if none)."""
        if not self._is_vector_db(vector_store_id):
            return await super().openai_delete_vector_store_file(vector_store_id, file_id)
        await self.openai_retrieve_vector_store_file(vector_store_id, file_id)
        await self.indexes[vector_store_id].delete_documents([document_files.document_id(file_id, vector_store_id)])
        return VectorStoreFileDeleteResponse(id=file_id, deleted=True)

    async def openai_search_vector_store(
        self,
        vector_store_id: str,
        query: str | list[str],
        filters: dict[str, Any] | None = None,
        max_num_results: int | None = 10,
        ranking_options: SearchRankingOptions | None = None,
        rewrite_query: bool | None = False,
        search_mode: str | None = "vector",
    ) -> VectorStoreSearchResponsePage:
        """The mixin's search, but filtered inside Milvus, and with errors reported, not swallowed."""
        if vector_store_id not in self.openai_vector_stores:
            raise VectorStoreNotFoundError(vector_store_id)
        search_query = " ".join(query) if isinstance(query, list) else query
        params: dict[str, Any] = {"mode": search_mode or "vector", "max_chunks": max_num_results or 10}
        if filters:
            params["filters"] = filters
        if ranking_options is not None and ranking_options.score_threshold is not None:
            params["score_threshold"] = ranking_options.score_threshold
        response = await self.query_chunks(vector_store_id, search_query, params)
        data = []
        for chunk, score in zip(response.chunks, response.scores, strict=True):
            file_id, filename = await self._hit_file(vector_store_id, chunk)
            data.append(
                VectorStoreSearchResponse(
                    file_id=file_id,
                    filename=filename,
                    score=score,
                    attributes=chunk.metadata,
                    content=self._chunk_to_vector_store_content(chunk),
                )
            )
        return VectorStoreSearchResponsePage(search_query=search_query, data=data, has_more=False, next_page=None)

    async def _hit_file(self, vector_store_id: str, chunk: Chunk) -> tuple[str, str]:
        """The file a hit came from. The 0.2.20 mixin reads a `file_id` key nothing writes; a file's
        chunks carry its id as their document id, and the store's file records hold its name, so
        files attached before this fix and after a restart are named too."""
        file_id = chunk.metadata.get("file_id") or chunk.metadata.get("document_id") or ""
        if file_id not in self.openai_vector_stores[vector_store_id].get("file_ids", []):
            return "", ""
        try:
            info = await self._load_openai_vector_store_file(vector_store_id, file_id)
        except Exception:  # a record gone between the search and now: the id is still right
            return file_id, ""
        return file_id, (info or {}).get("filename", "")

    async def delete_chunks(self, store_id: str, chunks_for_deletion: list[ChunkForDeletion]) -> None:
        index = await self._index(store_id)
        await index.delete_ids([c.chunk_id for c in chunks_for_deletion])

    async def _chunk_embeddings(
        self, index: MilvusChunkIndex, chunks: Sequence[Chunk], ids: Sequence[str]
    ) -> list[list[float]]:
        embeddings: list[list[float] | None] = []
        missing: list[int] = []
        for i, (chunk, chunk_id) in enumerate(zip(chunks, ids, strict=True)):
            if chunk.embedding is None:
                embeddings.append(None)
                missing.append(i)
            else:
                embeddings.append(check_embedding(chunk.embedding, index.dimension, f"chunk {chunk_id[:80]!r}"))
        if missing:
            computed = await self._embed(index, [chunk_text(chunks[i]) for i in missing])
            for i, embedding in zip(missing, computed, strict=True):
                embeddings[i] = embedding
        return embeddings  # type: ignore[return-value]

    async def _embed(self, index: MilvusChunkIndex, texts: list[str]) -> list[list[float]]:
        vector_db = index.entry.vector_db
        result: list[list[float]] = []
        for start in range(0, len(texts), EMBEDDING_BATCH):
            response = await self.inference_api.embeddings(
                vector_db.embedding_model, texts[start : start + EMBEDDING_BATCH]
            )
            result.extend(
                check_embedding(e, index.dimension, f"embedding model {vector_db.embedding_model!r}")
                for e in response.embeddings
            )
        return result
