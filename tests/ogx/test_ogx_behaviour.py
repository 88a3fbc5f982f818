"""Our behaviour through OGX's API (OpenAI-compatible vector stores, files, search), on OGX 1.5
with our provider and the embedded config's real embeddings (all-MiniLM-L6-v2 on the CPU): what
survives a restart, filters whose values hold quotes, the search modes, tenants, and the embeddings
(our inline::onnx-embeddings: ONNX Runtime, no torch, long texts whole)."""

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
from ogx_server import (
    OGX_PYTHON,
    OgxServer,
    bundled_model_path,
    embedded_config,
    ogx_environment,  # noqa: F401 - the module-scoped check of .venv-ogx and the sdist
)
from openai import BadRequestError, OpenAI

PAGES = {
    "hnsw.md": "# HNSW\n\nHNSW is a graph index. ef is the search-time candidate list; M is the graph degree.",
    "ivf.md": "# IVF_FLAT\n\nIVF_FLAT clusters vectors into nlist buckets and probes nprobe of them.",
    "quotes.md": '# Quoting\n\nThe manual says "use double quotes" around string literals in filters.',
}
TITLES = {"hnsw.md": "HNSW", "ivf.md": "IVF", "quotes.md": "He said \"quote\" and 'left'"}


@pytest.fixture(scope="module")
def model_path():
    return bundled_model_path()


def client(server: OgxServer) -> OpenAI:
    return OpenAI(base_url=f"{server.base_url}/v1", api_key="none", timeout=300, max_retries=0)


def store_with_pages(api: OpenAI, name: str = "docs") -> str:
    store = api.vector_stores.create(name=name)
    for filename, text in PAGES.items():
        uploaded = api.files.create(file=(filename, io.BytesIO(text.encode()), "text/markdown"), purpose="assistants")
        attached = api.vector_stores.files.create(
            vector_store_id=store.id, file_id=uploaded.id, attributes={"title": TITLES[filename]}
        )
        assert attached.status == "completed", attached.last_error
    return store.id


def found(api: OpenAI, store_id: str, query: str, **options) -> list[str]:
    page = api.vector_stores.search(vector_store_id=store_id, query=query, **options)
    return [hit.filename for hit in page.data]


@pytest.fixture(scope="module")
def ogx(tmp_path_factory, model_path):
    server = OgxServer(embedded_config(), tmp_path_factory.mktemp("ogx"), env={"EMBEDDING_MODEL_PATH": model_path})
    yield server.start()
    server.stop()


@pytest.fixture(scope="module")
def docs(ogx):
    return store_with_pages(client(ogx))


@pytest.mark.parametrize("mode", ["vector", "keyword", "hybrid"])
def test_each_search_mode_finds_the_page_that_answers(ogx, docs, mode):
    assert found(client(ogx), docs, "what is ef in HNSW", extra_body={"search_mode": mode})[0] == "hnsw.md"


def test_a_filter_value_with_quotes_matches_exactly_that_file(ogx, docs):
    api = client(ogx)
    quoted = {"type": "eq", "key": "title", "value": TITLES["quotes.md"]}
    assert found(api, docs, "string literals", filters=quoted) == ["quotes.md"]
    hostile = {"type": "eq", "key": "title", "value": 'HNSW" or metadata["title"] != "x'}
    assert found(api, docs, "graph index", filters=hostile) == []


def test_a_bad_filter_is_a_400_naming_it(ogx, docs):
    with pytest.raises(BadRequestError, match="filter 'gt' on 'title' needs a number"):
        client(ogx).vector_stores.search(
            vector_store_id=docs, query="graph", filters={"type": "gt", "key": "title", "value": "HNSW"}
        )


def test_stores_files_and_search_survive_a_restart(ogx, docs):
    api = client(ogx)
    before = found(api, docs, "what is ef in HNSW", extra_body={"search_mode": "hybrid"})
    files_before = sorted(f.id for f in api.vector_stores.files.list(vector_store_id=docs).data)
    ogx.stop()
    ogx.start()
    api = client(ogx)
    assert docs in {s.id for s in api.vector_stores.list().data}
    assert sorted(f.id for f in api.vector_stores.files.list(vector_store_id=docs).data) == files_before
    assert found(api, docs, "what is ef in HNSW", extra_body={"search_mode": "hybrid"}) == before


def test_embeddings_run_on_onnx_runtime_without_torch_and_read_a_long_text_whole(ogx):
    api = client(ogx)
    (model,) = [m.id for m in api.models.list() if "MiniLM" in m.id]
    filler = "Vector databases store embeddings and answer nearest-neighbour queries. " * 40  # ~440 tokens
    ends = ["The answer is that Milvus shards collections.", "The answer is that llamas graze on grass."]
    vectors = [np.array(e.embedding) for e in api.embeddings.create(model=model, input=[filler + e for e in ends]).data]
    cosine = vectors[0] @ vectors[1] / np.linalg.norm(vectors[0]) / np.linalg.norm(vectors[1])
    assert cosine < 0.999, cosine  # truncated to the first 256 word-pieces, both would be the same vector
    maps = Path(f"/proc/{ogx.process.pid}/maps").read_text()
    assert "onnxruntime" in maps and "libtorch" not in maps


def test_the_set_up_export_runs_in_ogxs_environment(tmp_path, model_path):
    """scripts/ogx.sh exports with .venv-ogx's transformers (5.x), whose BertModel takes its inputs
    in another order than 0.2.20's 4.x: the export passes them by name."""
    done = subprocess.run([str(OGX_PYTHON), "-m", "llama_stack_milvus.ogx.embeddings", "--model", model_path,
                           "--onnx-dir", str(tmp_path)], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    exported = Path(done.stdout.strip().rsplit(": ", 1)[1])
    assert exported.name == "model.onnx" and exported.stat().st_size > 10**7


def test_tenants_share_one_collection_and_see_only_their_own(tmp_path, model_path):
    env = {"EMBEDDING_MODEL_PATH": model_path}
    with OgxServer(embedded_config(tenancy="partition_key"), tmp_path, env=env) as server:
        api = client(server)
        first = store_with_pages(api, "first")
        second = api.vector_stores.create(name="second").id
        note = api.files.create(file=("note.md", io.BytesIO(b"A note on HNSW graphs."), "text/markdown"),
                                purpose="assistants")  # fmt: skip
        api.vector_stores.files.create(vector_store_id=second, file_id=note.id)
        assert found(api, second, "HNSW graph index") == ["note.md"]
        assert "note.md" not in found(api, first, "HNSW graph index")
        api.vector_stores.delete(second)
        assert found(api, first, "what is ef in HNSW")[0] == "hnsw.md"
    created = [line for line in server.log_text().splitlines() if "creating Milvus collection" in line]
    assert len(created) == 1 and "lsm_vector_dbs_384d" in created[0]
