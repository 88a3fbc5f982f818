"""The ingest command's pure parts: what it reads from folders, how it reads it, how it decides
a document is already stored (against canned query answers: the real stack is in tests/e2e)."""

import pytest
from pdf import pdf_with_text

from llama_stack_milvus.cli.ingest import Summary, state_of
from llama_stack_milvus.cli.sources import ReadDocument, Source, Unreadable, find_sources, read
from llama_stack_milvus.core.documents import html_text
from llama_stack_milvus.core.milvus.collection import StoredDocument
from llama_stack_milvus.providers.remote_milvus.document_files import file_object


def test_folders_are_read_recursively_by_suffix_and_named_from_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs" / "deep").mkdir(parents=True)
    for name in ("a.md", "deep/b.rst", "deep/c.HTML", "deep/d.pdf", "deep/e.txt", "deep/skip.png", "deep/noext"):
        (tmp_path / "docs" / name).write_text("x")
    found, missing = find_sources(["docs", "docs/deep/noext", "nowhere", "https://example.org/page.html"])
    assert [s.document_id for s in found] == [
        "docs/a.md", "docs/deep/b.rst", "docs/deep/c.HTML", "docs/deep/d.pdf", "docs/deep/e.txt",
        "docs/deep/noext", "https://example.org/page.html",
    ]  # fmt: skip
    assert [s.mime_type for s in found][2:4] == ["text/html", "application/pdf"]
    assert found[-1].is_url and missing == [("nowhere", "no such file or folder")]
    again, _ = find_sources([str(tmp_path / "docs" / "a.md"), "docs/a.md"])  # one document, however named
    assert [s.document_id for s in again] == ["docs/a.md"]


def test_html_keeps_the_visible_text_on_lines():
    page = "<html><head><title>T</title><style>p{}</style></head><body><h1>Title</h1><p>One &amp; two</p>"
    page += "<script>var x = 1;</script><ul><li>first</li><li>second</li></ul></body></html>"
    assert html_text(page) == "Title\nOne & two\nfirst\nsecond"


def test_reading_text_pdf_and_refusals(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(pdf_with_text(["Milvus stores vectors."]))
    assert read(Source("a.pdf", str(pdf), "application/pdf")).text.strip() == "Milvus stores vectors."
    for body, why in [
        (b"\x00\x01\x02", "it is binary"),
        (b"  \n ", "it has no text"),
        (b"%PDF-1.4 junk", "not a readable PDF"),
    ]:
        bad = tmp_path / "bad"
        bad.write_bytes(body)
        with pytest.raises(Unreadable, match=why):
            read(Source("bad", str(bad), "text/plain"))
    with pytest.raises(Unreadable, match="No such file"):
        read(Source("gone", str(tmp_path / "gone.md"), "text/markdown"))


def stored_as(rows: list[dict]):
    """The file view our providers answer for a document whose chunks hold these metadata."""
    if not rows:
        return None
    hashes = frozenset(str(m.get("content_sha256", "")) for m in rows)
    return file_object(StoredDocument("d", len(rows), rows[0], hashes), "db")


@pytest.mark.parametrize(
    "stored, state",
    [
        ([], "new"),
        ([{"content_sha256": "H", "document_chunks": 1}], "unchanged"),
        ([{"content_sha256": "H", "document_chunks": 2.0}] * 2, "unchanged"),  # floats from JSON
        ([{"content_sha256": "H", "document_chunks": 3}] * 3, "unchanged"),
        ([{"content_sha256": "H", "document_chunks": 3}] * 2, "changed"),  # cut short
        ([{"content_sha256": "H", "document_chunks": 1}, {"content_sha256": "OLD", "document_chunks": 1}], "changed"),
        ([{"content_sha256": "OLD", "document_chunks": 1}], "changed"),
        ([{"document_id": "stored before the command"}], "changed"),
    ],
)
def test_what_counts_as_already_stored(stored, state):
    document = ReadDocument(Source("d", "d", "text/plain"), "text")
    rows = [{**m, "content_sha256": document.content_hash} if m.get("content_sha256") == "H" else m for m in stored]
    assert state_of(stored_as(rows), document.content_hash) == state


def test_the_summary_names_every_failure():
    summary = Summary(stored=2, replaced=1, unchanged=3, chunks=9, failures=[("x.pdf", "not a PDF")], seconds=1.25)
    assert summary.lines("db") == [
        "db: 6 documents (2 new, 1 replaced, 3 unchanged), 9 chunks stored, 1 failed, 1.2 s",
        "  failed: x.pdf: not a PDF",
    ]


def test_the_server_and_the_command_read_a_document_by_one_rule():
    """rag_tool.insert of an HTML page (here a data: URL) stores its visible text, as the ingest
    command does; a PNG is refused by both with the same words."""
    import asyncio
    import base64

    from llama_stack_milvus.core.documents import Document, FetchLimits, NotText, document_text, documents_text

    page = b"<!doctype html><html><head><style>p{}</style></head><body><p>One</p><p>Two</p></body></html>"
    url = "data:text/html;base64," + base64.b64encode(page).decode()
    (served,) = asyncio.run(documents_text([Document("page", uri=url)], FetchLimits(5, 10_000, 2)))
    assert served == document_text(page, "text/plain") == "One\nTwo"
    with pytest.raises(NotText, match=r"it is binary \(image/png\), not text or PDF"):
        document_text(b"\x89PNG\x00\x00", "text/plain", served_as="image/png")
