"""Passage selection hands the model the sentences that answer, within the budget (pure logic)."""

from pathlib import Path

from llama_stack.apis.common.content_types import TextContentItem
from llama_stack.apis.tools import RAGQueryResult
from llama_stack.models.llama.llama3.tokenizer import Tokenizer

from llama_stack_milvus.core.passages import GAP_MARK, bm25_scores, select_passages, split_units, terms
from llama_stack_milvus.providers.inline_rag_runtime.context_budget import fit_passages, fit_to_budget

DATA = Path(__file__).resolve().parent.parent / "data"
MEMORY_PAGE = (DATA / "torchtune" / "memory_optimizations.rst").read_text()
LIMITS_TABLE = """## Number of resources in a collection

| Resource     | Limit|
| ----------- | ----------- |
| Partition      | 4,096       |
| Shard   | 16        |

## Dimensions of a vector
| Property      | Limit |
| ----------- | ----------- |
| Dimension      | 32,768       |
"""


def tokens(text: str) -> int:
    return len(Tokenizer.get_instance().encode(text, bos=False, eos=False))


def chunk_holding(text: str, fact: str, tokens_before: int) -> str:
    """A 512-token-like chunk of `text` whose `fact` sits about `tokens_before` tokens in."""
    at = text.index(fact)
    return text[max(0, at - 4 * tokens_before) : at + 1200]


def upstream_result(contents: list[str], query: str) -> RAGQueryResult:
    items = [TextContentItem(text=f"Result {i + 1}\nContent: {c}\nMetadata: {{'document_id': 'doc-{i + 1}'}}\n")
             for i, c in enumerate(contents)]  # fmt: skip
    return RAGQueryResult(
        content=[TextContentItem(text=f"knowledge_search tool found {len(contents)} chunks:\n"), *items,
                 TextContentItem(text="END of knowledge_search tool results.\n"),
                 TextContentItem(text=f'The above results were retrieved to help answer the query: "{query}".\n')],
        metadata={"document_ids": [f"doc-{i + 1}" for i in range(len(contents))], "chunks": contents,
                  "scores": [1.0 - i / 10 for i in range(len(contents))]},
    )  # fmt: skip


def test_the_sentence_that_answers_is_kept_where_the_head_cut_loses_it():
    query = "How do I enable activation offloading in torchtune?"
    chunk = chunk_holding(MEMORY_PAGE, "e.g. ``enable_activation_offloading=True``", tokens_before=450)
    result = upstream_result([chunk, MEMORY_PAGE[:2000]], query)
    budget = 300

    head = "".join(item.text for item in fit_to_budget(result, budget).content)
    fitted = fit_passages(result, query, budget)
    text = "".join(item.text for item in fitted.content)

    assert "enable_activation_offloading=True" not in head
    assert "enable_activation_offloading=True" in text
    assert tokens("".join(item.text for item in fitted.content[1:-2])) <= budget
    assert "doc-1" in text and fitted.metadata["document_ids"][0] == "doc-1"


def test_a_table_row_comes_with_its_heading():
    [kept] = select_passages("What is the maximum dimension of a vector?", [LIMITS_TABLE], 40, tokens)
    assert "32,768" in kept and "Dimensions of a vector" in kept
    assert "4,096" not in kept


def test_passages_keep_document_order_and_mark_what_was_left_out():
    text = "Alpha is first. " + "Filler sentence here. " * 30 + "Omega holds the answer: 42. " + "Tail text. " * 30
    [kept] = select_passages("What does omega hold?", [text], 30, tokens)
    assert "Omega holds the answer: 42. Tail text." in kept  # the window runs on after the best unit
    before, after = kept.split("Omega holds", 1)
    assert before.rstrip().endswith(GAP_MARK.strip()) and kept.endswith(GAP_MARK.strip())
    assert "Filler" not in kept


def test_chunks_that_fit_stay_whole_and_unchosen_chunks_leave_the_metadata():
    small = upstream_result(["short chunk one.", "short chunk two."], "q")
    assert fit_passages(small, "q", 1000) == small
    query = "How do I enable activation offloading?"
    unrelated = "Bananas are yellow and grow in bunches. " * 60
    relevant = chunk_holding(MEMORY_PAGE, "e.g. ``enable_activation_offloading=True``", tokens_before=100)
    fitted = fit_passages(upstream_result([unrelated, relevant], query), query, 120)
    assert fitted.metadata["document_ids"] == ["doc-2"]
    assert len(fitted.metadata["chunks"]) == len(fitted.metadata["scores"]) == 1


def test_a_budget_smaller_than_any_passage_still_gives_the_best_chunks_opening():
    one_long_sentence = "Grouped-query attention " + "and more words " * 200 + "ends here."
    fitted = fit_passages(upstream_result([one_long_sentence], "attention"), "attention", 64)
    assert "Grouped-query attention" in "".join(item.text for item in fitted.content)


def test_units_cover_sentences_rows_and_headings():
    spans = split_units(LIMITS_TABLE)
    texts = [LIMITS_TABLE[a:b].strip() for a, b in spans]
    assert "| Dimension      | 32,768       |" in texts
    assert all(b <= c for (_, b), (c, _) in zip(spans, spans[1:], strict=False))


def test_identifiers_match_the_words_of_a_question():
    assert {"activation", "offload"} <= set(terms("enable_activation_offloading=True"))
    scores = bm25_scores("activation offloading", ["use enable_activation_offloading", "use dtype=bf16"])
    assert scores[0] > scores[1] == 0
