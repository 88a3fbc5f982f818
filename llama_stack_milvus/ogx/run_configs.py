"""OGX run configs with our provider, generated from one description (imports nothing of OGX):
run-configs/ogx/*.yaml for scripts/ogx.sh, and the configs the OGX tests start (ours or OGX's
built-in Milvus, the inference OGX's recordings replay).

    python -m llama_stack_milvus.ogx.run_configs          # rewrite run-configs/ogx/
    python -m llama_stack_milvus.ogx.run_configs --check  # exit 1 if a file differs (a unit test runs it)
"""

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from ..core.onnx_encoder import ONNX_SUBDIR

REPO = Path(__file__).resolve().parents[2]
FOLDER = REPO / "run-configs" / "ogx"
DISTRO_DIR = "~/.ogx/distributions/llama-stack-milvus"
STATE_DIR = "${env.SQLITE_STORE_DIR:=" + DISTRO_DIR + "}"
MODULE = "llama_stack_milvus.ogx"
EMBEDDING_MODEL = "all-MiniLM-L6-v2"
EMBEDDING_DIMENSION = 384
# OGX's recordings of its vector_io tests: Ollama's nomic-embed-text, 768 dimensions.
RECORDED_MODEL = "nomic-embed-text:v1.5"
RECORDED_DIMENSION = 768


def lite(provider_id: str = "milvus", ours: bool = True) -> dict[str, Any]:
    entry = {"provider_id": provider_id, "provider_type": "inline::milvus"}
    if ours:
        entry["module"] = MODULE
    entry["config"] = {
        "db_path": f"{STATE_DIR}/milvus.db",
        "persistence": {"namespace": "vector_io::milvus", "backend": "kv_default"},
    }
    return entry


def server(provider_id: str = "milvus", ours: bool = True) -> dict[str, Any]:
    entry = {"provider_id": provider_id, "provider_type": "remote::milvus"}
    if ours:
        entry["module"] = MODULE
    entry["config"] = {
        "uri": "${env.MILVUS_URI:=http://localhost:19530}",
        "token": "${env.MILVUS_TOKEN:=root:Milvus}",
        "persistence": {"namespace": "vector_io::milvus_remote", "backend": "kv_default"},
    }
    return entry


# Shared by every state folder: the export depends on the model only (scripts/ogx.sh makes it).
ONNX_DIR_DEFAULT = f"{DISTRO_DIR}/{ONNX_SUBDIR}"
ONNX_DIR = "${env.EMBEDDING_ONNX_DIR:=" + ONNX_DIR_DEFAULT + "}"


def onnx_embeddings() -> tuple[dict[str, Any], dict[str, Any]]:
    """Embeddings on the CPU, offline, without torch: our inline::onnx-embeddings over the bundled
    model's folder (EMBEDDING_MODEL_PATH), long texts embedded whole."""
    provider = {
        "provider_id": "onnx-embeddings",
        "provider_type": "inline::onnx-embeddings",
        "module": MODULE,
        "config": {
            "onnx_dir": ONNX_DIR,
            "backend": "${env.EMBEDDING_BACKEND:=onnx}",
            "long_texts": "${env.EMBEDDING_LONG_TEXTS:=windows}",
        },
    }
    model = {
        "model_id": EMBEDDING_MODEL,
        "provider_id": "onnx-embeddings",
        "provider_model_id": "${env.EMBEDDING_MODEL_PATH}",
        "model_type": "embedding",
        "metadata": {"embedding_dimension": EMBEDDING_DIMENSION},
    }
    return provider, model


def recorded_ollama() -> tuple[dict[str, Any], dict[str, Any]]:
    """Ollama as OGX's recordings know it (the tests replay them: no Ollama runs)."""
    provider = {"provider_id": "ollama", "provider_type": "remote::ollama",
                "config": {"base_url": "${env.OLLAMA_URL:=http://0.0.0.0:11434/v1}"}}  # fmt: skip
    model = {
        "model_id": RECORDED_MODEL,
        "provider_id": "ollama",
        "provider_model_id": RECORDED_MODEL,
        "model_type": "embedding",
        "metadata": {"embedding_dimension": RECORDED_DIMENSION},
    }
    return provider, model


def run_config(vector_io: dict[str, Any], inference: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    provider, model = inference
    return {
        "version": 2,
        "distro_name": "llama-stack-milvus-ogx",
        "apis": ["file_processors", "files", "inference", "vector_io"],
        "providers": {
            "inference": [provider],
            "vector_io": [vector_io],
            "files": [
                {
                    "provider_id": "builtin-files",
                    "provider_type": "inline::localfs",
                    "config": {
                        "storage_dir": f"{STATE_DIR}/files",
                        "metadata_store": {"table_name": "files_metadata", "backend": "sql_default"},
                    },
                }
            ],
            "file_processors": [{"provider_id": "pypdf", "provider_type": "inline::pypdf"}],
        },  # fmt: skip
        "storage": {
            "backends": {
                "kv_default": {"type": "kv_sqlite", "db_path": f"{STATE_DIR}/kvstore.db"},
                "sql_default": {"type": "sql_sqlite", "db_path": f"{STATE_DIR}/sql_store.db"},
            },
            "stores": {
                "metadata": {"namespace": "registry", "backend": "kv_default"},
                "inference": {"table_name": "inference_store", "backend": "sql_default"},
                "conversations": {"table_name": "openai_conversations", "backend": "sql_default"},
                "prompts": {"table_name": "prompts", "backend": "sql_default"},
            },
        },
        "registered_resources": {"models": [model]},
        "server": {"port": 8321},
        "vector_stores": {
            "default_provider_id": vector_io["provider_id"],
            "default_embedding_model": {"provider_id": model["provider_id"], "model_id": model["model_id"]},
        },
    }


def shared_by_replicas(config: dict[str, Any]) -> dict[str, Any]:
    """`config` with its registry, vector store records and file metadata in PostgreSQL (the
    POSTGRES_* variables of the 0.2.20 replica config), so that several OGX servers on one Milvus
    server serve the same stores. Uploaded files stay in FILES_DIR, which replicas must share."""
    connection = {
        "host": "${env.POSTGRES_HOST:=localhost}",
        "port": "${env.POSTGRES_PORT:=5432}",
        "db": "${env.POSTGRES_DB:=ogx}",
        "user": "${env.POSTGRES_USER:=ogx}",
        "password": "${env.POSTGRES_PASSWORD:=ogx}",
    }
    config["storage"]["backends"] = {
        "kv_default": {"type": "kv_postgres", **connection, "table_name": "ogx_kvstore"},
        "sql_default": {"type": "sql_postgres", **connection},
    }
    config["providers"]["vector_io"][0]["config"]["metadata_store"] = {
        "table_name": "vector_stores_metadata",
        "backend": "sql_default",
    }
    config["providers"]["files"][0]["config"]["storage_dir"] = "${env.FILES_DIR:=" + DISTRO_DIR + "/files}"
    return config


def shipped() -> dict[str, dict[str, Any]]:
    return {
        "milvus-lite.yaml": run_config(lite(), onnx_embeddings()),
        "milvus-server.yaml": run_config(server(), onnx_embeddings()),
        "milvus-server-postgres.yaml": shared_by_replicas(run_config(server(), onnx_embeddings())),
    }


def text(config: dict[str, Any]) -> str:
    header = "# Generated by llama_stack_milvus/ogx/run_configs.py; scripts/ogx.sh starts it.\n"
    return header + yaml.safe_dump(config, sort_keys=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    for name, config in shipped().items():
        path = FOLDER / name
        if args.check:
            if not path.exists() or path.read_text() != text(config):
                stale.append(str(path))
        else:
            FOLDER.mkdir(parents=True, exist_ok=True)
            path.write_text(text(config))
    if stale:
        print("out of date (python -m llama_stack_milvus.ogx.run_configs): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
