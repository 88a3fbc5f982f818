"""Two OGX servers with our remote::milvus provider on one Milvus (Milvus Lite served over TCP) and
one PostgreSQL (run-configs/ogx/milvus-server-postgres.yaml, as shipped): a store one replica
makes and fills, the other lists, reads and searches, and the other way round; a deletion on one
is seen by the other. OGX's registry answers lists from memory refreshed every 5 s
(CachedDiskDistributionRegistry's cache_ttl_seconds), so lists agree within that."""

import io
import time

import pytest
import yaml
from milvus_servers import LiteTcpServer
from ogx_server import (
    OgxServer,
    bundled_model_path,
    ogx_environment,  # noqa: F401 - the module-scoped check of .venv-ogx and the sdist
)
from openai import BadRequestError, OpenAI
from postgres_server import PostgresServer
from servers import REPO

CONFIG = yaml.safe_load((REPO / "run-configs" / "ogx" / "milvus-server-postgres.yaml").read_text())


def client(server: OgxServer) -> OpenAI:
    return OpenAI(base_url=f"{server.base_url}/v1", api_key="none", timeout=300, max_retries=0)


def attach(api: OpenAI, store_id: str, filename: str, text: str) -> str:
    uploaded = api.files.create(file=(filename, io.BytesIO(text.encode()), "text/markdown"), purpose="assistants")
    attached = api.vector_stores.files.create(vector_store_id=store_id, file_id=uploaded.id)
    assert attached.status == "completed", attached.last_error
    return uploaded.id


REGISTRY_TTL = 5.0  # OGX 1.5's registry cache


def eventually(holds, what: str, seconds: float = REGISTRY_TTL + 5) -> None:
    """Another replica's writes are visible within the time tick (Milvus) or the registry's TTL."""
    deadline = time.monotonic() + seconds
    while not holds():
        assert time.monotonic() < deadline, f"not within {seconds:g} s: {what}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    work = tmp_path_factory.mktemp("ogx-replicas")
    postgres = PostgresServer().start()
    milvus = LiteTcpServer(work / "milvus" / "replicas.db").start()
    env = {**postgres.env(), "MILVUS_URI": milvus.uri, "MILVUS_TOKEN": "", "FILES_DIR": str(work / "files"),
           "EMBEDDING_MODEL_PATH": bundled_model_path()}  # fmt: skip
    servers = [OgxServer(CONFIG, work / name, env=env) for name in ("a", "b")]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
        milvus.stop()
        postgres.stop()


def test_what_one_replica_stores_the_other_lists_reads_and_searches(replicas):
    a, b = (client(server) for server in replicas)
    store = a.vector_stores.create(name="shared")
    attach(a, store.id, "hnsw.md", "# HNSW\n\nHNSW is a graph index; ef is its search-time candidate list.")
    assert b.vector_stores.retrieve(store.id).name == "shared"
    eventually(lambda: store.id in {s.id for s in b.vector_stores.list().data}, "the other replica lists the store")
    assert [f.filename for f in b.vector_stores.search(vector_store_id=store.id, query="what is ef in HNSW").data] == [
        "hnsw.md"
    ]
    attach(b, store.id, "ivf.md", "# IVF_FLAT\n\nIVF_FLAT clusters vectors into nlist buckets and probes nprobe.")

    def a_finds_ivf() -> bool:
        hits = a.vector_stores.search(vector_store_id=store.id, query="nprobe buckets of IVF_FLAT").data
        return [h.filename for h in hits[:1]] == ["ivf.md"]

    eventually(a_finds_ivf, "the first replica finds the file the second attached")
    assert len(a.vector_stores.files.list(vector_store_id=store.id).data) == 2


def test_a_store_deleted_on_one_replica_is_gone_on_the_other(replicas):
    a, b = (client(server) for server in replicas)
    store = b.vector_stores.create(name="short-lived")
    attach(b, store.id, "note.md", "A note on graph indexes.")
    assert a.vector_stores.retrieve(store.id).id == store.id
    a.vector_stores.delete(store.id)
    eventually(lambda: store.id not in {s.id for s in b.vector_stores.list().data}, "the store is gone on the other")
    # OGX answers an unknown store id, deleted or never made, with a 400 naming it.
    with pytest.raises(BadRequestError, match=f"Vector Store '{store.id}' not found"):
        b.vector_stores.search(vector_store_id=store.id, query="graph")
    with pytest.raises(BadRequestError, match=f"Vector Store '{store.id}' not found"):
        b.vector_stores.retrieve(store.id)
