"""Bad input, generated: schemathesis sends requests made from the stack's own OpenAPI spec to the
vector_dbs, vector_io, rag_tool and vector_stores endpoints; none may answer 500, and every 4xx
says what was wrong. Hypothesis then tries filter values and ids made of quotes, backslashes and
expression syntax (docs/reliability.md, case 5)."""

import string
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from conftest import EMBEDDING_MODEL
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from servers import RUN_CONFIGS, StackServer

FUZZED_PATHS = r"^/v1/(vector-dbs|vector-io|tool-runtime/rag-tool|openai/v1/vector_stores)"
DB = "fuzz-db"
KINDS = ["alpha", "beta"]
HOSTILE = st.text(alphabet=string.printable + "'\"\\\u00e9\u4e2d\u0000", max_size=40)


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory):
    server = StackServer(RUN_CONFIGS / "milvus-lite.yaml", tmp_path_factory.mktemp("fuzz")).start()
    client = server.client()
    client.vector_dbs.register(vector_db_id=DB, embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    client.vector_io.insert(
        vector_db_id=DB,
        chunks=[
            {"content": f"fuzzing sentence {i}", "metadata": {"document_id": f"doc-{i}", "kind": KINDS[i % 2]}}
            for i in range(6)
        ],
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api_schema(fuzz_stack):
    return schemathesis.openapi.from_url(f"{fuzz_stack.base_url}/openapi.json", timeout=60)


schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex=FUZZED_PATHS)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same requests in every run: a CI failure can be replayed
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_never_get_a_500(case, fuzz_stack):
    response = case.call(base_url=fuzz_stack.base_url, timeout=120)
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code != 500, f"{where} answered 500: {response.text[:400]}\n{case.as_curl_command()}"
    if 400 <= response.status_code < 500:
        assert _message(response), f"{where} answered {response.status_code} without a message"


def _message(response) -> str:
    """The reason a 4xx gives: Llama Stack answers {"detail": "..."} or, for a request that fails
    validation, {"error": {"detail": {"errors": [{"loc": [...], "msg": "..."}]}}}."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, dict) and detail.get("errors"):
        return "; ".join(f"{'.'.join(map(str, e.get('loc', [])))}: {e.get('msg')}" for e in detail["errors"])
    return str(detail or "").strip()


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(value=HOSTILE, op=st.sampled_from(["eq", "ne", "in", "nin"]))
def test_hostile_filter_values_never_widen_a_match(fuzz_stack, value, op):
    """A filter value is data: whatever it holds, it matches only chunks whose field equals it."""
    filter_value = [value] if op in ("in", "nin") else value
    body = {"vector_db_id": DB, "query": "fuzzing sentence",
            "params": {"max_chunks": 50, "filters": {"type": op, "key": "kind", "value": filter_value}}}  # fmt: skip
    response = httpx.post(f"{fuzz_stack.base_url}/v1/vector-io/query", json=body, timeout=60)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:  # refused: it must say why
        assert response.json()["detail"]
    elif op in ("eq", "in"):
        kinds = [c["metadata"]["kind"] for c in response.json()["chunks"]]
        assert all(k == value for k in kinds)  # never more than the exact match
    else:
        kinds = [c["metadata"]["kind"] for c in response.json()["chunks"]]
        assert sorted(kinds) == sorted(k for k in KINDS * 3 if k != value)  # never less than the rest


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(vector_db_id=HOSTILE.filter(lambda s: s.strip() != ""))
def test_unusual_vector_db_ids_work_or_are_refused_clearly(fuzz_stack, vector_db_id):
    client = httpx.Client(base_url=fuzz_stack.base_url, timeout=60)
    registered = client.post(
        "/v1/vector-dbs",
        json={"vector_db_id": vector_db_id, "embedding_model": EMBEDDING_MODEL, "embedding_dimension": 384},
    )
    assert registered.status_code in (200, 400), registered.text
    if registered.status_code == 400:  # refused: it must say why
        assert registered.json()["detail"]
    else:
        assert_usable_and_separate(client, vector_db_id)


def assert_usable_and_separate(client: httpx.Client, vector_db_id: str) -> None:
    """A vector DB with an unusual id stores, finds and is dropped in its own collection."""
    inserted = client.post(
        "/v1/vector-io/insert",
        json={"vector_db_id": vector_db_id, "chunks": [{"content": "odd id", "metadata": {"document_id": "d"}}]},
    )
    assert inserted.status_code == 200, inserted.text
    found = client.post("/v1/vector-io/query", json={"vector_db_id": vector_db_id, "query": "odd id"})
    assert found.status_code == 200 and [c["content"] for c in found.json()["chunks"]] == ["odd id"]
    other = client.post(
        "/v1/vector-io/query", json={"vector_db_id": DB, "query": "odd id", "params": {"max_chunks": 50}}
    )
    assert "odd id" not in [c["content"] for c in other.json()["chunks"]]  # its own collection, nobody else's
    assert client.delete(f"/v1/vector-dbs/{quote(vector_db_id, safe='')}").status_code in (200, 204, 400, 404)
