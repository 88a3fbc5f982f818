"""The OpenAI-compatible vector stores and files, through our provider (after a restart:
tests/e2e/test_restart.py)."""

import io

PAGE = b"""Milvus is a vector database. It stores embeddings in collections.
HNSW is a graph index: M is the number of neighbours per node, efConstruction the build-time
candidate list, ef the search-time candidate list. IVF_FLAT splits vectors into nlist clusters."""
QUESTION = "What does ef mean in HNSW?"


def test_vector_store_lifecycle_search_filters_and_delete(client):
    store = client.vector_stores.create(name="docs", embedding_model="all-MiniLM-L6-v2", embedding_dimension=384)
    assert client.vector_stores.retrieve(store.id).name == "docs"
    assert store.id in [s.id for s in client.vector_stores.list().data]
    updated = client.vector_stores.update(store.id, name="milvus-docs", metadata={"team": "search"})
    assert updated.name == "milvus-docs"

    uploaded = client.files.create(file=("index.md", io.BytesIO(PAGE), "text/plain"), purpose="assistants")
    attached = client.vector_stores.files.create(
        vector_store_id=store.id, file_id=uploaded.id, attributes={"section": "indexes"}
    )
    assert attached.status == "completed", attached.last_error
    assert [f.id for f in client.vector_stores.files.list(vector_store_id=store.id).data] == [uploaded.id]

    def search(**kwargs):
        return client.vector_stores.search(vector_store_id=store.id, query=QUESTION, **kwargs)

    hits = search()
    assert hits.data and "efConstruction" in hits.data[0].content[0].text
    assert {(hit.file_id, hit.filename) for hit in hits.data} == {(uploaded.id, "index.md")}
    assert hits.data[0].attributes["section"] == "indexes"
    assert search(filters={"type": "eq", "key": "section", "value": "indexes"}).data
    assert search(filters={"type": "eq", "key": "section", "value": "other"}).data == []

    client.vector_stores.files.delete(vector_store_id=store.id, file_id=uploaded.id)
    assert client.vector_stores.files.list(vector_store_id=store.id).data == []
    assert search().data == []
    assert client.vector_stores.delete(store.id).deleted
    assert store.id not in [s.id for s in client.vector_stores.list().data]
