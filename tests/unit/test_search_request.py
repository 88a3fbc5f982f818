import pytest
from llama_stack.apis.tools import RRFRanker, WeightedRanker

from llama_stack_milvus.core.milvus.search_request import parse_search_params


def test_defaults():
    request = parse_search_params(None)
    assert (request.mode, request.k, request.score_threshold, request.ranker.kind) == ("vector", 3, None, "weighted")
    assert request.ranker.alpha == 0.3


def test_vector_io_ranker_forms():
    assert parse_search_params({"ranker": {"strategy": "rrf", "params": {"k": 10}}}).ranker.rrf_k == 10
    weighted = parse_search_params({"ranker": {"strategy": "weighted", "params": {"weights": [3, 1]}}}).ranker
    assert (weighted.kind, weighted.alpha) == ("weighted", 0.75)


def test_rag_tool_ranker_objects():
    assert parse_search_params({"ranker": RRFRanker(impact_factor=20.0)}).ranker.rrf_k == 20.0
    assert parse_search_params({"ranker": WeightedRanker(alpha=0.2)}).ranker.alpha == 0.2


def test_threshold_keeps_scores_at_or_above():
    request = parse_search_params({"score_threshold": 0.5})
    assert request.keeps(0.5) and not request.keeps(0.49)


@pytest.mark.parametrize(
    "params",
    [{"mode": "semantic"}, {"max_chunks": 0}, {"max_chunks": True}, {"score_threshold": "x"}, {"ranker": "rrf"}],
)
def test_bad_params_raise_value_error(params):
    with pytest.raises(ValueError):
        parse_search_params(params)


def test_hnsw_ef_grows_with_the_collection_unless_the_config_sets_it():
    from llama_stack_milvus.core.milvus.settings import IndexSettings

    hnsw = IndexSettings(index_type="HNSW")
    assert [hnsw.index_search_params(10, rows)["ef"] for rows in (0, 10_000, 100_000, 1_000_000, 10**9)] == [
        64, 64, 256, 1024, 2048,
    ]  # fmt: skip
    assert hnsw.index_search_params(500, 1_000)["ef"] == 500  # never below k
    given = IndexSettings(index_type="HNSW", search_params={"ef": 100})
    assert given.index_search_params(10, 1_000_000)["ef"] == 100  # the config's choice stands
    assert IndexSettings(index_type="IVF_FLAT").index_search_params(10, 1_000_000) == {"nprobe": 16}
