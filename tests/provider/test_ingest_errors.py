"""rag_tool.insert never loses data silently: a document that cannot be read fails the call with an
error naming it and the cause, and nothing of that call is stored (docs/reliability.md, case 1)."""

import time
import uuid

import httpx
import llama_stack_client
import pytest
from conftest import EMBEDDING_MODEL, stored_chunk_ids
from document_server import DocumentServer
from inprocess_stack import InProcessStack
from servers import RUN_CONFIGS, free_port

FETCH_TIMEOUT = 2
PAGE = "Milvus is a vector database. " * 40


@pytest.fixture(scope="module")
def pages():
    with DocumentServer() as server:
        server.route("/good.txt", body=PAGE)
        server.route("/same-text.txt", body=PAGE)
        server.route("/broken", status=503, content_type="text/html", body="<h1>Service Unavailable</h1>")
        server.route("/slow.txt", body=PAGE, delay=FETCH_TIMEOUT + 3)
        server.route("/logo.png", content_type="image/png", body=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
        server.route("/empty.txt", body=b"")
        server.route("/moved", status=301, body=server.url("/good.txt"))
        yield server


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    server = InProcessStack(
        RUN_CONFIGS / "milvus-lite.yaml",
        tmp_path_factory.mktemp("ingest-errors"),
        {"RAG_FETCH_TIMEOUT": str(FETCH_TIMEOUT)},
    ).start()
    yield server
    server.stop()


@pytest.fixture
def db(stack):
    vector_db_id = f"ingest-{uuid.uuid4().hex[:8]}"
    stack.client().vector_dbs.register(
        vector_db_id=vector_db_id, embedding_model=EMBEDDING_MODEL, embedding_dimension=384
    )
    return vector_db_id


def insert(stack, db, *documents, timeout=60):
    documents = [{"document_id": i, "content": c, "mime_type": "text/plain"} for i, c in documents]
    body = {"vector_db_id": db, "chunk_size_in_tokens": 128, "documents": documents}
    return httpx.post(f"{stack.base_url}/v1/tool-runtime/rag-tool/insert", json=body, timeout=timeout)


def test_a_404_page_is_never_stored_and_the_error_names_the_document(stack, db, pages):
    client = stack.client()
    with pytest.raises(llama_stack_client.BadRequestError) as raised:
        client.tool_runtime.rag_tool.insert(
            vector_db_id=db,
            chunk_size_in_tokens=128,
            documents=[
                {"document_id": "good-page", "content": pages.url("/good.txt"), "mime_type": "text/plain"},
                {"document_id": "missing-page", "content": pages.url("/missing.rst"), "mime_type": "text/plain"},
            ],
        )
    message = str(raised.value)
    assert "missing-page" in message and pages.url("/missing.rst") in message and "HTTP 404" in message
    assert "1 of 2 documents could not be read, so none was stored" in message
    assert stored_chunk_ids(client, db) == []  # neither the 404 page nor the good page of the same call


@pytest.mark.parametrize(
    ("path", "status", "cause"),
    [
        ("/broken", 502, "HTTP 503 Service Unavailable"),
        ("/logo.png", 400, "(image/png), not text or PDF"),
        ("/empty.txt", 400, "it has no text"),
    ],
)
def test_a_document_that_cannot_be_read_is_an_error_naming_it_and_why(stack, db, pages, path, status, cause):
    response = insert(stack, db, ("the-doc", pages.url(path)))
    assert response.status_code == status, response.text
    assert "the-doc" in response.text and cause in response.text
    assert stored_chunk_ids(stack.client(), db) == []


def test_a_slow_server_is_a_504_after_fetch_timeout_not_a_hang(stack, db, pages):
    started = time.monotonic()
    response = insert(stack, db, ("slow-doc", pages.url("/slow.txt")))
    elapsed = time.monotonic() - started
    assert response.status_code == 504, response.text
    assert "slow-doc" in response.text and f"did not answer within {FETCH_TIMEOUT} s" in response.text
    assert elapsed < FETCH_TIMEOUT + 10
    assert stored_chunk_ids(stack.client(), db) == []


def test_an_unreachable_host_is_a_502_naming_it(stack, db):
    url = f"http://127.0.0.1:{free_port()}/doc.txt"  # nothing listens there
    response = insert(stack, db, ("offline-doc", url))
    assert response.status_code == 502, response.text
    assert "offline-doc" in response.text and "cannot connect to 127.0.0.1" in response.text


@pytest.mark.parametrize("content", ["file:///etc/passwd", "/etc/passwd", "./notes/intro.md", "~/docs/a.txt"])
def test_local_files_are_refused_not_stored_as_text(stack, db, content):
    response = insert(stack, db, ("local-doc", content))
    assert response.status_code == 400, response.text
    assert "local-doc" in response.text and "does not read local files" in response.text
    assert stored_chunk_ids(stack.client(), db) == []


def test_redirects_are_followed_and_reinserting_replaces_chunks(stack, db, pages):
    first = insert(stack, db, ("moved-doc", pages.url("/moved")), ("copy-doc", pages.url("/same-text.txt")))
    assert first.status_code == 200, first.text
    stored = stored_chunk_ids(stack.client(), db)
    chunks = stack.client().vector_io.query(vector_db_id=db, query="Milvus", params={"max_chunks": 100}).chunks
    assert {c.metadata["document_id"] for c in chunks} == {"moved-doc", "copy-doc"}  # same text, both kept
    assert all("Milvus is a vector database" in c.content for c in chunks)
    again = insert(stack, db, ("moved-doc", pages.url("/moved")), ("copy-doc", pages.url("/same-text.txt")))
    assert again.status_code == 200, again.text
    assert stored_chunk_ids(stack.client(), db) == stored  # upserted by chunk id: no duplicates


def test_a_failed_insert_keeps_what_was_stored_before(stack, db, pages):
    assert insert(stack, db, ("good-page", pages.url("/good.txt"))).status_code == 200
    before = stored_chunk_ids(stack.client(), db)
    assert before
    assert insert(stack, db, ("missing", pages.url("/nope"))).status_code == 400
    assert stored_chunk_ids(stack.client(), db) == before


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"chunk_size_in_tokens": 0}, "chunk_size_in_tokens"),
        ({"documents": [{"document_id": "a", "content": "x"}, {"document_id": "a", "content": "y"}]}, "twice"),
        ({"documents": [{"document_id": " ", "content": "x"}]}, "document_id"),
    ],
)
def test_bad_insert_requests_are_a_400_naming_the_problem(stack, db, body, named):
    request = {"vector_db_id": db, "chunk_size_in_tokens": 64, "documents": [{"document_id": "a", "content": "x"}]}
    response = httpx.post(f"{stack.base_url}/v1/tool-runtime/rag-tool/insert", json={**request, **body}, timeout=60)
    assert response.status_code == 400, response.text
    assert named in response.text
