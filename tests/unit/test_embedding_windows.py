"""Long texts embedded whole (llama_stack_milvus/core/embedding_windows.py): window spans and their mean."""

import numpy as np
import pytest

from llama_stack_milvus.core.embedding_windows import embed_whole, text_windows, token_windows


def word_offsets(text: str) -> list[tuple[int, int]]:
    """A tokenizer stand-in: one token per word."""
    offsets, at = [], 0
    for word in text.split():
        start = text.index(word, at)
        offsets.append((start, start + len(word)))
        at = start + len(word)
    return offsets


def test_a_text_that_fits_is_one_window_of_the_whole_text():
    text = "  three short words "
    assert text_windows(text, word_offsets(text), limit=3, overlap=1) == ([text], [3])


def test_windows_cover_every_token_at_the_limit_and_overlap():
    text = " ".join(f"w{i}" for i in range(10))
    windows, lengths = text_windows(text, word_offsets(text), limit=4, overlap=1)
    assert windows == ["w0 w1 w2 w3", "w3 w4 w5 w6", "w6 w7 w8 w9"] and lengths == [4, 4, 4]


def test_the_last_window_may_be_short_and_nothing_is_left_out():
    text = " ".join(f"w{i}" for i in range(6))
    assert text_windows(text, word_offsets(text), limit=4, overlap=0) == (["w0 w1 w2 w3", "w4 w5"], [4, 2])
    assert token_windows(7, limit=4, overlap=1) == [(0, 4), (3, 7)]  # no window of the overlap alone


@pytest.mark.parametrize("limit, overlap", [(0, 0), (4, 4), (4, -1)])
def test_an_overlap_not_below_the_limit_is_refused(limit, overlap):
    with pytest.raises(ValueError, match="overlap"):
        token_windows(10, limit, overlap)


def fake_encode(pieces: list[str]) -> np.ndarray:
    """Unit vectors that say which words a piece holds: a = x axis, b = y axis."""
    vectors = np.array([[p.split().count("a"), p.split().count("b")] for p in pieces], dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_a_long_text_is_the_length_weighted_mean_of_its_windows_as_a_unit_vector():
    encoded = []

    def encode(pieces):
        encoded.append(pieces)
        return fake_encode(pieces)

    long_text = "a a a a b b"  # windows of 4 words: "a a a a" (4 tokens) and "b b" (2)
    vectors = embed_whole(["b", long_text], word_offsets, encode, limit=4, overlap=0)
    assert encoded == [["b", "a a a a", "b b"]]  # one encode call for texts and windows
    assert vectors[0] == pytest.approx([0.0, 1.0])
    expected = np.array([4.0, 2.0]) / np.linalg.norm([4.0, 2.0])
    assert vectors[1] == pytest.approx(expected, abs=1e-6)


def test_a_text_that_fits_is_encoded_as_it_is():
    vectors = embed_whole(["a b", "b"], word_offsets, fake_encode, limit=4, overlap=1)
    assert vectors == pytest.approx(fake_encode(["a b", "b"]))
