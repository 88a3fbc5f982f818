#!/usr/bin/env bash
# Creates .venv with the test tools, .venv-milvus (a Milvus 2.3.5 server) and .venv-vllm (vLLM for
# the CPU), makes sure PostgreSQL (for the replica tests), Chromium (for the playground's browser
# tests) and a container engine (docker, else podman: tests/image builds the image) are installed,
# then runs the whole test suite
# against real servers on free ports, on TEST_WORKERS pytest-xdist workers (default: as many as
# tests/conftest.py says for the selection; 0 runs in one process). Arguments go to pytest:
# ./scripts/test.sh -m "not e2e" runs the fast tiers.
source "$(dirname "$0")/lib.sh"
# The servers' venvs (pip downloads and unpacking) install side by side with .venv's sync, which
# on a new machine also compiles llama.cpp.
ensure_milvus_server_venv & milvus_venv=$!
ensure_vllm_venv & vllm_venv=$!
trap 'kill "$milvus_venv" "$vllm_venv" 2>/dev/null || true' EXIT
sync_venv --all-extras
export_embeddings --int8
ensure_postgres
ensure_chromium
ensure_container_engine
ensure_ogx_venv
ensure_ogx_tests
wait "$milvus_venv"
wait "$vllm_venv"
trap - EXIT
export_runtime_env
cd "$REPO"
exec "$REPO/.venv/bin/python" -m pytest -n "${TEST_WORKERS:-auto}" --dist loadgroup "$@"
