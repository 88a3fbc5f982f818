"""The run configs of run-configs/ and templates/, generated from one description.

Every file is built here from the same pieces (our providers' `sample_run_config`, Llama Stack's
stock providers, the stores), as upstream's distribution codegen does, so the five files cannot
drift apart. After a change here:

    python -m llama_stack_milvus.run_configs          # rewrite the files
    python -m llama_stack_milvus.run_configs --check  # exit 1 if a file differs (a unit test runs it)
"""

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .providers.inline_llama_cpp.config import LlamaCppInferenceConfig
from .providers.inline_milvus.config import MilvusLiteConfig
from .providers.inline_rag_runtime.config import RagRuntimeConfig
from .providers.inline_sentence_transformers.config import OfflineSentenceTransformersConfig
from .providers.remote_milvus.config import MilvusServerConfig
from .providers.remote_vllm.config import VllmInferenceConfig

REPO = Path(__file__).resolve().parent.parent
STATE = "~/.llama/distributions/llama-stack-milvus"
STATE_DIR = "${env.SQLITE_STORE_DIR:=" + STATE + "}"
APIS = ["agents", "files", "inference", "safety", "telemetry", "tool_runtime", "vector_io"]
TOGETHER_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
VLLM_MODEL = "meta-llama/Llama-3.1-8B-Instruct"
OURS = "llama_stack_milvus.providers."


# --- pieces --------------------------------------------------------------------------------------


def sqlite(file: str) -> dict[str, Any]:
    return {"type": "sqlite", "db_path": f"{STATE_DIR}/{file}"}


def postgres(table: str) -> dict[str, Any]:
    return {
        "type": "postgres",
        "host": "${env.POSTGRES_HOST:=localhost}",
        "port": "${env.POSTGRES_PORT:=5432}",
        "db": "${env.POSTGRES_DB:=llamastack}",
        "user": "${env.POSTGRES_USER:=llamastack}",
        "password": "${env.POSTGRES_PASSWORD:=llamastack}",
        "table_name": table,
    }


@dataclass
class Provider:
    provider_id: str
    provider_type: str
    config: dict[str, Any]
    module: str | None = None
    comment: str | None = None  # written above the entry

    def entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"provider_id": self.provider_id, "provider_type": self.provider_type}
        if self.module:
            entry["module"] = self.module
        entry["config"] = self.config
        return entry


def sentence_transformers(preload: bool) -> Provider:
    config = OfflineSentenceTransformersConfig.sample_run_config()
    if preload:
        config = {"preload": "${env.EMBEDDING_PRELOAD:=all-MiniLM-L6-v2}", **config}
    comment = "Loaded at start-up, so an agent's first search does not wait ~12 s for torch and the model."
    return Provider("sentence-transformers", "inline::sentence-transformers", config,
                    OURS + "inline_sentence_transformers", comment if preload else None)  # fmt: skip


def llama_cpp() -> Provider:
    return Provider(
        "llama-cpp",
        "inline::llama-cpp",
        LlamaCppInferenceConfig.sample_run_config(__distro_dir__=STATE),
        OURS + "inline_llama_cpp",
        "The embedded LLM: llama.cpp on the CPU with the bundled Qwen2.5-Coder-1.5B-Instruct Q4_K_M, or\n"
        "any GGUF at LLM_GGUF. It stays unloaded when VLLM_URL or TOGETHER_API_KEY adds another LLM\n"
        "(LOCAL_LLM=on keeps it as well; LOCAL_LLM=off never loads it).",
    )


def vllm(provider_id: str = "${env.VLLM_URL:+vllm}") -> Provider:
    return Provider(provider_id, "remote::vllm", VllmInferenceConfig.sample_run_config(), OURS + "remote_vllm")


def vllm_embedding() -> Provider:
    config = {
        "url": "${env.VLLM_EMBEDDING_URL:=http://localhost:8001/v1}",
        "api_token": "${env.VLLM_EMBEDDING_API_TOKEN:=}",
        "truncate_embedding_input": "${env.VLLM_EMBEDDING_TRUNCATE:=true}",
        "long_texts": "${env.EMBEDDING_LONG_TEXTS:=windows}",
        "tls_verify": "${env.VLLM_TLS_VERIFY:=true}",
        "require_at_startup": "${env.VLLM_REQUIRE_AT_STARTUP:=false}",
    }
    return Provider("${env.VLLM_EMBEDDING_URL:+vllm-embedding}", "remote::vllm", config, OURS + "remote_vllm",
                    "Embeddings from a vLLM embedding server (vllm serve <model> --runner pooling), beside or\n"
                    "instead of sentence-transformers: set VLLM_EMBEDDING_URL and VLLM_EMBEDDING_MODEL.")  # fmt: skip


def together(provider_id: str = "${env.TOGETHER_API_KEY:+together}") -> Provider:
    return Provider(provider_id, "remote::together",
                    {"url": "https://api.together.xyz/v1", "api_key": "${env.TOGETHER_API_KEY:=}"})  # fmt: skip


def milvus_lite(provider_id: str = "milvus") -> Provider:
    return Provider(provider_id, "inline::milvus", MilvusLiteConfig.sample_run_config(__distro_dir__=STATE),
                    OURS + "inline_milvus")  # fmt: skip


def milvus_server(provider_id: str = "milvus", kvstore: dict[str, Any] | None = None) -> Provider:
    config = MilvusServerConfig.sample_run_config(__distro_dir__=STATE)
    if kvstore is not None:
        config["kvstore"] = kvstore
    return Provider(provider_id, "remote::milvus", config, OURS + "remote_milvus")


def rag_runtime(local_llm_defaults: bool) -> Provider:
    config = RagRuntimeConfig.sample_run_config()
    comment = None
    if local_llm_defaults:
        config.update({
            "max_chunks": "${env.RAG_MAX_CHUNKS:=5}",
            "max_tokens_in_context": "${env.RAG_MAX_TOKENS_IN_CONTEXT:=auto}",
            "mode": "${env.RAG_SEARCH_MODE:=hybrid}",
        })  # fmt: skip
        comment = (
            "What an agent's knowledge_search retrieves when its query_config does not say: up to\n"
            "five chunks found by hybrid search, of which the passages that bear on the query reach the\n"
            "model (context: passages), as many tokens (auto) as the local LLM reads in 10 s (measured\n"
            "at load: ~18 tokens/s on 2 AVX2 cores, ~70 with AVX-512; 300 at least, 2,500 at most)."
        )
    return Provider("rag-runtime", "inline::rag-runtime", config, OURS + "inline_rag_runtime", comment)


def stock_providers(agents_store: dict[str, Any]) -> dict[str, list[Provider]]:
    """Llama Stack's own providers for the other APIs, the same in every file."""
    return {
        "files": [Provider("localfs", "inline::localfs", {
            "storage_dir": "${env.FILES_STORAGE_DIR:=" + STATE + "/files}",
            "metadata_store": sqlite("files_metadata.db")})],
        "safety": [Provider("llama-guard", "inline::llama-guard", {"excluded_categories": []})],
        "agents": [Provider("meta-reference", "inline::meta-reference", {
            "persistence_store": agents_store, "responses_store": sqlite("responses_store.db")})],
        "telemetry": [Provider("meta-reference", "inline::meta-reference", {
            "service_name": "${env.OTEL_SERVICE_NAME:=\u200b}",
            "sinks": "${env.TELEMETRY_SINKS:=sqlite}",
            "sqlite_db_path": f"{STATE_DIR}/trace_store.db",
            "otel_exporter_otlp_endpoint": "${env.OTEL_EXPORTER_OTLP_ENDPOINT:="+"}"})],
    }  # fmt: skip


EMBEDDING_MODEL = {
    "model_id": "all-MiniLM-L6-v2",
    "provider_id": "sentence-transformers",
    "provider_model_id": "all-MiniLM-L6-v2",
    "model_type": "embedding",
    "metadata": {"embedding_dimension": 384},
}
VLLM_EMBEDDING_MODEL = {
    "model_id": "${env.VLLM_EMBEDDING_MODEL:=intfloat/e5-small-v2}",
    "provider_id": "${env.VLLM_EMBEDDING_URL:+vllm-embedding}",
    "model_type": "embedding",
    "metadata": {"embedding_dimension": "${env.VLLM_EMBEDDING_DIMENSION:=384}"},
}


def vllm_model(provider_id: str = "${env.VLLM_URL:+vllm}") -> dict[str, Any]:
    return {"model_id": "${env.INFERENCE_MODEL:=" + VLLM_MODEL + "}", "provider_id": provider_id, "model_type": "llm"}


def together_model(provider_id: str = "${env.TOGETHER_API_KEY:+together}", from_env: bool = False) -> dict[str, Any]:
    name = "${env.INFERENCE_MODEL:=" + TOGETHER_MODEL + "}" if from_env else TOGETHER_MODEL
    return {"model_id": name, "provider_id": provider_id, "provider_model_id": name, "model_type": "llm"}


# --- the files -----------------------------------------------------------------------------------


@dataclass
class RunConfig:
    path: str
    header: str
    image_name: str
    inference: list[Provider]
    vector_io: list[Provider]
    tool_runtime: list[Provider]
    models: list[dict[str, Any]]
    registry: dict[str, Any] = field(default_factory=lambda: sqlite("registry.db"))
    agents_store: dict[str, Any] = field(default_factory=lambda: sqlite("agents_store.db"))

    def document(self) -> dict[str, Any]:
        providers = {"inference": self.inference, "vector_io": self.vector_io,
                     **stock_providers(self.agents_store), "tool_runtime": self.tool_runtime}  # fmt: skip
        return {
            "version": 2,
            "image_name": self.image_name,
            "apis": APIS,
            "providers": {api: [p.entry() for p in ps] for api, ps in providers.items()},
            "metadata_store": self.registry,
            "inference_store": sqlite("inference_store.db"),
            "models": self.models,
            "shields": [],
            "vector_dbs": [],
            "datasets": [],
            "scoring_fns": [],
            "benchmarks": [],
            "tool_groups": [{"toolgroup_id": "builtin::rag", "provider_id": "rag-runtime"}],
            "server": {"port": 8321},
        }

    def render(self) -> str:
        body = yaml.safe_dump(self.document(), sort_keys=False, width=10_000, default_flow_style=False)
        comments = {}
        for p in [*self.inference, *self.vector_io, *self.tool_runtime]:
            if p.comment:
                comments.setdefault(p.provider_id, p.comment)
        lines = []
        for line in body.splitlines():
            if line.startswith("  - provider_id: "):
                provider_id = yaml.safe_load(line.split(": ", 1)[1])
                comment = comments.pop(provider_id, None)
                if comment:
                    lines += ["  # " + c for c in comment.splitlines()]
            lines.append(line)
        header = "\n".join("# " + h if h else "#" for h in self.header.splitlines())
        return header + "\n" + "\n".join(lines) + "\n"


def run_configs() -> list[RunConfig]:
    lite_inference = [sentence_transformers(preload=True), llama_cpp(), vllm(), vllm_embedding(), together()]
    remote_models = [EMBEDDING_MODEL, vllm_model(), VLLM_EMBEDDING_MODEL, together_model()]
    server_hint = "MILVUS_URI=http://localhost:19530 MILVUS_TOKEN=root:Milvus"
    return [
        RunConfig(
            "run-configs/milvus-lite.yaml",
            "The embedded default of llama-stack-milvus: Milvus Lite in a local file, offline embeddings and\n"
            "a local LLM on the CPU (llama.cpp). Set VLLM_URL (and INFERENCE_MODEL) or TOGETHER_API_KEY to use\n"
            "another LLM instead.\n"
            "  llama stack run run-configs/milvus-lite.yaml --port 8321",
            "llama-stack-milvus",
            lite_inference,
            [milvus_lite()],
            [rag_runtime(local_llm_defaults=True)],
            remote_models,
        ),
        RunConfig(
            "run-configs/milvus-server.yaml",
            "llama-stack-milvus on a Milvus server (or Zilliz Cloud): set MILVUS_URI and MILVUS_TOKEN.\n"
            "Offline embeddings and the local LLM. Set VLLM_URL (and INFERENCE_MODEL) or TOGETHER_API_KEY to use\n"
            "another LLM instead. Retrieval defaults are upstream's (vector search): Milvus < 2.5 has no hybrid.\n"
            f"  {server_hint} llama stack run run-configs/milvus-server.yaml",
            "llama-stack-milvus",
            lite_inference,
            [milvus_server()],
            [rag_runtime(local_llm_defaults=False)],
            remote_models,
        ),
        RunConfig(
            "run-configs/milvus-server-postgres.yaml",
            "Replicas: several llama-stack-milvus processes behind a load balancer, sharing one Milvus server\n"
            "and one PostgreSQL for the registry (vector DBs, models, tool groups), the Milvus provider's own\n"
            "registry and agent sessions. What one replica registers and fills, the others list and query.\n"
            "Files, responses, inference logs and traces stay per replica (SQLite under SQLITE_STORE_DIR).\n"
            "  MILVUS_URI=http://milvus:19530 MILVUS_TOKEN=root:Milvus POSTGRES_HOST=db POSTGRES_USER=llamastack \\\n"
            "  POSTGRES_PASSWORD=... llama stack run run-configs/milvus-server-postgres.yaml",
            "llama-stack-milvus",
            [sentence_transformers(preload=False), vllm(), vllm_embedding(), together()],
            [milvus_server(kvstore=postgres("milvus_registry"))],
            [rag_runtime(local_llm_defaults=False)],
            remote_models,
            registry=postgres("llamastack_registry"),
            agents_store=postgres("agents_store"),
        ),
        RunConfig(
            "templates/together/run.yaml",
            "Template `together`: Together AI for the LLM (TOGETHER_API_KEY; the tutorial's\n"
            "Llama-3.3-70B-Instruct-Turbo), offline sentence-transformers embeddings, our Milvus: Milvus Lite\n"
            "by default, a Milvus server when MILVUS_URI is set (then provider `milvus` is the server and the\n"
            "Lite file stays reachable as `milvus-lite`).\n"
            "  TOGETHER_API_KEY=... llama stack run templates/together/run.yaml --port 8321",
            "llama-stack-milvus-together",
            [sentence_transformers(preload=False), together("together")],
            [milvus_lite("milvus${env.MILVUS_URI:+-lite}"), milvus_server("${env.MILVUS_URI:+milvus}")],
            [rag_runtime(local_llm_defaults=False)],
            [EMBEDDING_MODEL, together_model("together", from_env=True)],
        ),
        RunConfig(
            "templates/vllm-gpu/run.yaml",
            "Template `vllm-gpu`: our remote::vllm for the LLM (VLLM_URL, INFERENCE_MODEL, default the\n"
            "tutorial's Llama-3.1-8B-Instruct), embeddings from sentence-transformers (offline) or from a vLLM\n"
            "embedding server (VLLM_EMBEDDING_URL, VLLM_EMBEDDING_MODEL), our Milvus: Milvus Lite by default, a\n"
            "Milvus server when MILVUS_URI is set.\n"
            "  VLLM_URL=http://localhost:8000/v1 llama stack run templates/vllm-gpu/run.yaml --port 8321",
            "llama-stack-milvus-vllm-gpu",
            [sentence_transformers(preload=False), vllm("vllm"), vllm_embedding()],
            [milvus_lite("milvus${env.MILVUS_URI:+-lite}"), milvus_server("${env.MILVUS_URI:+milvus}")],
            [rag_runtime(local_llm_defaults=False)],
            [EMBEDDING_MODEL, vllm_model("vllm"), VLLM_EMBEDDING_MODEL],
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file differs")
    parser.add_argument("--root", type=Path, default=REPO)
    args = parser.parse_args(argv)
    stale = []
    for config in run_configs():
        path = args.root / config.path
        text = config.render()
        if path.exists() and path.read_text() == text:
            continue
        stale.append(config.path)
        if not args.check:
            path.write_text(text)
    if args.check and stale:
        print("not as generated (run python -m llama_stack_milvus.run_configs): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
