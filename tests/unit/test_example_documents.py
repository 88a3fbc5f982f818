"""The document loading and chunking of examples/milvus_vllm_rag.py."""

import importlib.util
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "milvus_vllm_rag", Path(__file__).resolve().parents[2] / "examples" / "milvus_vllm_rag.py"
)
example = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(example)


def test_chunks_respect_size_and_overlap():
    text = " ".join(f"word{i}" for i in range(400))
    chunks = example.split_text(text, 100, 10)
    assert all(len(c) <= 100 for c in chunks)
    assert " ".join(chunks).split()[-1] == "word399"
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.split()[0] in before  # neighbours share the overlap


def test_paragraph_boundaries_are_preferred():
    text = "a" * 60 + "\n\n" + "b" * 60
    assert example.split_text(text, 100, 10)[0] == "a" * 60


def test_short_text_is_one_chunk_and_bad_sizes_are_refused():
    assert example.split_text("short", 512, 51) == ["short"]
    with pytest.raises(ValueError, match="larger than the overlap"):
        example.split_text("x", 10, 10)


def test_html_is_read_as_text(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><style>x{}</style><body><h1>Title</h1><p>Body <b>bold</b></p></body></html>")
    (tmp_path / "skip.bin").write_bytes(b"\x00")
    (tmp_path / "n.md").write_text("# Notes\n")
    documents = example.load_folder(tmp_path)
    assert set(documents) == {"p.html", "n.md"}
    assert "x{}" not in documents["p.html"] and "Title" in documents["p.html"] and "Body bold" in documents["p.html"]
