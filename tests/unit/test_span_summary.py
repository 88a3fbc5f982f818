"""Telemetry spans keep a bounded summary of API arguments and results (patches/span_attributes.py)."""

from llama_stack.apis.vector_io import Chunk

from llama_stack_milvus.core.span_summary import MAX_TEXT, summarize


def test_embeddings_become_a_count_and_long_lists_are_cut():
    chunks = [Chunk(content=f"chunk {i}", metadata={"document_id": str(i)}, embedding=[0.5] * 384) for i in range(300)]
    summary = summarize(chunks)
    assert "<384 numbers>" in summary and "... 295 more" in summary and "chunk 4" in summary
    assert "chunk 5" not in summary and len(summary) < 2000


def test_long_text_is_cut_and_small_values_kept():
    assert summarize("x" * 10_000).endswith("... (10000 characters)")
    assert len(summarize("x" * 10_000)) < MAX_TEXT + 40
    assert summarize({"k": 3, "flag": True, "none": None}) == "{'k': 3, 'flag': True, 'none': None}"
    assert summarize([0.1, 0.2]) == "[0.1, 0.2]"
