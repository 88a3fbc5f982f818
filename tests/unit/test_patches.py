"""Each patch of Llama Stack 0.2.20: the upstream behaviour (the wrapped original) and the fixed one,
in-process; and the version guard that refuses any other Llama Stack."""

import asyncio
import importlib
import logging
import subprocess
import sys

import pytest

from llama_stack_milvus import import_patches, patches
from llama_stack_milvus.core.errors import ServiceUnavailableError


@pytest.fixture(scope="module", autouse=True)
def applied():
    import_patches.install()
    patches.apply_all()


def run(coro):
    return asyncio.run(coro)


def test_another_llama_stack_is_refused_naming_the_supported_one():
    patches.check_llama_stack_version("0.2.20")
    with pytest.raises(patches.UnsupportedLlamaStackError, match=r"llama-stack==0\.2\.20.*0\.7\.1 is installed"):
        patches.check_llama_stack_version("0.7.1")


IMPORT_TIME_PATCHES = {  # patch module -> (patched Llama Stack module, the attributes it wraps)
    "redaction": ("llama_stack.core.utils.config", ["redact_sensitive_fields"]),
    "offline_build": ("llama_stack.core.build", ["get_provider_dependencies"]),
    "none_folder": ("llama_stack.cli.stack.run", ["os.makedirs"]),
}


def test_every_patch_wraps_its_original_and_names_the_upstream_bug():
    for name in patches.RUNTIME_PATCHES:
        module = importlib.import_module(f"llama_stack_milvus.patches.{name}")
        assert "Upstream bug (llama-stack 0.2.20" in module.__doc__ and "Upstream since:" in module.__doc__
        assert module.apply.applied


def test_import_time_patches_are_installed_only_where_a_stack_runs():
    assert import_patches.runs_llama_stack("/venv/bin/llama", ["/venv/bin/python", "/venv/bin/llama", "stack", "run"])
    assert import_patches.runs_llama_stack("-m", ["python", "-m", "llama_stack.core.server.server", "--port", "1"])
    assert not import_patches.runs_llama_stack("-c", ["python", "-c", "import llama_stack"])
    assert not import_patches.runs_llama_stack("/venv/bin/llama-stack-milvus", ["python", "llama-stack-milvus"])
    assert not import_patches.runs_llama_stack("-m", ["python", "-m", "pytest", "-k", "llama_stack"])
    hooked = "import sys; print(any(type(f).__name__ == '_PatchOnImport' for f in sys.meta_path))"
    plain = subprocess.run([sys.executable, "-c", hooked], capture_output=True, text=True, check=True)
    assert plain.stdout.strip() == "False"  # an interpreter of the venv that runs no stack: no hook


def test_every_import_time_patch_wraps_its_original_and_names_the_upstream_bug():
    import llama_stack.cli.stack._build as build_cli

    assert build_cli._generate_run_config.__wrapped__ is not None
    for name, (target, attributes) in IMPORT_TIME_PATCHES.items():
        doc = importlib.import_module(f"llama_stack_milvus.patches.{name}").__doc__
        assert "Upstream since:" in doc and "0.2.20" in doc, name
        patched = importlib.import_module(target)
        for path in attributes:
            value = patched
            for part in path.split("."):
                value = getattr(value, part)
            assert callable(getattr(value, "__wrapped__", None)), f"{target}.{path} is not wrapped by {name}"


def test_router_insert_chunks_without_document_id():
    from llama_stack.apis.vector_io import Chunk
    from llama_stack.core.routers.vector_io import VectorIORouter

    received = []

    class Provider:
        async def insert_chunks(self, vector_db_id, chunks, ttl_seconds=None):
            received.extend(chunks)

    class RoutingTable:
        async def get_provider_impl(self, vector_db_id):
            return Provider()

    router = VectorIORouter.__new__(VectorIORouter)
    router.routing_table = RoutingTable()
    upstream = VectorIORouter.insert_chunks.__wrapped__
    with pytest.raises(KeyError, match="document_id"):
        run(upstream(router, "db", [Chunk(content="no document id", metadata={})]))
    run(router.insert_chunks("db", [Chunk(content="no document id", metadata={})]))
    assert received[0].metadata["document_id"] == received[0].chunk_id == received[0].chunk_id


def test_upstream_errors_keep_their_status():
    from llama_stack.core.server import server

    error = ServiceUnavailableError("Milvus server http://milvus:19530 is not answering")
    assert server.translate_exception.__wrapped__(error).status_code == 500
    fixed = server.translate_exception(error)
    assert fixed.status_code == 503 and "is not answering" in fixed.detail
    assert server.translate_exception(ValueError("bad")).status_code == 400  # the rest: upstream's


def test_request_bodies_are_read_for_debug_logs_only():
    from llama_stack.core.server import server

    class Request:
        method = "POST"
        reads = 0

        class url:  # noqa: N801
            path = "/v1/vector-io/insert"

        async def body(self):
            Request.reads += 1
            return b'{"chunks": []}'

    logger = server.logger.logger  # a LoggerAdapter around the logger
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        run(server.log_request_pre_validation.__wrapped__(Request()))
        assert Request.reads == 1  # upstream reads and pretty-prints every body
        run(server.log_request_pre_validation(Request()))
        assert Request.reads == 1
        logger.setLevel(logging.DEBUG)
        run(server.log_request_pre_validation(Request()))
        assert Request.reads == 2
    finally:
        logger.setLevel(level)


def json_request(body: bytes):
    from starlette.requests import Request

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    return Request({"type": "http", "method": "POST", "headers": []}, receive)


def test_request_bodies_are_decoded_with_orjson_and_unusual_ones_as_before(monkeypatch):
    import json

    import orjson
    from starlette.requests import Request

    body = json.dumps({"chunks": [{"content": "é 中", "embedding": [0.25] * 384, "metadata": {"n": 2**40}}]})
    upstream = run(Request.json.__wrapped__(json_request(body.encode())))
    assert run(Request.json(json_request(body.encode()))) == upstream

    decoded = []
    monkeypatch.setattr(orjson, "loads", lambda b, _loads=orjson.loads: decoded.append(b) or _loads(b))
    run(Request.json(json_request(b'{"a": 1}')))
    assert decoded == [b'{"a": 1}']  # orjson decoded it
    # What orjson refuses is the original's: NaN still parses, malformed JSON still raises its error.
    assert run(Request.json(json_request(b'{"x": NaN}')))["x"] != 0
    with pytest.raises(json.JSONDecodeError, match="line 1 column"):
        run(Request.json(json_request(b'{"x": ')))


def test_span_attributes_are_bounded():
    from llama_stack.providers.utils.telemetry import trace_protocol

    embeddings = [[0.123456789] * 384 for _ in range(256)]
    assert len(trace_protocol.serialize_value.__wrapped__(embeddings)) > 500_000
    assert len(trace_protocol.serialize_value(embeddings)) < 1_000


def test_redaction_also_covers_tokens():
    from llama_stack.core.utils import config

    settings = {"uri": "http://milvus:19530", "token": "root:Milvus", "api_key": "k", "vllm": {"api_token": "t"}}
    upstream = config.redact_sensitive_fields.__wrapped__(settings)
    assert upstream["token"] == "root:Milvus"
    redacted = config.redact_sensitive_fields(settings)
    assert redacted["token"] == redacted["api_key"] == redacted["vllm"]["api_token"] == "********"
    assert redacted["uri"] == "http://milvus:19530"


class CountingStore:
    """A kvstore over a dict that counts whole-registry reads."""

    def __init__(self, data: dict, name: str) -> None:
        self.data, self.range_reads = data, 0
        self.__class__ = type(name, (CountingStore,), {})

    async def get(self, key):
        return self.data.get(key)

    async def set(self, key, value, expiration=None):
        self.data[key] = value

    async def delete(self, key):
        self.data.pop(key, None)

    async def values_in_range(self, start_key, end_key):
        self.range_reads += 1
        return [v for k, v in sorted(self.data.items()) if start_key <= k < end_key]

    async def keys_in_range(self, start_key, end_key):
        return [k for k in sorted(self.data) if start_key <= k < end_key]


def two_replicas(store_class: str):
    from llama_stack.core.store.registry import CachedDiskDistributionRegistry

    shared: dict = {}
    return [CachedDiskDistributionRegistry(CountingStore(shared, store_class)) for _ in range(2)]


def vector_db(identifier: str):
    from llama_stack.core.datatypes import VectorDBWithOwner

    return VectorDBWithOwner(identifier=identifier, provider_id="milvus", provider_resource_id=identifier,
                             embedding_model="all-MiniLM-L6-v2", embedding_dimension=384)  # fmt: skip


def test_replicas_sharing_a_postgresql_registry_see_each_others_vector_dbs():
    from llama_stack.core.store.registry import CachedDiskDistributionRegistry

    a, b = two_replicas("PostgresKVStoreImpl")
    run(a.initialize())
    run(b.initialize())
    run(a.register(vector_db("made-on-a")))
    assert run(CachedDiskDistributionRegistry.get.__wrapped__(b, "vector_db", "made-on-a")) is None  # upstream
    assert run(b.get("vector_db", "made-on-a")).identifier == "made-on-a"
    run(a.register(vector_db("listed")))
    assert {o.identifier for o in run(b.get_all())} == {"made-on-a", "listed"}


def test_a_local_registry_stays_in_memory():
    a, _ = two_replicas("SqliteKVStoreImpl")
    run(a.initialize())
    reads = a.kvstore.range_reads
    assert run(a.get("model", "all-MiniLM-L6-v2")) is None
    run(a.get_all())
    run(a.get("vector_db", "unknown"))
    assert a.kvstore.range_reads == reads  # no re-read of the whole store per lookup


def test_llama_stack_run_makes_no_none_folder(tmp_path, monkeypatch):
    import os

    from llama_stack.cli.stack import run as run_cli

    monkeypatch.chdir(tmp_path)
    run_cli.os.makedirs(str(None), exist_ok=True)  # what 0.2.20 does for a config without the key
    assert not (tmp_path / "None").exists()
    run_cli.os.makedirs(str(tmp_path / "providers.d"), exist_ok=True)
    assert (tmp_path / "providers.d").is_dir()
    os.makedirs(str(None), exist_ok=True)  # upstream's call, unpatched
    assert (tmp_path / "None").is_dir()


def test_file_search_results_name_their_file():
    from llama_stack.apis.tools import ToolInvocationResult
    from llama_stack.apis.vector_io import VectorStoreSearchResponse, VectorStoreSearchResponsePage
    from llama_stack.core.routers.vector_io import VectorIORouter
    from llama_stack.providers.inline.agents.meta_reference.responses.tool_executor import ToolExecutor

    hit = VectorStoreSearchResponse(
        file_id="file-1", filename="llama3.rst", score=0.9, content=[{"type": "text", "text": "GQA"}]
    )

    class RoutingTable:
        async def openai_search_vector_store(self, vector_store_id, **kwargs):
            return VectorStoreSearchResponsePage(search_query="q", data=[hit], has_more=False)

    class Function:
        name = "knowledge_search"
        arguments = '{"query": "q"}'

    class Tool:
        vector_store_ids = ["vs-1"]
        filters = max_num_results = ranking_options = None

    router = VectorIORouter.__new__(VectorIORouter)
    router.routing_table = RoutingTable()
    executor = ToolExecutor.__new__(ToolExecutor)
    executor.vector_io_api = router
    result = run(executor._execute_knowledge_search_via_vector_store("q", Tool()))
    assert isinstance(result, ToolInvocationResult) and result.metadata["filenames"] == ["llama3.rst"]

    args = (Function(), "call-1", {"query": "q"}, None, None, result, False)
    upstream, _ = run(ToolExecutor._build_result_messages.__wrapped__(executor, *args))
    assert [(r.file_id, r.filename) for r in upstream.results] == [("file-1", "file-1")]
    fixed, _ = run(executor._build_result_messages(*args))
    assert [(r.file_id, r.filename) for r in fixed.results] == [("file-1", "llama3.rst")]


def models_table(*models):
    """A models routing table over an in-memory registry holding `models` (provider_id, model_id)."""
    from llama_stack.core.datatypes import ModelWithOwner
    from llama_stack.core.routing_tables.models import ModelsRoutingTable
    from llama_stack.core.store.registry import CachedDiskDistributionRegistry

    registry = CachedDiskDistributionRegistry(CountingStore({}, "SqliteKVStoreImpl"))
    run(registry.initialize())
    for provider_id, model_id in models:  # as a run config registers them: model_id == provider_model_id
        run(registry.register(ModelWithOwner(identifier=f"{provider_id}/{model_id}", provider_id=provider_id,
                                             provider_resource_id=model_id, model_type="embedding",
                                             metadata={"embedding_dimension": 384})))  # fmt: skip
    table = ModelsRoutingTable.__new__(ModelsRoutingTable)
    table.impls_by_provider_id, table.dist_registry, table.policy = {}, registry, []
    table.scans = 0
    get_all_with_type = table.get_all_with_type

    async def counted(type):  # noqa: A002
        table.scans += 1
        return await get_all_with_type(type)

    table.get_all_with_type = counted
    return table


def test_a_bare_model_name_resolves_without_a_warning_or_a_scan(caplog):
    from llama_stack.core.routing_tables import common, models

    table = models_table(("sentence-transformers", "all-MiniLM-L6-v2"), ("vllm", "e5-small-v2"))
    upstream = common.lookup_model.__wrapped__
    with caplog.at_level(logging.WARNING):
        assert run(upstream(table, "all-MiniLM-L6-v2")).identifier == "sentence-transformers/all-MiniLM-L6-v2"
    assert "not found in routing table" in caplog.text and table.scans == 1  # upstream: warns, scans

    caplog.clear()
    table.scans = 0
    with caplog.at_level(logging.WARNING):
        for _ in range(3):  # what three embedding calls look up
            assert run(models.lookup_model(table, "all-MiniLM-L6-v2")).provider_id == "sentence-transformers"
            assert run(table.get_model("all-MiniLM-L6-v2")).identifier == "sentence-transformers/all-MiniLM-L6-v2"
    assert caplog.text == "" and table.scans == 1  # the map is built once


def test_an_ambiguous_or_unknown_bare_model_name_is_still_upstreams_error():
    from llama_stack.apis.common.errors import ModelNotFoundError

    table = models_table(("sentence-transformers", "all-MiniLM-L6-v2"), ("other", "all-MiniLM-L6-v2"))
    with pytest.raises(ValueError, match="Multiple providers found for 'all-MiniLM-L6-v2'"):
        run(table.get_model("all-MiniLM-L6-v2"))
    with pytest.raises(ModelNotFoundError):
        run(table.get_model("no-such-model"))


def test_registering_a_model_forgets_the_bare_names():
    from types import SimpleNamespace

    from llama_stack.core.datatypes import Api, ModelWithOwner

    class InferenceProvider:
        __provider_spec__ = SimpleNamespace(api=Api.inference)

        async def register_model(self, model):
            return model

    table = models_table(("sentence-transformers", "all-MiniLM-L6-v2"))
    assert run(table.get_model("all-MiniLM-L6-v2")).provider_id == "sentence-transformers"
    table.impls_by_provider_id = {"other": InferenceProvider()}
    run(table.register_object(ModelWithOwner(identifier="other/all-MiniLM-L6-v2", provider_id="other",
                                             provider_resource_id="all-MiniLM-L6-v2", model_type="embedding",
                                             metadata={"embedding_dimension": 384})))  # fmt: skip
    with pytest.raises(ValueError, match="Multiple providers"):
        run(table.get_model("all-MiniLM-L6-v2"))  # two models answer to the bare name now
