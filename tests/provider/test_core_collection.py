"""The Milvus core (storage) on every backend, without the stack: schema, batches, upserts, deletes."""

import asyncio
import random

import pytest
from backends import BACKENDS
from conftest import run_at_once
from milvus_servers import ROOT_TOKEN

from llama_stack_milvus.core.milvus import collection as fields
from llama_stack_milvus.core.milvus.collection import ChunkCollection
from llama_stack_milvus.core.milvus.connection import MilvusBackend, detect_features
from llama_stack_milvus.core.milvus.settings import IndexSettings
from llama_stack_milvus.core.milvus.store import ChunkStore

DIM = 8


def core_backend(backend, lite_path) -> MilvusBackend:
    if backend.name == "lite-file":
        return MilvusBackend.lite_file(str(lite_path))
    return MilvusBackend(backend.server.uri, False, backend.name, {"token": ROOT_TOKEN})


@pytest.fixture
def milvus(backend, tmp_path):
    client = core_backend(backend, tmp_path / "core.db").connect()
    features = detect_features(client, is_lite=backend.name == "lite-file")
    yield client, features
    client.close()


def rows(n, text="row", document_of=lambda i: f"doc-{i % 5}"):
    rng = random.Random(n)
    return [
        {
            fields.ID: f"id-{i}",
            fields.DOCUMENT_ID: document_of(i),
            fields.TEXT: f"{text} {i}",
            fields.VECTOR: [rng.random() for _ in range(DIM)],
            fields.METADATA: {"n": i},
            fields.EXTRA: {},
        }
        for i in range(n)
    ]


def make(milvus, request, **settings) -> ChunkCollection:
    client, features = milvus
    name = f"core_{request.node.name.split('[')[0][-30:]}_{random.randrange(10**6)}"
    collection = ChunkCollection(client, name, DIM, IndexSettings(**settings), features.full_text_search)
    collection.ensure()
    request.addfinalizer(collection.drop)
    return collection


def test_batched_upsert_counts_and_replaces(milvus, request):
    collection = make(milvus, request, insert_batch_size=100)
    assert collection.upsert(rows(350)) == 350
    assert collection.count() == 350
    assert collection.upsert(rows(350, text="changed")) == 350
    assert collection.count() == 350
    hit = collection.search_vector(rows(1)[0][fields.VECTOR], 350)
    assert all(h.row[fields.TEXT].startswith("changed") for h in hit)


def test_batches_are_bounded_by_rows_and_bytes(milvus, request):
    collection = make(milvus, request, insert_batch_size=1000, insert_batch_bytes=2_000)
    data = rows(40)
    batches = list(collection._batches(data))
    assert [row for batch in batches for row in batch] == data  # every row, in order, once
    assert len(batches) > 1 and all(len(b) <= 1000 for b in batches)
    sizes = [sum(fields._row_bytes(row) for row in batch) for batch in batches]
    assert all(size <= 2_000 for size in sizes), sizes  # the byte bound, not just "several batches"
    assert all(sizes[i] + fields._row_bytes(batches[i + 1][0]) > 2_000 for i in range(len(batches) - 1))
    by_rows = list(make(milvus, request, insert_batch_size=7)._batches(data))
    assert [len(b) for b in by_rows] == [7, 7, 7, 7, 7, 5]


def test_delete_by_ids(milvus, request):
    collection = make(milvus, request)
    collection.upsert(rows(50))
    collection.delete_ids(["id-0", "id-1", 'id-"2', "no-such-id"])
    assert collection.count() == 48
    remaining = {h.id for h in collection.search_vector([0.5] * DIM, 100)}
    assert remaining == {f"id-{i}" for i in range(2, 50)}


def test_replacing_documents_deletes_their_older_chunks_only(milvus, request):
    collection = make(milvus, request)
    store = ChunkStore(collection, milvus[1], "test")
    collection.upsert(rows(10, document_of=lambda i: f"doc-{i % 2}"))  # doc-0: ids 0,2,..8; doc-1: 1,3,..9
    newer = rows(2, text="newer", document_of=lambda i: "doc-0")  # doc-0 is now id-0 and id-1
    assert asyncio.run(store.replace_documents(newer)) == 2
    stored = {h.id: h.row[fields.DOCUMENT_ID] for h in collection.search_vector([0.5] * DIM, 100)}
    assert stored == {"id-0": "doc-0", "id-1": "doc-0", "id-3": "doc-1", "id-5": "doc-1", "id-7": "doc-1",
                      "id-9": "doc-1"}  # fmt: skip


def test_drop_removes_the_collection(milvus, request):
    collection = make(milvus, request)
    collection.upsert(rows(3))
    collection.drop()
    assert not milvus[0].has_collection(collection.name)


INDEXES = {
    "FLAT": ({}, {}),
    "IVF_FLAT": ({"nlist": 16}, {"nprobe": 4}),
    "HNSW": ({"M": 8, "efConstruction": 64}, {"ef": 32}),
}


@pytest.mark.parametrize("backend", ["lite-file", "lite-tcp"], indirect=True)
def test_hnsw_is_refused_on_milvus_lite(milvus, backend):
    with pytest.raises(ValueError, match="HNSW is not available on Milvus Lite"):
        milvus[1].check_index_type("HNSW")


@pytest.mark.parametrize(
    "backend, index_type, index_params, search_params",
    [(b, name, *params) for b in BACKENDS for name, params in INDEXES.items() if name != "HNSW" or b == "milvus-2.3"],
    indirect=["backend"],
)
def test_index_types_build_and_search_where_the_backend_has_them(
    milvus, request, index_type, index_params, search_params
):
    client, features = milvus
    features.check_index_type(index_type)
    collection = make(milvus, request, index_type=index_type, build_params=index_params, search_params=search_params)
    data = rows(200)
    collection.upsert(data)
    hits = collection.search_vector(data[7][fields.VECTOR], 5)
    assert hits[0].id == "id-7"
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)


def test_l2_scores_rank_closest_first(milvus, request):
    collection = make(milvus, request, metric_type="L2")
    data = rows(100)
    collection.upsert(data)
    hits = collection.search_vector(data[3][fields.VECTOR], 5)
    assert hits[0].id == "id-3" and hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_two_creators_of_one_collection_both_succeed_and_lose_nothing(milvus, request, backend, tmp_path):
    """Two replicas registering the same vector DB at once: neither drops what the other made."""
    client, features = milvus
    name = f"core_race_{random.randrange(10**6)}"
    # A Lite file has one server process; on a server, a second connection as another replica has.
    others = [client if backend.name == "lite-file" else core_backend(backend, None).connect()]
    if others[0] is not client:
        request.addfinalizer(others[0].close)
    collections = [ChunkCollection(c, name, DIM, IndexSettings(), features.full_text_search) for c in [client, *others]]
    request.addfinalizer(collections[0].drop)
    # Both past has_collection: the race ensure() cannot rule out.
    assert run_at_once(*(collection._create for collection in collections)) == []
    for collection in collections:
        collection.ensure()
    assert collections[0].upsert(rows(20)) == 20
    # A late creator that finds the collection made and indexed leaves it, rows included.
    collections[1]._create()
    collections[1].ensure()
    assert collections[1].count() == 20


def test_closing_one_client_leaves_the_others_of_the_same_milvus_working(backend, tmp_path):
    """Two providers (or a stack restarted in-process) on one Milvus: pymilvus would share one
    connection between same-uri clients and close it for all when one closes."""
    milvus = core_backend(backend, tmp_path / "shared.db")
    first, second = milvus.connect(), milvus.connect()
    first.close()
    assert isinstance(second.list_collections(), list)
    second.close()
