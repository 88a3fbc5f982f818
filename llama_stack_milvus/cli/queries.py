"""What the command and the playground ask a running stack for: a vector DB's best chunks with
their scores and sources, and its chunk count."""

from dataclasses import asdict, dataclass

import llama_stack_client
from llama_stack_client import LlamaStackClient

SEARCH_MODES = ("vector", "keyword", "hybrid")


@dataclass(frozen=True)
class SearchHit:
    rank: int
    score: float
    mode: str
    document_id: str | None
    source: str | None
    chunk_id: str
    content: str

    def as_dict(self) -> dict:
        return asdict(self)


def search_hits(client: LlamaStackClient, vector_db_id: str, query: str, k: int, mode: str) -> list[SearchHit]:
    response = client.vector_io.query(vector_db_id=vector_db_id, query=query, params={"mode": mode, "max_chunks": k})
    return [
        SearchHit(
            rank=rank,
            score=round(float(score), 4),
            mode=mode,
            document_id=chunk.metadata.get("document_id"),
            source=chunk.metadata.get("source") or chunk.metadata.get("document_id"),
            chunk_id=chunk.chunk_id,
            content=chunk.content if isinstance(chunk.content, str) else str(chunk.content),
        )
        for rank, (chunk, score) in enumerate(zip(response.chunks, response.scores, strict=True), start=1)
    ]


def chunk_count(client: LlamaStackClient, vector_db_id: str) -> int | None:
    """Our providers answer vector_stores.retrieve for a vector DB with its chunk count; others: None."""
    try:
        store = client.vector_stores.retrieve(vector_db_id)
    except llama_stack_client.APIStatusError:
        return None
    count = (store.metadata or {}).get("chunk_count")
    return int(count) if isinstance(count, int | float) else None
