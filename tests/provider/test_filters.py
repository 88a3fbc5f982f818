"""Metadata filters run inside Milvus, and no value or key can widen what they match."""

import uuid

import pytest
from conftest import EMBEDDING_MODEL

ROWS = [
    {"document_id": "d1", "lang": "en", "year": 2019, "tag": "plain"},
    {"document_id": "d2", "lang": "en", "year": 2021, "tag": 'he said "hi"'},
    {"document_id": "d3", "lang": "fr", "year": 2022, "tag": "back\\slash"},
    {"document_id": "d4", "lang": "de", "year": 2023, "tag": "x' or 1==1 or '"},
]


@pytest.fixture(scope="module")
def filter_db(client):
    vector_db_id = f"filters-{uuid.uuid4().hex[:8]}"
    client.vector_dbs.register(vector_db_id=vector_db_id, embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    client.vector_io.insert(
        vector_db_id=vector_db_id,
        chunks=[{"content": f"document about topic {m['document_id']}", "metadata": m} for m in ROWS],
    )
    return vector_db_id


def matching(client, vector_db_id, filters, mode="vector"):
    response = client.vector_io.query(
        vector_db_id=vector_db_id,
        query="document about topic",
        params={"mode": mode, "max_chunks": 100, "filters": filters},
    )
    return sorted(c.metadata["document_id"] for c in response.chunks)


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"type": "eq", "key": "lang", "value": "en"}, ["d1", "d2"]),
        ({"type": "ne", "key": "lang", "value": "en"}, ["d3", "d4"]),
        ({"type": "gt", "key": "year", "value": 2021}, ["d3", "d4"]),
        ({"type": "gte", "key": "year", "value": 2021}, ["d2", "d3", "d4"]),
        ({"type": "lt", "key": "year", "value": 2021}, ["d1"]),
        ({"type": "lte", "key": "year", "value": 2021}, ["d1", "d2"]),
        ({"type": "in", "key": "lang", "value": ["fr", "de"]}, ["d3", "d4"]),
        ({"type": "nin", "key": "lang", "value": ["fr", "de"]}, ["d1", "d2"]),
        (
            {
                "type": "and",
                "filters": [{"type": "eq", "key": "lang", "value": "en"}, {"type": "gt", "key": "year", "value": 2020}],
            },
            ["d2"],
        ),
        (
            {
                "type": "or",
                "filters": [{"type": "eq", "key": "lang", "value": "fr"}, {"type": "lt", "key": "year", "value": 2020}],
            },
            ["d1", "d3"],
        ),
        ({"type": "eq", "key": "tag", "value": 'he said "hi"'}, ["d2"]),
        ({"type": "eq", "key": "tag", "value": "back\\slash"}, ["d3"]),
        ({"type": "eq", "key": "tag", "value": "x' or 1==1 or '"}, ["d4"]),
    ],
)
def test_filters_select_exactly_the_matching_chunks(client, filter_db, filters, expected):
    assert matching(client, filter_db, filters) == expected


@pytest.mark.parametrize(
    "filters",
    [
        {"type": "eq", "key": "lang", "value": 'en" or metadata["lang"] != "x'},
        {"type": "eq", "key": "lang", "value": 'en\\" or 1 == 1 or \\"'},
        {"type": "eq", "key": "lang", "value": "en' || true || '"},
        {"type": "eq", "key": 'lang"] != "x" or metadata["lang', "value": "en"},
        {"type": "in", "key": "lang", "value": ['en"] or chunk_id != "']},
    ],
)
def test_injection_cannot_widen_a_match(client, filter_db, filters):
    assert matching(client, filter_db, filters) == []


# Milvus 2.3.5 has no BM25: its refusal of keyword and hybrid search is asserted in test_tutorial.
@pytest.mark.parametrize("backend", ["lite-file", "lite-tcp"], indirect=True)
def test_filters_apply_in_keyword_and_hybrid_search(backend, client, filter_db):
    assert backend.keyword_search
    for mode in ("keyword", "hybrid"):
        assert matching(client, filter_db, {"type": "eq", "key": "lang", "value": "fr"}, mode) == ["d3"]


@pytest.mark.parametrize(
    "filters, named",
    [
        ({"type": "like", "key": "lang", "value": "e%"}, "filter type"),
        ({"type": "eq", "value": "en"}, "key"),
        ({"type": "gt", "key": "year", "value": "2020"}, "needs a number"),
        ({"type": "in", "key": "lang", "value": "en"}, "list"),
        ({"type": "eq", "key": "lang", "value": {"$ne": 1}}, "string, number or boolean"),
        ({"type": "and", "filters": []}, "non-empty list"),
    ],
)
def test_bad_filters_are_a_400_naming_the_problem(stack, filter_db, filters, named):
    import httpx

    response = httpx.post(
        f"{stack.base_url}/v1/vector-io/query",
        json={"vector_db_id": filter_db, "query": "x", "params": {"filters": filters}},
        timeout=60,
    )
    assert response.status_code == 400 and named in response.text
