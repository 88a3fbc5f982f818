"""A document's text: given inline, in a data: URL, or fetched from http(s). Core: no Llama Stack.

Llama Stack 0.2.20 stores whatever a URL answers (a 404 page becomes a document), turns timeouts
and unreachable hosts into bare 500s and stores a local path as the document's text. Here every
document is read before anything is stored, and one that cannot be read is an error that names it
and says why, with the HTTP status that fits the cause (`DocumentError.status_code`).
"""

import asyncio
import base64
import html.parser
import io
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urlparse

import httpx

from .errors import UpstreamError

# A string document that is one of these is fetched, not stored as text.
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S*$|^data:", re.DOTALL)
# A one-line string document that looks like a path on somebody's disk.
_LOCAL_PATH = re.compile(r"^(/|~/|\./|\.\./|[A-Za-z]:\\)\S*$")
_TEXT_TYPES = ("application/json", "application/xml", "application/xhtml+xml", "application/javascript",
               "application/x-yaml", "application/yaml", "application/x-ndjson", "application/rtf")  # fmt: skip
# A document larger than this is refused, by the server (max_document_bytes) and the ingest command alike.
DEFAULT_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
_UNTYPED = ("", "application/octet-stream", "binary/octet-stream")
# Metadata every stored chunk carries: how many chunks its document has (a document cut short by an
# interruption has fewer stored), and the document text's digest (the ingest command's resume).
DOCUMENT_CHUNKS_KEY = "document_chunks"
CONTENT_HASH_KEY = "content_sha256"


@dataclass(frozen=True)
class Document:
    """What a document is given as: `content`, a string that is its text or names where to read it
    (a URL, or a path, which is refused), or `uri`, a URL given as such."""

    document_id: str
    content: str | None = None
    uri: str | None = None
    mime_type: str | None = None
    unreadable: str | None = None  # why the content given cannot be text (e.g. an image)


@dataclass(frozen=True)
class Problem:
    document_id: str
    source: str
    cause: str
    status_code: int  # 400: the document as given; 502: its server failed; 504: its server was too slow

    def __str__(self) -> str:
        where = f" ({self.source})" if self.source else ""
        return f"document {self.document_id!r}{where}: {self.cause}"


class DocumentError(UpstreamError):
    """One or more documents of an insert could not be read; nothing of the call was stored."""

    def __init__(self, problems: list[Problem], total: int) -> None:
        self.problems = problems
        head = (
            f"{len(problems)} of {total} documents could not be read, so none was stored"
            if total > 1
            else "the document could not be read, so nothing was stored"
        )
        super().__init__(f"{head}: " + "; ".join(str(p) for p in problems), problems[0].status_code)


class _Refused(Exception):
    def __init__(self, cause: str, status_code: int = 400) -> None:
        super().__init__(cause)
        self.status_code = status_code


@dataclass(frozen=True)
class FetchLimits:
    timeout: float
    max_bytes: int
    concurrency: int


async def documents_text(documents: list[Document], limits: FetchLimits) -> list[str]:
    """The text of every document, in order; DocumentError naming each one that cannot be read."""
    gate = asyncio.Semaphore(limits.concurrency)
    timeout = httpx.Timeout(limits.timeout)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True, max_redirects=5) as http:

        async def one(doc: Document) -> str | Problem:
            source = _source(doc)
            try:
                async with gate:
                    text = await _text(doc, source, http, limits)
            except _Refused as exc:
                return Problem(doc.document_id, _shown(source), str(exc), exc.status_code)
            if not text.strip():
                return Problem(doc.document_id, _shown(source), "it has no text", 400)
            return text

        results = await asyncio.gather(*(one(doc) for doc in documents))
    problems = [r for r in results if isinstance(r, Problem)]
    if problems:
        raise DocumentError(problems, len(documents))
    return results  # type: ignore[return-value]


def _source(doc: Document) -> str | None:
    """The URL a document is to be read from, or None when its content is the text itself."""
    if doc.uri is not None:
        return doc.uri
    if isinstance(doc.content, str):
        stripped = doc.content.strip()
        if _URL.match(stripped):
            return stripped
        if "\n" not in stripped and _LOCAL_PATH.match(stripped):
            return "file://" + stripped
    return None


def _shown(source: str | None) -> str:
    if source is None:
        return ""
    return source if not source.startswith("data:") else source[:40] + "..."


async def _text(doc: Document, source: str | None, http: httpx.AsyncClient, limits: FetchLimits) -> str:
    if source is None:
        if doc.unreadable is not None:
            raise _Refused(f"its content is not text: {doc.unreadable}")
        return doc.content or ""
    scheme = urlparse(source).scheme.lower()
    if scheme == "data":
        try:
            body, content_type = _data_url(source)
        except ValueError as exc:
            raise _Refused(f"its data: URL cannot be read ({exc})") from None
        return await _decode(doc, body, content_type, None)
    if scheme == "file":
        raise _Refused(
            "the server does not read local files (it may not see yours, and must not expose its own); "
            "pass the file's text as the content, e.g. content=Path(path).read_text()"
        )
    if scheme not in ("http", "https"):
        raise _Refused(f"{scheme}:// URLs are not supported; use http(s):// or data:")
    body, content_type, encoding = await _fetch(source, http, limits)
    return await _decode(doc, body, content_type, encoding)


async def _fetch(url: str, http: httpx.AsyncClient, limits: FetchLimits) -> tuple[bytes, str, str | None]:
    try:
        async with http.stream("GET", url) as response:
            if response.status_code >= 400:
                status = 400 if response.status_code < 500 else 502
                raise _Refused(f"fetching it answered HTTP {response.status_code} {response.reason_phrase}", status)
            if response.status_code >= 300:
                raise _Refused(f"fetching it answered HTTP {response.status_code} without a usable redirect", 502)
            declared = int(response.headers.get("content-length") or 0)
            if declared > limits.max_bytes:
                raise _Refused(f"it is {declared:,} bytes, more than max_document_bytes ({limits.max_bytes:,})")
            body = bytearray()
            async for part in response.aiter_bytes():
                body += part
                if len(body) > limits.max_bytes:
                    raise _Refused(f"it is more than max_document_bytes ({limits.max_bytes:,}) long")
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return bytes(body), content_type, response.charset_encoding
    except httpx.TimeoutException:
        raise _Refused(f"its server did not answer within {limits.timeout:g} s (fetch_timeout)", 504) from None
    except httpx.ConnectError as exc:
        raise _Refused(f"cannot connect to {urlparse(url).netloc}: {exc or 'connection failed'}", 502) from None
    except httpx.TooManyRedirects:
        raise _Refused("fetching it was redirected too many times", 502) from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise _Refused(f"not a valid URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise _Refused(f"fetching it failed: {type(exc).__name__}: {exc}", 502) from None


def _data_url(url: str) -> tuple[bytes, str]:
    """The bytes and media type of a data: URL (RFC 2397)."""
    header, comma, data = url[len("data:") :].partition(",")
    if not comma:
        raise ValueError("no comma after the media type")
    parts = [p.strip() for p in header.split(";")]
    is_base64 = parts[-1].lower() == "base64"
    if is_base64:
        parts = parts[:-1]
    media_type = (parts[0] or "text/plain").lower() if parts else "text/plain"
    try:
        body = base64.b64decode(data, validate=False) if is_base64 else unquote_to_bytes(data)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"bad base64: {exc}") from None
    return body, media_type


def parse_pdf(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)


async def _decode(doc: Document, body: bytes, content_type: str, encoding: str | None) -> str:
    declared = (doc.mime_type or "").lower()
    kind = "application/pdf" if "application/pdf" in (declared, content_type) else (declared or content_type)
    try:
        return await asyncio.to_thread(document_text, body, kind, encoding, content_type)
    except NotText as exc:
        raise _Refused(str(exc)) from None


class NotText(ValueError):
    """Bytes that hold no readable text; the message says why (the ingest command and the server say it alike)."""


def document_text(body: bytes, media_type: str, encoding: str | None = None, served_as: str | None = None) -> str:
    """The text of a document's bytes, read by one rule wherever they come from (the server's
    rag_tool.insert, the ingest command, the playground): PDF text; HTML's visible text (a
    declared text/html, or a page that starts with <!doctype html>); any other text as UTF-8 (or
    the declared encoding). Anything else is NotText, naming `served_as` (what a server said it
    sent) where given."""
    media_type = (media_type or "").lower()
    if media_type == "application/pdf" or body.startswith(b"%PDF-"):
        try:
            return parse_pdf(body)
        except Exception as exc:  # pypdf raises many types for a damaged file
            raise NotText(f"it is not a readable PDF ({type(exc).__name__}: {exc})") from None
    textual = media_type.startswith("text/") or media_type in _TEXT_TYPES or media_type.endswith(("+xml", "+json"))
    if not (textual or media_type in _UNTYPED):
        raise NotText(f"it is {served_as or media_type}, not text or PDF")
    if b"\x00" in body[:8192]:
        raise NotText(f"it is binary ({served_as or media_type or 'no media type'}), not text or PDF")
    try:
        text = body.decode(encoding or "utf-8")
    except (UnicodeDecodeError, LookupError):
        text = body.decode("utf-8", errors="replace")
    if media_type in ("text/html", "application/xhtml+xml") or text.lstrip()[:15].lower() == "<!doctype html>":
        text = html_text(text)
    return text


def html_text(markup: str) -> str:
    """The visible text of an HTML page: scripts, styles and tags out, block elements on lines."""
    extractor = _TextOf()
    extractor.feed(markup)
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return "\n".join(line for line in lines if line)


class _TextOf(html.parser.HTMLParser):
    _SKIPPED = {"script", "style", "noscript", "template", "head"}
    _BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "section", "article",
               "table", "ul", "ol", "dd", "dt", "blockquote", "title"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self._SKIPPED:
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in self._SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.parts.append(data)
