#!/usr/bin/env bash
# Creates .venv (Python >= 3.12, locked dependencies) and starts the embedded default:
# Milvus Lite + offline all-MiniLM-L6-v2 embeddings on port 8321 (override with PORT).
source "$(dirname "$0")/lib.sh"
sync_venv --all-extras --no-dev
export_embeddings
export_runtime_env
cd "$REPO"
announce_when_healthy "${PORT:-8321}"
echo "==> llama stack run run-configs/milvus-lite.yaml --port ${PORT:-8321}" >&2
exec "$REPO/.venv/bin/llama" stack run "${CONFIG:-run-configs/milvus-lite.yaml}" --port "${PORT:-8321}"
