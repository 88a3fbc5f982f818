"""Fit knowledge_search's retrieved text to max_tokens_in_context: the passages that bear on the
query (`fit_passages`, the default) or the head of each chunk (`fit_to_budget`), never nothing.

Upstream's rag tool adds whole chunks while they fit and drops the first one that does not (at
ERROR level), so a budget smaller than one chunk retrieves nothing at all. A small budget is what
a slow CPU needs (the local LLM reads ~18 prompt tokens/s on 2 AVX2 cores), and the tutorial's
chunks are 1024 tokens. `fit_passages` keeps, of every chunk, the passages that bear on the query
(docs/design.md, "A turn"); `fit_to_budget` keeps every chunk that fits whole and cuts the first
that does not to what is left. Tokens are counted on the text the model reads (content and
metadata line), with the Llama 3 tokenizer upstream's chunker uses.
"""

from llama_stack.apis.common.content_types import TextContentItem
from llama_stack.apis.tools import RAGQueryResult
from llama_stack.models.llama.llama3.tokenizer import Tokenizer

from ...core import passages

# A chunk cut shorter than this says too little to be worth its header.
MIN_CUT_TOKENS = 48
CUT_MARK = " [...]"


def fit_to_budget(result: RAGQueryResult, max_tokens: int) -> RAGQueryResult:
    """`result` of upstream's query run with no token bound, cut to `max_tokens` of chunk text.

    Upstream's content is [header, one item per chunk, END line, query line]; its metadata lists
    (document_ids, chunks, scores) are cut to the chunks kept.
    """
    if not result.content or not isinstance(result.content, list) or len(result.content) < 3:
        return result
    header, *items, end, question = result.content
    metadata = dict(result.metadata or {})
    contents = list(metadata.get("chunks") or [])
    tokenizer = Tokenizer.get_instance()
    kept, left = [], max_tokens
    for index, item in enumerate(items):
        text = item.text
        tokens = tokenizer.encode(text, bos=False, eos=False)
        if len(tokens) <= left:
            kept.append(item)
            left -= len(tokens)
            continue
        if left >= MIN_CUT_TOKENS or not kept:
            content = contents[index] if index < len(contents) else None
            kept.append(TextContentItem(text=_cut(tokenizer, text, content, max(left, MIN_CUT_TOKENS))))
        break
    for key in ("document_ids", "chunks", "scores"):
        if key in metadata:
            metadata[key] = list(metadata[key])[: len(kept)]
    return RAGQueryResult(content=[header, *kept, end, question], metadata=metadata)


def _cut(tokenizer: Tokenizer, text: str, content: str | None, budget: int) -> str:
    """`text` in `budget` tokens: its chunk content shortened, the rest of the template kept."""
    if content and content in text:
        before, after = text.split(content, 1)
        frame = len(tokenizer.encode(before + CUT_MARK + after, bos=False, eos=False))
        if frame < budget:
            kept = tokenizer.decode(tokenizer.encode(content, bos=False, eos=False)[: budget - frame])
            return before + kept + CUT_MARK + after
    return tokenizer.decode(tokenizer.encode(text, bos=False, eos=False)[:budget]) + CUT_MARK


def fit_passages(
    result: RAGQueryResult,
    query: str,
    max_tokens: int,
    similarities: list[float] | None = None,
    found: list[tuple[passages.Unit, str]] | None = None,
) -> RAGQueryResult:
    """`result` of upstream's query run with no token bound, each chunk's content reduced to the
    passages that bear on `query` (passages.py), `max_tokens` in all with the chunks' frames.

    Chunks that fit whole are kept whole; a chunk none of whose passages is chosen is left out,
    with its entries in the metadata lists. `similarities`: one cosine per unit of `found`, the
    result's `units` (split once by the caller, who embeds them).
    """
    if not result.content or not isinstance(result.content, list) or len(result.content) < 3:
        return result
    header, *items, end, question = result.content
    metadata = dict(result.metadata or {})
    contents = list(metadata.get("chunks") or [])
    if len(contents) != len(items) or not items or not all(isinstance(c, str) for c in contents):
        return fit_to_budget(result, max_tokens)  # chunks of other content than text: cut, not selected
    tokenizer = Tokenizer.get_instance()

    def count(text: str) -> int:
        return len(tokenizer.encode(text, bos=False, eos=False))

    if sum(count(item.text) for item in items) <= max_tokens:
        return result
    frames = [item.text.replace(content, "", 1) for item, content in zip(items, contents, strict=True)]
    left = max(max_tokens - sum(count(frame) for frame in frames), MIN_CUT_TOKENS)
    chosen = passages.select_passages(query, contents, left, count, similarities, found)
    kept = [i for i, text in enumerate(chosen) if text]
    if not kept:  # a budget smaller than any passage: the best chunk's head, as head cutting gives
        return fit_to_budget(result, max_tokens)
    fitted = [TextContentItem(text=items[i].text.replace(contents[i], chosen[i], 1)) for i in kept]
    for key in ("document_ids", "chunks", "scores"):
        if key in metadata:
            values = list(metadata[key])
            metadata[key] = [values[i] for i in kept if i < len(values)]
    return RAGQueryResult(content=[header, *fitted, end, question], metadata=metadata)


def units(result: RAGQueryResult) -> list[tuple[passages.Unit, str]]:
    """The units passage selection scores in `result`, in the order `fit_passages` takes cosines."""
    contents = list((result.metadata or {}).get("chunks") or [])
    if not all(isinstance(c, str) for c in contents):
        return []
    return passages.unit_texts(contents)
