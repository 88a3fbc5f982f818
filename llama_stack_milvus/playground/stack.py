"""The running stack the page talks to: where it is, whether it answers, what it holds."""

import functools
import os
from dataclasses import dataclass

import httpx
import llama_stack_client
from llama_stack_client import LlamaStackClient

from ..cli.main import DEFAULT_URL, REQUEST_TIMEOUT_SECONDS
from ..cli.queries import chunk_count

HEALTH_TIMEOUT_SECONDS = 3.0
NO_LLM = (
    "This stack has no LLM, so there is no answer, only search (the Documents page). The embedded "
    "default answers with its local LLM once the local-llm extra is installed (`uv sync --all-extras`); "
    "or start the stack with VLLM_URL=http://<vllm>:8000/v1 (and INFERENCE_MODEL) or TOGETHER_API_KEY set."
)


def stack_url() -> str:
    return os.environ.get("LLAMA_STACK_URL", DEFAULT_URL).rstrip("/")


def down_message(url: str) -> str:
    return (
        f"Cannot reach the Llama Stack at {url}. Start it (`./scripts/quickstart.sh`, or "
        "`llama stack run run-configs/milvus-lite.yaml`) or point LLAMA_STACK_URL at it, then reload this page."
    )


def is_up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/v1/health", timeout=HEALTH_TIMEOUT_SECONDS).status_code == 200
    except httpx.HTTPError:
        return False


@functools.cache
def client(url: str) -> LlamaStackClient:
    """One client (one connection pool) per stack URL for the page's process: every rerun of a
    page asks for it. An agent turn on the CPU or one large document's insert can take minutes:
    no early timeout."""
    return LlamaStackClient(base_url=url, timeout=REQUEST_TIMEOUT_SECONDS, max_retries=0)


def problem(exc: Exception, url: str) -> str:
    """What a failed call means, for the page: the stack is down, or what it refused and why."""
    if isinstance(exc, llama_stack_client.APIConnectionError):
        return down_message(url)
    if isinstance(exc, llama_stack_client.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        detail = body.get("detail") or body.get("error") or exc.message
        return f"The stack refused: {detail} (HTTP {exc.status_code})"
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class VectorDB:
    identifier: str
    provider_id: str
    embedding_model: str
    embedding_dimension: int
    chunks: int | None


def vector_dbs(stack: LlamaStackClient) -> list[VectorDB]:
    return [
        VectorDB(
            db.identifier, db.provider_id, db.embedding_model, db.embedding_dimension, chunk_count(stack, db.identifier)
        )  # fmt: skip
        for db in sorted(stack.vector_dbs.list(), key=lambda db: db.identifier)
    ]


def vector_db_ids(stack: LlamaStackClient) -> list[str]:
    return sorted(db.identifier for db in stack.vector_dbs.list())


def llms(stack: LlamaStackClient) -> list[str]:
    return [m.identifier for m in stack.models.list() if m.model_type == "llm"]


def vector_io_providers(stack: LlamaStackClient) -> list[str]:
    return [p.provider_id for p in stack.providers.list() if p.api == "vector_io"]


def documents(stack: LlamaStackClient, vector_db_id: str) -> list:
    """A vector DB's documents (our providers list them as the vector store's files), by id."""
    listed = stack.vector_stores.files.list(vector_store_id=vector_db_id, order="asc", limit=10_000)
    return listed.data
