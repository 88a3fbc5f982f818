"""What `ingest` reads: folders (recursively), files and http(s) URLs, each turned into text.

A document's id is where it came from (a path relative to the working directory when it lies
under it, else absolute; a URL as given), so the same command run again names the same documents.
Its content hash (of the text) tells an unchanged document from a changed one.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx

from ..core.documents import DEFAULT_MAX_DOCUMENT_BYTES, NotText, document_text

# Suffixes read from folders, and their media types. Single files of another suffix are read as text.
SUFFIXES = {
    ".md": "text/markdown", ".markdown": "text/markdown", ".rst": "text/x-rst", ".txt": "text/plain",
    ".text": "text/plain", ".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf",
}  # fmt: skip
FETCH_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Source:
    document_id: str
    location: str  # a path or a URL
    mime_type: str
    is_url: bool = False


@dataclass(frozen=True)
class ReadDocument:
    source: Source
    text: str

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:32]


class Unreadable(Exception):
    """A source that cannot be read or holds no text; the message says why."""


def find_sources(inputs: list[str]) -> tuple[list[Source], list[tuple[str, str]]]:
    """The sources behind the command's arguments, and (argument, why) for those that are not there."""
    sources: list[Source] = []
    missing: list[tuple[str, str]] = []
    for given in inputs:
        if urlparse(given).scheme in ("http", "https"):
            sources.append(Source(given, given, _type_of(urlparse(given).path), is_url=True))
            continue
        path = Path(given).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            sources += [Source(_document_id(p), str(p), SUFFIXES[p.suffix.lower()]) for p in found]
        elif path.is_file():
            sources.append(Source(_document_id(path), str(path), _type_of(path.name)))
        else:
            missing.append((given, "no such file or folder"))
    unique = list({s.document_id: s for s in sources}.values())
    return unique, missing


def read(source: Source, http: httpx.Client | None = None) -> ReadDocument:
    body, media_type = _fetch(source, http) if source.is_url else (_read_file(source), source.mime_type)
    return ReadDocument(source, text_of(body, media_type))


def read_upload(name: str, body: bytes) -> ReadDocument:
    """A file a user uploaded (the playground): its name is its document id, its suffix its type."""
    return ReadDocument(Source(name, name, _type_of(name)), text_of(body, _type_of(name)))


def text_of(body: bytes, media_type: str) -> str:
    """The text of a document's bytes, by the server's rule (core/documents.py), as large as the
    server takes."""
    if len(body) > DEFAULT_MAX_DOCUMENT_BYTES:
        raise Unreadable(_too_large(len(body)))
    try:
        text = document_text(body, media_type)
    except NotText as exc:
        raise Unreadable(str(exc)) from None
    if not text.strip():
        raise Unreadable("it has no text")
    return text


def _document_id(path: Path) -> str:
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


def _type_of(name: str) -> str:
    return SUFFIXES.get(Path(name).suffix.lower(), "text/plain")


def _read_file(source: Source) -> bytes:
    try:
        size = Path(source.location).stat().st_size
        if size > DEFAULT_MAX_DOCUMENT_BYTES:
            raise Unreadable(_too_large(size))
        return Path(source.location).read_bytes()
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None


def _too_large(size: int) -> str:
    return f"it is {size:,} bytes, more than the {DEFAULT_MAX_DOCUMENT_BYTES:,} a document may have"


def _fetch(source: Source, http: httpx.Client | None) -> tuple[bytes, str]:
    client = http or httpx.Client(timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=True)
    try:
        response = client.get(source.location)
    except httpx.HTTPError as exc:
        raise Unreadable(f"fetching it failed: {exc or type(exc).__name__}") from None
    finally:
        if http is None:
            client.close()
    if response.status_code >= 400:
        raise Unreadable(f"fetching it answered HTTP {response.status_code} {response.reason_phrase}")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return response.content, content_type or source.mime_type
