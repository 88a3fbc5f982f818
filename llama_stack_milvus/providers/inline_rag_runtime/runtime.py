"""rag_tool over any vector_io provider: Llama Stack's query side, our insert side.

insert is all or nothing per call for reading: every document is read first, and one that cannot
be read fails the call before anything is stored. Chunk ids hash the document id, the chunk's
place and its text, so inserting the same documents again replaces their chunks (no duplicates),
and two documents with the same text keep a chunk each. A document inserted again with other text
replaces its older version: every chunk's metadata says how many chunks its document has
(`document_chunks`), which tells our Milvus providers that the chunks are the whole document, so its
chunks of before are deleted once the new ones are stored (the core's replace_documents; another
vector_io provider keeps them, as upstream), and tells a client a document stored whole from one
cut short by an interruption.
"""

import asyncio
from typing import Any

import numpy as np
from llama_stack.apis.common.content_types import URL, TextContentItem
from llama_stack.apis.tools import (
    RAGDocument,
    RAGQueryConfig,
    RAGQueryResult,
    ToolInvocationResult,
)
from llama_stack.apis.vector_io import Chunk
from llama_stack.providers.inline.tool_runtime.rag.context_retriever import generate_rag_query
from llama_stack.providers.inline.tool_runtime.rag.memory import MemoryToolRuntimeImpl
from llama_stack.providers.utils.inference.prompt_adapter import interleaved_content_as_str
from llama_stack.providers.utils.memory.vector_store import make_overlapped_chunks
from llama_stack.providers.utils.vector_io.vector_utils import generate_chunk_id

from ...core.documents import (
    CONTENT_HASH_KEY,
    DOCUMENT_CHUNKS_KEY,
    Document,
    FetchLimits,
    documents_text,
)
from ...core.llm.reading_speed import ReadingSpeed, auto_budget
from ...core.milvus.search_request import DEFAULT_ALPHA
from .config import RagRuntimeConfig
from .context_budget import fit_passages, fit_to_budget, units

MAX_CHUNK_TOKENS = 8192
KNOWLEDGE_SEARCH = "knowledge_search"
# Our bookkeeping and upstream's, left out of the metadata line the model reads.
HIDDEN_METADATA = frozenset({"chunk_id", "token_count", "metadata_token_count", DOCUMENT_CHUNKS_KEY, CONTENT_HASH_KEY})


class RagToolRuntime(MemoryToolRuntimeImpl):
    config: RagRuntimeConfig

    def __init__(self, config: RagRuntimeConfig, vector_io_api, inference_api, reading: ReadingSpeed | None = None):
        """`reading`: how fast the stack's local LLM reads (None where it has none)."""
        super().__init__(config, vector_io_api, inference_api)
        self.reading = reading

    async def insert(self, documents: list[RAGDocument], vector_db_id: str, chunk_size_in_tokens: int = 512) -> None:
        if not 1 <= chunk_size_in_tokens <= MAX_CHUNK_TOKENS:
            raise ValueError(
                f"chunk_size_in_tokens must be between 1 and {MAX_CHUNK_TOKENS}; got {chunk_size_in_tokens}"
            )
        if not documents:
            return
        seen: set[str] = set()
        for doc in documents:
            if not doc.document_id.strip():
                raise ValueError("every document needs a non-empty document_id")
            if doc.document_id in seen:
                raise ValueError(f"document_id {doc.document_id!r} appears twice in one insert")
            seen.add(doc.document_id)
        limits = FetchLimits(
            self.config.fetch_timeout, self.config.max_document_bytes, self.config.max_concurrent_fetches
        )
        texts = await documents_text([core_document(doc) for doc in documents], limits)
        chunks = []
        for doc, text in zip(documents, texts, strict=True):
            made = make_overlapped_chunks(
                doc.document_id, text, chunk_size_in_tokens, chunk_size_in_tokens // 4, doc.metadata
            )
            for chunk in made:
                chunk_id = generate_chunk_id(doc.document_id, chunk.content, chunk.chunk_metadata.chunk_window)
                chunk.stored_chunk_id = chunk_id
                chunk.chunk_metadata.chunk_id = chunk_id
                chunk.metadata[DOCUMENT_CHUNKS_KEY] = len(made)
                chunks.append(chunk)
        await self.vector_io_api.insert_chunks(vector_db_id=vector_db_id, chunks=chunks)

    def query_defaults(self, given: RAGQueryConfig | dict[str, Any] | None) -> RAGQueryConfig:
        """The caller's query_config, with this runtime's settings for what it leaves out."""
        if isinstance(given, RAGQueryConfig):
            given = given.model_dump(exclude_unset=True)
        defaults = {
            "max_chunks": self.config.max_chunks,
            "max_tokens_in_context": self.context_budget(),
            "mode": self.config.mode,
            # Upstream's RAGQueryConfig defaults to RRF; our hybrid default is weighted.
            "ranker": {"type": "weighted", "alpha": DEFAULT_ALPHA},
        }
        return RAGQueryConfig.model_validate({**defaults, **(given or {})})

    def context_budget(self) -> int:
        budget = self.config.max_tokens_in_context
        return auto_budget(self.reading) if budget == "auto" else budget

    async def query(self, content, vector_db_ids: list[str], query_config=None) -> RAGQueryResult:
        """Upstream's query (same result layout), with our defaults and two changes: the metadata
        line names the document and the caller's own metadata, not our bookkeeping (chunk ids,
        counts, digests: ~50 tokens a chunk that a small model reads for nothing); and retrieved
        text over the budget is cut to its passages (or its head), where upstream drops it."""
        config = self.query_defaults(query_config)
        if not vector_db_ids:
            raise ValueError(
                "No vector DBs were provided to the knowledge search tool; give at least one vector DB id."
            )
        query = await generate_rag_query(config.query_generator_config, content, inference_api=self.inference_api)
        params = {"mode": config.mode, "max_chunks": config.max_chunks, "score_threshold": 0.0, "ranker": config.ranker}
        responses = await asyncio.gather(
            *(self.vector_io_api.query_chunks(vector_db_id=db, query=query, params=params) for db in vector_db_ids)
        )
        ranked = sorted(
            ((c, s) for r in responses for c, s in zip(r.chunks, r.scores, strict=False)), key=lambda p: -p[1]
        )[: config.max_chunks]
        if not ranked:
            return RAGQueryResult(content=None)
        result = _result(ranked, config.chunk_template, interleaved_content_as_str(content))
        if self.config.context == "head":
            return fit_to_budget(result, config.max_tokens_in_context)
        found = units(result)
        similarities = None
        if self.config.passage_scores == "hybrid":
            similarities = await self._similarities(query, [text for _, text in found], vector_db_ids)
        return fit_passages(result, query, config.max_tokens_in_context, similarities, found or None)

    async def _similarities(self, query: str, texts: list[str], vector_db_ids: list[str]) -> list[float] | None:
        """The cosine of `query` to each of `texts` with the first vector DB's embedding model
        (None where it cannot be had: passage selection then ranks by BM25 alone)."""
        routing_table = getattr(self.vector_io_api, "routing_table", None)
        if not texts or routing_table is None:
            return None
        vector_db = await routing_table.get_object_by_identifier("vector_db", vector_db_ids[0])
        if vector_db is None:
            return None
        response = await self.inference_api.embeddings(model_id=vector_db.embedding_model, contents=[query, *texts])
        vectors = np.asarray(response.embeddings, dtype=np.float32)
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return (vectors[1:] @ vectors[0]).tolist()

    async def invoke_tool(self, tool_name: str, kwargs: dict[str, Any]) -> ToolInvocationResult:
        # An agent's knowledge_search: the tool group's args (vector_db_ids, query_config) and the
        # model's query. Upstream fills a missing query_config with its own defaults, not ours.
        if tool_name != KNOWLEDGE_SEARCH or "query" not in kwargs:
            # Upstream answers any other call (insert_into_memory, which a model may pick) with a KeyError: a 500.
            raise ValueError(
                f"an agent can call {KNOWLEDGE_SEARCH} with a query; got {tool_name} with {sorted(kwargs)} "
                "(documents are inserted with rag_tool.insert)"
            )
        return await super().invoke_tool(
            tool_name, {**kwargs, "query_config": self.query_defaults(kwargs.get("query_config"))}
        )


def _result(ranked: list[tuple[Chunk, float]], template: str, asked: str) -> RAGQueryResult:
    """Upstream's layout: [header, one item per chunk, END line, query line], metadata lists."""
    items = [
        TextContentItem(text=template.format(index=i + 1, chunk=chunk, metadata=_shown_metadata(chunk)))
        for i, (chunk, _) in enumerate(ranked)
    ]
    return RAGQueryResult(
        content=[
            TextContentItem(
                text=f"knowledge_search tool found {len(items)} chunks:\nBEGIN of knowledge_search tool results.\n"
            ),
            *items,
            TextContentItem(text="END of knowledge_search tool results.\n"),
            TextContentItem(
                text=f'The above results were retrieved to help answer the user\'s query: "{asked}". '
                "Use them as supporting information only in answering this query.\n"
            ),
        ],
        metadata={
            "document_ids": [c.metadata.get("document_id") for c, _ in ranked],
            "chunks": [c.content for c, _ in ranked],
            "scores": [s for _, s in ranked],
        },
    )


def _shown_metadata(chunk: Chunk) -> dict[str, Any]:
    """What the model is shown of a chunk's metadata: its document and the caller's own keys."""
    shown = {"document_id": chunk.metadata.get("document_id") or getattr(chunk.chunk_metadata, "document_id", None)}
    shown.update({k: v for k, v in chunk.metadata.items() if k not in HIDDEN_METADATA and v is not None})
    return shown


def core_document(doc: RAGDocument) -> Document:
    """A Llama Stack RAGDocument as the core's Document."""
    if isinstance(doc.content, URL):
        return Document(doc.document_id, uri=doc.content.uri, mime_type=doc.mime_type)
    if isinstance(doc.content, str):
        return Document(doc.document_id, content=doc.content, mime_type=doc.mime_type)
    try:
        return Document(doc.document_id, content=interleaved_content_as_str(doc.content), mime_type=doc.mime_type)
    except ValueError as exc:
        return Document(doc.document_id, mime_type=doc.mime_type, unreadable=str(exc))
