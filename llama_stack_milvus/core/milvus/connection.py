"""Connecting to Milvus (a Lite file or a server) and finding out what it can do."""

import logging
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymilvus import MilvusClient

from .settings import LITE_INDEX_TYPES, SERVER_INDEX_TYPES

logger = logging.getLogger(__name__)

# Full-text search (BM25 functions, sparse vectors) and hybrid search arrived in Milvus 2.5.
FULL_TEXT_SEARCH_MIN_VERSION = (2, 5, 0)
# Before 2.3.10, upsert hashed the wrong field to choose a row's partition-key partition, so rows
# upserted into a partition-key collection are never found by a filter on the key (milvus#30607).
PARTITION_KEY_UPSERT_MIN_VERSION = (2, 3, 10)


@dataclass(frozen=True)
class MilvusBackend:
    """Where a provider's Milvus is and how to reach it; `label` is safe to log (no secrets)."""

    uri: str
    is_lite: bool
    label: str
    client_args: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def lite_file(cls, db_path: str) -> "MilvusBackend":
        path = Path(db_path).expanduser().resolve()
        return cls(uri=str(path), is_lite=True, label=f"Milvus Lite file {path}")

    def connect(self) -> MilvusClient:
        """A client of its own: pymilvus shares one connection among clients of the same uri and
        token, and closing any of them closes it for all (a second provider, or a stack restarted
        in-process, on the same Milvus would lose its connection)."""
        if self.is_lite:
            Path(self.uri).parent.mkdir(parents=True, exist_ok=True)
        alias = f"llama-stack-milvus-{uuid.uuid4().hex}"
        try:
            return MilvusClient(uri=self.uri, alias=alias, **self.client_args)
        except Exception as exc:
            raise MilvusConnectionError(self.label, exc) from None


class MilvusConnectionError(ConnectionError):
    """Milvus could not be reached or refused us: says which and why, never with credentials."""

    def __init__(self, label: str, cause: Exception) -> None:
        details = cause.details() if callable(getattr(cause, "details", None)) else ""
        text = str(details or cause).strip()
        lowered = text.lower()
        if "missing authorization" in lowered:
            why = "the server requires authentication: set token (user:password) or user and password"
        elif "UNAUTHENTICATED" in str(cause) or ("auth" in lowered and "fail" in lowered):
            why = f"authentication failed ({text}); check the token (user:password, or a Zilliz Cloud API key)"
        else:
            why = text.splitlines()[0] if text else type(cause).__name__
        super().__init__(f"cannot connect to {label}: {why}")


@dataclass(frozen=True)
class ServerFeatures:
    version: str
    full_text_search: bool
    is_lite: bool = False

    def check_index_type(self, index_type: str) -> None:
        allowed = LITE_INDEX_TYPES if self.is_lite else SERVER_INDEX_TYPES
        if index_type not in allowed:
            raise ValueError(
                f"index_type {index_type} is not available on {self.version}, which builds only "
                f"{', '.join(allowed)}" + ("; HNSW, IVF_SQ8 and DISKANN need a Milvus server" if self.is_lite else "")
            )

    @property
    def partition_key_upsert(self) -> bool:
        """Whether upsert puts a row in its partition-key partition (see PARTITION_KEY_UPSERT_MIN_VERSION)."""
        parsed = parse_version(self.version)
        return self.is_lite or bool(parsed and parsed >= PARTITION_KEY_UPSERT_MIN_VERSION)

    def keyword_search_unavailable(self) -> str:
        return (
            "keyword and hybrid search need Milvus >= "
            + ".".join(map(str, FULL_TEXT_SEARCH_MIN_VERSION))
            + f" (BM25 full-text search); this Milvus is {self.version}"
        )


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text or "")
    return tuple(int(x) for x in match.groups()) if match else None  # type: ignore[return-value]


def detect_features(client: MilvusClient, *, is_lite: bool) -> ServerFeatures:
    if is_lite:
        # Milvus Lite (file or its binary over TCP) has no GetVersion RPC; 2.5.x has BM25.
        return ServerFeatures(version="Milvus Lite", full_text_search=True, is_lite=True)
    try:
        version = client.get_server_version()
    except Exception as exc:  # milvus-lite served over TCP answers UNIMPLEMENTED
        if "UNIMPLEMENTED" in str(exc) or "Unimplemented" in str(exc):
            return ServerFeatures(version="Milvus Lite (over TCP)", full_text_search=True, is_lite=True)
        raise
    parsed = parse_version(version)
    return ServerFeatures(version=version, full_text_search=bool(parsed and parsed >= FULL_TEXT_SEARCH_MIN_VERSION))
