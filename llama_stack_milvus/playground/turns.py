"""An agent turn's stream as the page shows it: the answer's text as it comes, and what the
knowledge search gave the model (its passages and the documents they came from)."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

KNOWLEDGE_SEARCH = "knowledge_search"


@dataclass(frozen=True)
class Source:
    document_id: str
    score: float


@dataclass(frozen=True)
class Retrieval:
    """What one knowledge search returned: the text the model read, its documents best first."""

    passages: str
    sources: list[Source] = field(default_factory=list)


def turn_parts(stream: Iterable[Any]) -> Iterator[str | Retrieval]:
    """The answer's text deltas (str) and each knowledge search's Retrieval, in stream order."""
    for chunk in stream:
        payload = getattr(getattr(chunk, "event", None), "payload", None)
        kind = getattr(payload, "event_type", None)
        if kind == "step_progress" and getattr(payload.delta, "type", None) == "text":
            if payload.delta.text:
                yield payload.delta.text
        elif kind == "step_complete" and payload.step_type == "tool_execution":
            for response in payload.step_details.tool_responses:
                if response.tool_name == KNOWLEDGE_SEARCH:
                    yield retrieval(response.content, response.metadata or {})


def retrieval(content: Any, metadata: dict[str, Any]) -> Retrieval:
    return Retrieval(passages=_text(content), sources=sources(metadata))


def sources(metadata: dict[str, Any]) -> list[Source]:
    """Each document once, with its best chunk's score, best first (the rag runtime's metadata lists
    a document id and a score per chunk)."""
    best: dict[str, float] = {}
    for document_id, score in zip(metadata.get("document_ids") or [], metadata.get("scores") or [], strict=False):
        if document_id is not None:
            best[str(document_id)] = max(float(score), best.get(str(document_id), float("-inf")))
    return [Source(d, s) for d, s in sorted(best.items(), key=lambda item: -item[1])]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_text(item) for item in content)
    return getattr(content, "text", None) or ""
