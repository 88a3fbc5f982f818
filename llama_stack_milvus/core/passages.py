"""The passages of retrieved chunks that bear on a question, within a token budget. Core: pure logic.

A small model on a CPU reads a few hundred tokens of retrieved text per answer; a 512-token chunk
cut to its head loses the sentence that answers whenever that sentence sits past the cut (the
torchtune page's `enable_activation_offloading=True`, a row deep in a Markdown table). Here each
chunk is split into units (sentences, table rows, list items, headings), every unit is scored
against the query (BM25 over the units, and the embedding model's cosine when vectors are given),
a unit next to a good one gets some of its score, and the best units are kept with what follows
them (the code or the rows a sentence leads to) and the heading before them, within the budget,
in document order, joined by a gap mark where text was left out.
"""

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

GAP_MARK = " [...] "
# Units shorter than this join the next one: a lone "1." or "::" says nothing by itself.
MIN_UNIT_CHARS = 12
# Longer units are cut at line ends or spaces, so one long paragraph cannot take the whole budget.
MAX_UNIT_CHARS = 600
# Share of a unit's score its neighbours get (a heading above a row, the line that leads to code).
NEIGHBOUR_SHARE = 0.35
# Share of the score from the embedding cosine when vectors are given; the rest is BM25.
SEMANTIC_WEIGHT = 0.5
# How much a chunk's retrieval rank counts: the first chunk's units get this much more than the last's.
RANK_PRIOR = 0.1
BM25_K1, BM25_B = 1.2, 0.75
# A window is the best unit and what follows it, up to budget / WINDOWS_PER_BUDGET tokens.
WINDOWS_PER_BUDGET = 4
MIN_WINDOW_TOKENS = 48
# The unit before the best one joins its window when it is this short (a heading, a header row).
LEAD_TOKENS = 24

# A new unit starts after a sentence end, at a blank line, and at lines that are rows, items or headings.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`*\"'(\[<:])")
_BLOCK_LINE = re.compile(r"^\s*(\||[-*+] |\d+[.)] |#{1,6} |\.\. |>|<(?:tr|li|h\d|p|td)\b)", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    "a an and are as at be by can do does for from has have how i if in is it its me my of on or "
    "should so that the their them there these this to use used uses using was what when where which "
    "who why will with you your".split()
)


@dataclass(frozen=True)
class Unit:
    chunk: int  # index of the chunk it comes from
    start: int  # character offsets into that chunk's text
    end: int


def split_units(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans covering `text`'s sentences, rows, items and headings."""
    cuts = {0, len(text)}
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not stripped or _BLOCK_LINE.match(line):
            cuts.add(offset)
            cuts.add(offset + len(line))
        for match in _SENTENCE_END.finditer(line):
            cuts.add(offset + match.end())
        offset += len(line)
    bounds = sorted(cuts)
    spans = [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b].strip()]
    return _bounded(text, _merged(text, spans))


def _merged(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and len(text[merged[-1][0] : merged[-1][1]].strip()) < MIN_UNIT_CHARS:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _bounded(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    bounded = []
    for start, end in spans:
        while end - start > MAX_UNIT_CHARS:
            piece = text[start : start + MAX_UNIT_CHARS]
            cut = max(piece.rfind("\n"), piece.rfind(" "))
            cut = cut + 1 if cut > MAX_UNIT_CHARS // 3 else MAX_UNIT_CHARS
            bounded.append((start, start + cut))
            start += cut
        bounded.append((start, end))
    return bounded


def terms(text: str) -> list[str]:
    """Lower-case words without stop words; identifiers split at `_`, `-` and case changes."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


def _stem(word: str) -> str:
    # Enough to match "dimensions" to "dimension" and "offloading" to "offload" in both texts.
    for suffix in ("ing", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def bm25_scores(query: str, texts: Sequence[str]) -> list[float]:
    """BM25 of `query` against each of `texts`, the texts themselves being the collection."""
    docs = [Counter(terms(t)) for t in texts]
    if not docs:
        return []
    lengths = [sum(d.values()) for d in docs]
    average = sum(lengths) / len(docs) or 1.0
    scores = [0.0] * len(docs)
    for term in set(terms(query)):
        holding = sum(1 for d in docs if term in d)
        if not holding:
            continue
        idf = math.log(1 + (len(docs) - holding + 0.5) / (holding + 0.5))
        for i, doc in enumerate(docs):
            count = doc.get(term, 0)
            if count:
                scores[i] += (
                    idf * count * (BM25_K1 + 1) / (count + BM25_K1 * (1 - BM25_B + BM25_B * lengths[i] / average))
                )
    return scores


def _normalised(values: Sequence[float]) -> list[float]:
    low, high = min(values, default=0.0), max(values, default=0.0)
    return [0.0] * len(values) if high <= low else [(v - low) / (high - low) for v in values]


def unit_texts(chunks: Sequence[str]) -> list[tuple[Unit, str]]:
    """Every unit of every chunk, with its text, in order."""
    return [
        (Unit(index, start, end), chunk[start:end])
        for index, chunk in enumerate(chunks)
        for start, end in split_units(chunk)
    ]


def score_units(
    query: str,
    units: Sequence[tuple[Unit, str]],
    chunk_count: int,
    similarities: Sequence[float] | None = None,
) -> list[float]:
    """A score per unit: BM25 (and cosine, when given) normalised, neighbours' share, rank prior."""
    lexical = _normalised(bm25_scores(query, [text for _, text in units]))
    if similarities is not None:
        semantic = _normalised(similarities)
        own = [SEMANTIC_WEIGHT * s + (1 - SEMANTIC_WEIGHT) * w for s, w in zip(semantic, lexical, strict=True)]
    else:
        own = lexical
    scores = []
    for i, (unit, _) in enumerate(units):
        neighbours = [own[j] for j in (i - 1, i + 1) if 0 <= j < len(units) and units[j][0].chunk == unit.chunk]
        prior = RANK_PRIOR * (1 - unit.chunk / max(chunk_count, 1))
        scores.append(own[i] + NEIGHBOUR_SHARE * max(neighbours, default=0.0) + prior)
    return scores


def select_passages(
    query: str,
    chunks: Sequence[str],
    budget: int,
    count_tokens: Callable[[str], int],
    similarities: Sequence[float] | None = None,
    units: Sequence[tuple[Unit, str]] | None = None,
) -> list[str]:
    """For each chunk, the text of its chosen units in document order ("" where none was chosen).

    The best unit not yet taken opens a window: the unit before it when that is short (a heading,
    a table's header row) and the units after it (the code or the rows its sentence leads to), up
    to a quarter of the budget; windows are taken best first while they fit. `similarities` (one
    cosine per unit of `units`, as `unit_texts` gives them) adds the embedding model's view to
    BM25's. A unit whose text an earlier chunk holds too (chunks overlap) is not taken twice.
    """
    units = list(units if units is not None else unit_texts(chunks))
    scores = score_units(query, units, len(chunks), similarities)
    costs = [count_tokens(text) + 2 for _, text in units]  # + the gap mark
    seen_texts: set[str] = set()
    repeated = set()
    for i, (_, text) in enumerate(units):
        key = " ".join(text.split())
        if key in seen_texts:
            repeated.add(i)
        seen_texts.add(key)
    window_tokens = max(MIN_WINDOW_TOKENS, budget // WINDOWS_PER_BUDGET)
    chosen: set[int] = set()
    left = budget
    for best in sorted(range(len(units)), key=lambda i: -scores[i]):
        if best in chosen or best in repeated or left <= 0:
            continue
        window = _window(units, costs, best, window_tokens, chosen | repeated)
        cost = sum(costs[i] for i in window)
        if cost > left:
            window, cost = [best], costs[best]
        if cost > left and not chosen:  # the best unit alone is over the budget: its head
            units[best] = _head(units[best], left, count_tokens)
            cost = costs[best] = count_tokens(units[best][1]) + 2
        if cost <= left:
            chosen.update(window)
            left -= cost
    return [_render(chunk, [units[i][0] for i in sorted(chosen) if units[i][0].chunk == c]) for c, chunk in
            enumerate(chunks)]  # fmt: skip


def _head(unit: tuple[Unit, str], budget: int, count_tokens: Callable[[str], int]) -> tuple[Unit, str]:
    """`unit` cut at a word to at most `budget` tokens (with the gap mark)."""
    span, text = unit
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits
        middle = (low + high + 1) // 2
        if count_tokens(text[:middle]) + 2 <= budget:
            low = middle
        else:
            high = middle - 1
    cut = text.rfind(" ", 0, low + 1) if low < len(text) else low
    cut = cut if cut > 0 else low
    return Unit(span.chunk, span.start, span.start + cut), text[:cut]


def _window(units: Sequence[tuple[Unit, str]], costs: list[int], best: int, size: int, taken: set[int]) -> list[int]:
    """`best`, the short unit before it, and the units after it in its chunk, within `size` tokens."""
    chunk = units[best][0].chunk
    window, total = [best], costs[best]
    before = best - 1
    if before >= 0 and before not in taken and units[before][0].chunk == chunk and costs[before] <= LEAD_TOKENS:
        window.insert(0, before)
        total += costs[before]
    after = best + 1
    while after < len(units) and after not in taken and units[after][0].chunk == chunk:
        if total + costs[after] > size:
            break
        window.append(after)
        total += costs[after]
        after += 1
    return window


def _render(text: str, units: list[Unit]) -> str:
    if not units:
        return ""
    pieces, end = [], 0
    for unit in units:
        between = text[end : unit.start]
        if pieces and between.strip():
            pieces.append(GAP_MARK)
        elif pieces:
            pieces.append(between)  # the blank lines between adjacent units
        elif between.strip():
            pieces.append(GAP_MARK.lstrip())
        pieces.append(text[unit.start : unit.end])
        end = unit.end
    if text[end:].strip():
        pieces.append(GAP_MARK.rstrip())
    return "".join(pieces).strip()
