"""`ingest`: every source read, chunked and embedded by the stack (rag_tool.insert), one document
per call, resumable.

Resume: each chunk stored carries its document's content hash and chunk count (`document_chunks`,
written by our rag runtime). Before a document is sent, one filtered query (our providers' file
view of the vector DB: vector_stores.files.retrieve) asks what is stored under its id: the same
hash in every chunk, as many chunks as the document has -> unchanged, skipped. Anything else
(nothing, another version, a version cut short by an interruption) -> the document is sent, and
the stack replaces what was there. Chunk ids derive from the content, so a document sent twice is
stored once.
"""

import base64
import time
from dataclasses import dataclass, field

import httpx
import llama_stack_client
from llama_stack_client import LlamaStackClient

from ..core.documents import CONTENT_HASH_KEY
from ..core.file_ids import file_id
from .progress import Progress
from .sources import ReadDocument, Source, Unreadable, find_sources, read


@dataclass
class Summary:
    stored: int = 0
    replaced: int = 0
    unchanged: int = 0
    chunks: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def documents(self) -> int:
        return self.stored + self.replaced + self.unchanged

    def lines(self, vector_db_id: str) -> list[str]:
        lines = [
            f"{vector_db_id}: {self.documents} documents ({self.stored} new, {self.replaced} replaced, "
            f"{self.unchanged} unchanged), {self.chunks} chunks stored, {len(self.failures)} failed, "
            f"{self.seconds:.1f} s"
        ]
        lines += [f"  failed: {name}: {why}" for name, why in self.failures]
        return lines


def ingest(client: LlamaStackClient, vector_db_id: str, inputs: list[str], chunk_size: int, progress_stream) -> Summary:
    started = time.monotonic()
    summary = Summary()
    sources, missing = find_sources(inputs)
    summary.failures += missing
    progress = Progress(len(sources), progress_stream)
    try:
        with httpx.Client(timeout=60, follow_redirects=True) as http:
            for source in sources:
                outcome, chunks = _one(client, vector_db_id, source, chunk_size, http, summary)
                progress.document(source.document_id, outcome, chunks)
    finally:
        progress.close()
        summary.seconds = time.monotonic() - started
    return summary


def _one(client, vector_db_id: str, source: Source, chunk_size: int, http, summary: Summary) -> tuple[str, int]:
    try:
        document = read(source, http)
    except Unreadable as exc:
        summary.failures.append((source.document_id, str(exc)))
        return f"failed: {exc}", 0
    try:
        outcome, chunks = store(client, vector_db_id, document, chunk_size)
    except Exception as exc:  # the stack's 4xx names the problem; the other documents go on
        why = getattr(exc, "message", None) or str(exc)
        summary.failures.append((source.document_id, why))
        return f"failed: {why}", 0
    summary.chunks += chunks
    if outcome == "unchanged":
        summary.unchanged += 1
    elif outcome == "stored":
        summary.stored += 1
    else:
        summary.replaced += 1
    return outcome, chunks


def store(client, vector_db_id: str, document: ReadDocument, chunk_size: int) -> tuple[str, int]:
    """One read document into the vector DB unless it is there whole already: (stored, replaced or
    unchanged; chunks written)."""
    state = stored_state(client, vector_db_id, document)
    if state == "unchanged":
        return "unchanged", 0
    insert(client, vector_db_id, document, chunk_size)
    return ("stored" if state == "new" else "replaced"), stored_chunks(client, vector_db_id, document)


def insert(client, vector_db_id: str, document: ReadDocument, chunk_size: int) -> None:
    # As a data: URL, so that a text that is itself one URL or path is stored, not fetched.
    data = base64.b64encode(document.text.encode("utf-8")).decode("ascii")
    client.tool_runtime.rag_tool.insert(
        documents=[
            {
                "document_id": document.source.document_id,
                "content": f"data:text/plain;charset=utf-8;base64,{data}",
                "mime_type": "text/plain",
                "metadata": {"source": document.source.location, CONTENT_HASH_KEY: document.content_hash},
            }
        ],
        vector_db_id=vector_db_id,
        chunk_size_in_tokens=chunk_size,
    )


def stored_state(client, vector_db_id: str, document: ReadDocument) -> str:
    """new, unchanged (this content, every chunk stored) or changed (anything else), from the
    document's entry in our providers' file view of the vector DB (a filtered query, no search)."""
    return state_of(_stored(client, vector_db_id, document), document.content_hash)


def state_of(stored, content_hash: str) -> str:
    if stored is None:
        return "new"
    same = stored.attributes.get(CONTENT_HASH_KEY) == content_hash
    return "unchanged" if same and stored.status == "completed" else "changed"


def stored_chunks(client, vector_db_id: str, document: ReadDocument) -> int:
    stored = _stored(client, vector_db_id, document)
    return int(stored.attributes.get("chunks") or 0) if stored else 0


def _stored(client, vector_db_id: str, document: ReadDocument):
    try:
        return client.vector_stores.files.retrieve(file_id(document.source.document_id), vector_store_id=vector_db_id)
    except llama_stack_client.NotFoundError:
        return None
