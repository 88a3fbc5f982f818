"""A vector DB's documents as vector-store files: ids that survive a URL path, OpenAI's paging."""

import pytest

from llama_stack_milvus.core.milvus.collection import StoredDocument
from llama_stack_milvus.providers.remote_milvus.document_files import (
    DocumentNotFoundError,
    document_id,
    file_id,
    file_object,
    page,
)


@pytest.mark.parametrize("name", ["notes.txt", "docs/guides/setup.md", "https://example.org/a b?c=d", "é/ü", "a"])
def test_a_file_id_names_its_document_and_holds_no_slash(name):
    encoded = file_id(name)
    assert "/" not in encoded and "?" not in encoded and "%" not in encoded
    assert document_id(encoded, "db") == name


@pytest.mark.parametrize("bad", ["file-123", "doc_", "doc_%%%", "doc_/w"])
def test_a_file_id_that_names_no_document_is_not_found(bad):
    with pytest.raises(DocumentNotFoundError, match="Document"):
        document_id(bad, "db")


def test_a_document_cut_short_is_in_progress():
    whole = file_object(StoredDocument("a.md", 3, {"document_chunks": 3, "source": "/src/a.md"}), "db")
    cut = file_object(StoredDocument("b.md", 2, {"document_chunks": 5}), "db")
    assert whole.status == "completed"
    assert whole.attributes == {"document_id": "a.md", "source": "/src/a.md", "chunks": 3}
    assert cut.status == "in_progress" and cut.attributes["source"] == "b.md"


def test_pages_follow_openai_order_and_cursors():
    files = [file_object(StoredDocument(name, 1, {}), "db") for name in "cabde"]
    first = page(files, limit=2, order="asc", after=None, before=None)
    assert [f.attributes["document_id"] for f in first.data] == ["a", "b"] and first.has_more
    second = page(files, limit=2, order="asc", after=first.last_id, before=None)
    assert [f.attributes["document_id"] for f in second.data] == ["c", "d"] and second.has_more
    last = page(files, limit=2, order="asc", after=second.last_id, before=None)
    assert [f.attributes["document_id"] for f in last.data] == ["e"] and not last.has_more
    newest = page(files, limit=None, order=None, after=None, before=file_id("b"))
    assert [f.attributes["document_id"] for f in newest.data] == ["e", "d", "c"]
