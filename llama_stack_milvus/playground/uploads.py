"""Files a user drops on the page, stored as the ingest command stores documents: read here (PDF,
HTML to text), then one rag_tool.insert each, so one bad file fails alone and nothing stored is lost."""

from collections.abc import Callable
from dataclasses import dataclass

from llama_stack_client import LlamaStackClient

from ..cli.ingest import store
from ..cli.sources import SUFFIXES, Unreadable, read_upload
from .stack import problem

UPLOAD_TYPES = sorted(suffix.lstrip(".") for suffix in SUFFIXES)
CHUNK_SIZE_TOKENS = 512  # as rag_tool.insert's and the ingest command's default


@dataclass(frozen=True)
class Stored:
    name: str
    outcome: str  # stored, replaced, unchanged, failed
    chunks: int = 0
    why: str = ""

    def line(self) -> str:
        if self.outcome == "failed":
            return f"{self.name}: not stored: {self.why}"
        if self.outcome == "unchanged":
            return f"{self.name}: already stored, unchanged"
        return f"{self.name}: {self.outcome}, {self.chunks} chunks"


def store_uploads(
    stack: LlamaStackClient,
    url: str,
    vector_db_id: str,
    files: list[tuple[str, bytes]],
    progress: Callable[[int, str], None],
) -> list[Stored]:
    """Each (name, bytes) into the vector DB; progress(done, name) before each and at the end."""
    results = []
    for done, (name, body) in enumerate(files):
        progress(done, name)
        try:
            outcome, chunks = store(stack, vector_db_id, read_upload(name, body), CHUNK_SIZE_TOKENS)
            results.append(Stored(name, outcome, chunks))
        except Unreadable as exc:
            results.append(Stored(name, "failed", why=f"it cannot be read: {exc}"))
        except Exception as exc:  # the stack's refusal names the problem; the other files go on
            results.append(Stored(name, "failed", why=problem(exc, url)))
    progress(len(files), "")
    return results
