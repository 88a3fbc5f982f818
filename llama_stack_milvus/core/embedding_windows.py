"""Texts longer than an embedding model reads, embedded whole: split into overlapping windows at the
model's own limit, each window embedded, the window vectors combined into one.

all-MiniLM-L6-v2 reads 256 word-pieces; the tutorial's chunks are 1024 tokens, so a model that
truncates sees the first quarter of each chunk and nothing else (docs/benchmarks.md, "Long chunks").
"""

import threading
from collections.abc import Callable, Sequence

import numpy as np

Span = tuple[int, int]


def token_windows(count: int, limit: int, overlap: int) -> list[tuple[int, int]]:
    """[first, end) token ranges of the windows of `count` tokens: at most `limit` tokens each,
    `overlap` tokens shared by neighbours, the last one possibly shorter."""
    if limit < 1 or not 0 <= overlap < limit:
        raise ValueError(f"window limit {limit} and overlap {overlap}: need 0 <= overlap < limit")
    if count <= limit:
        return [(0, count)]
    windows, step = [], limit - overlap
    for first in range(0, count, step):
        windows.append((first, min(first + limit, count)))
        if first + limit >= count:
            return windows
    return windows


def text_windows(text: str, offsets: Sequence[Span], limit: int, overlap: int) -> tuple[list[str], list[int]]:
    """The windows of a text whose tokens start and end at `offsets` (character spans), and their
    lengths in tokens. A text that fits is one window: the whole text."""
    windows = token_windows(len(offsets), limit, overlap)
    if len(windows) == 1:
        return [text], [len(offsets)]
    return [text[offsets[first][0] : offsets[end - 1][1]] for first, end in windows], [e - f for f, e in windows]


def mean_of_windows(vectors: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """The mean of window vectors weighted by the windows' lengths in tokens (a short last window
    counts less), scaled to their mean length: unit vectors give a unit vector."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if len(vectors) == 1:
        return vectors[0]
    w = np.asarray(weights, dtype=np.float32)
    mean = (vectors * w[:, None]).sum(axis=0) / w.sum()
    length = np.linalg.norm(vectors, axis=1).mean()
    return mean * (length / (np.linalg.norm(mean) or 1.0))


def combine(vectors: np.ndarray, windows: Sequence[Sequence[int]]) -> np.ndarray:
    """One vector per text from the vectors of all texts' windows, in order; `windows` holds each
    text's window lengths in tokens."""
    combined, at = [], 0
    for lengths in windows:
        combined.append(mean_of_windows(vectors[at : at + len(lengths)], lengths))
        at += len(lengths)
    return np.stack(combined) if combined else np.asarray(vectors)


def embed_whole(
    texts: Sequence[str],
    token_offsets: Callable[[str], Sequence[Span]],
    encode: Callable[[list[str]], np.ndarray],
    limit: int,
    overlap: int,
) -> np.ndarray:
    """One vector per text, the mean of its windows' (mean_of_windows). Texts that fit are encoded
    as they are, in the same call as the windows."""
    pieces, lengths = [], []
    for text in texts:
        text_pieces, text_lengths = text_windows(text, token_offsets(text), limit, overlap)
        pieces += text_pieces
        lengths.append(text_lengths)
    return combine(np.asarray(encode(pieces), dtype=np.float32), lengths)


class WholeTextEncoder:
    """An encoder's (sentence-transformers' or OnnxEncoder's) texts embedded whole, windows of
    `overlap` tokens apart, or truncated as the model reads them (`whole=False`)."""

    def __init__(self, overlap: int, batch_size: int) -> None:
        self.overlap = overlap
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._tokenizers: dict[int, tuple] = {}

    def encode(self, encoder, texts: list[str], whole: bool = True) -> np.ndarray:
        def encode(pieces: list[str]) -> np.ndarray:
            return encoder.encode(pieces, batch_size=self.batch_size, show_progress_bar=False)

        if not whole:
            return encode(texts)
        tokenizer, limit = self._window_tokenizer(encoder)

        def token_offsets(text: str):
            return tokenizer.encode(text, add_special_tokens=False).offsets

        return embed_whole(texts, token_offsets, encode, limit, self.overlap)

    def _window_tokenizer(self, encoder):
        """A copy of the model's tokenizer that never truncates, and how many tokens of text the
        model reads. A copy: the encoding threads share the model's own, and changing its
        truncation while another thread encodes fails ("Already borrowed")."""
        with self._lock:
            if id(encoder) not in self._tokenizers:
                from tokenizers import Tokenizer

                # transformers' fast tokenizer wraps a tokenizers.Tokenizer; OnnxEncoder's is one.
                base = getattr(encoder.tokenizer, "backend_tokenizer", encoder.tokenizer)
                copy = Tokenizer.from_str(base.to_str())
                copy.no_truncation()
                copy.no_padding()
                limit = encoder.max_seq_length - base.num_special_tokens_to_add(False)
                self._tokenizers[id(encoder)] = (copy, limit)
            return self._tokenizers[id(encoder)]
