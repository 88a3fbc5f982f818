from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ...core.documents import DEFAULT_MAX_DOCUMENT_BYTES


class RagRuntimeConfig(BaseModel):
    """inline::rag-runtime: rag_tool.insert and rag_tool.query, fetching documents strictly."""

    model_config = ConfigDict(extra="forbid")

    fetch_timeout: float = Field(default=30.0, gt=0, description="Seconds to wait for one document URL")
    max_document_bytes: int = Field(
        default=DEFAULT_MAX_DOCUMENT_BYTES, gt=0, description="A fetched document larger than this is refused"
    )
    max_concurrent_fetches: int = Field(default=8, ge=1, le=64, description="Document URLs fetched at once")
    # What knowledge_search and rag_tool.query retrieve when the caller's query_config does not say:
    # an agent turn's prompt grows with them, and a small local model reads ~100 tokens/s on 2 cores.
    max_chunks: int = Field(default=5, ge=1, le=100, description="Chunks retrieved per query")
    max_tokens_in_context: int | Literal["auto"] = Field(
        default=4096,
        description="Tokens of retrieved text per query, at most (>= 64); auto: what this stack's local LLM reads "
        "in 10 s (300-2500; 2500 where none is loaded)",
    )
    mode: Literal["vector", "keyword", "hybrid"] = Field(default="vector", description="Search mode per query")
    context: Literal["passages", "head"] = Field(
        default="passages",
        description="What of the retrieved chunks reaches the model when they exceed max_tokens_in_context: "
        "passages: the sentences, rows and items that bear on the query (BM25 and the embedding model), in "
        "document order; head: the first chunks whole and the next one cut short",
    )
    passage_scores: Literal["hybrid", "bm25"] = Field(
        default="hybrid",
        description="How passages are scored against the query: hybrid: BM25 and the vector DB's embedding model; "
        "bm25: BM25 alone (no embedding of the passages)",
    )

    @field_validator("max_tokens_in_context")
    @classmethod
    def _at_least_64(cls, value: int | str) -> int | str:
        if value != "auto" and value < 64:
            raise ValueError(f"max_tokens_in_context must be auto or at least 64; got {value}")
        return value

    @classmethod
    def sample_run_config(cls, __distro_dir__: str = "", **kwargs: Any) -> dict[str, Any]:
        return {
            "fetch_timeout": "${env.RAG_FETCH_TIMEOUT:=30}",
            "max_chunks": "${env.RAG_MAX_CHUNKS:=5}",
            "max_tokens_in_context": "${env.RAG_MAX_TOKENS_IN_CONTEXT:=4096}",
            "mode": "${env.RAG_SEARCH_MODE:=vector}",
            "context": "${env.RAG_CONTEXT:=passages}",
            "passage_scores": "${env.RAG_PASSAGE_SCORES:=hybrid}",
        }
