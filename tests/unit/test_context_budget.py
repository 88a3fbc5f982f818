"""knowledge_search's token budget cuts the chunk that does not fit instead of dropping it."""

from llama_stack.apis.common.content_types import TextContentItem
from llama_stack.apis.tools import RAGQueryResult
from llama_stack.models.llama.llama3.tokenizer import Tokenizer

from llama_stack_milvus.providers.inline_rag_runtime.context_budget import CUT_MARK, fit_to_budget

TEMPLATE = "Result {index}\nContent: {content}\nMetadata: {{'document_id': 'num-{index}'}}\n"


def upstream_result(contents: list[str]) -> RAGQueryResult:
    """What upstream's query returns when no chunk is over the budget."""
    items = [TextContentItem(text=TEMPLATE.format(index=i + 1, content=c)) for i, c in enumerate(contents)]
    return RAGQueryResult(
        content=[
            TextContentItem(
                text=f"knowledge_search tool found {len(contents)} chunks:\nBEGIN of knowledge_search tool results.\n"
            ),
            *items,
            TextContentItem(text="END of knowledge_search tool results.\n"),
            TextContentItem(text='The above results were retrieved to help answer the user\'s query: "q".\n'),
        ],
        metadata={"document_ids": [f"num-{i + 1}" for i in range(len(contents))], "chunks": contents,
                  "scores": [1.0 - i / 10 for i in range(len(contents))]},
    )  # fmt: skip


def tokens(text: str) -> int:
    return len(Tokenizer.get_instance().encode(text, bos=False, eos=False))


def chunk_texts(result: RAGQueryResult) -> list[str]:
    return [item.text for item in result.content[1:-2]]


def test_chunks_that_fit_are_kept_whole():
    result = upstream_result(["alpha " * 20, "beta " * 20])
    fitted = fit_to_budget(result, 1000)
    assert chunk_texts(fitted) == chunk_texts(result)
    assert fitted.metadata == result.metadata


def test_a_budget_smaller_than_the_first_chunk_still_gives_its_beginning():
    first = "Llama3-8B uses grouped-query attention. " + "More text about the model. " * 400
    fitted = fit_to_budget(upstream_result([first, "another chunk " * 50]), 300)
    [text] = chunk_texts(fitted)
    assert "grouped-query attention" in text and text.endswith(CUT_MARK + "\nMetadata: {'document_id': 'num-1'}\n")
    assert tokens(text) <= 300 + 2  # the mark's own tokens may merge differently when joined
    assert fitted.metadata["document_ids"] == ["num-1"] and len(fitted.metadata["scores"]) == 1
    assert fitted.content[0].text.startswith("knowledge_search tool found")
    assert fitted.content[-2].text.startswith("END of knowledge_search")


def test_the_chunk_past_the_budget_is_cut_to_what_is_left():
    first, second = "first chunk words " * 30, "second chunk words " * 300
    budget = tokens(TEMPLATE.format(index=1, content=first)) + 120
    fitted = fit_to_budget(upstream_result([first, second, "third " * 10]), budget)
    texts = chunk_texts(fitted)
    assert len(texts) == 2 and texts[0] == TEMPLATE.format(index=1, content=first)
    assert CUT_MARK in texts[1] and "num-2" in texts[1]
    assert sum(tokens(t) for t in texts) <= budget + 2
    assert fitted.metadata["document_ids"] == ["num-1", "num-2"]


def test_a_sliver_of_budget_is_not_spent_on_a_cut_chunk():
    first = "first chunk words " * 30
    budget = tokens(TEMPLATE.format(index=1, content=first)) + 10
    fitted = fit_to_budget(upstream_result([first, "second " * 100]), budget)
    assert chunk_texts(fitted) == [TEMPLATE.format(index=1, content=first)]


def test_nothing_found_passes_through():
    empty = RAGQueryResult(content=None)
    assert fit_to_budget(empty, 100) is empty
