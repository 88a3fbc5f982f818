#!/usr/bin/env bash
# The page to chat with your documents, against a running stack (LLAMA_STACK_URL, default
# http://localhost:8321; start one with ./scripts/quickstart.sh). Offline: Streamlit's usage
# statistics off, no external-IP lookup (browser.serverAddress), nothing fetched from the internet.
#   ./scripts/playground.sh [--port N]      (default 8501, or PLAYGROUND_PORT)
source "$(dirname "$0")/lib.sh"
port="$(port_from_args "${PLAYGROUND_PORT:-8501}" "$@")" || exit 2
[ -x "$REPO/.venv/bin/streamlit" ] || sync_venv --all-extras --no-dev
export_runtime_env
export LLAMA_STACK_URL="${LLAMA_STACK_URL:-http://localhost:8321}"
echo "==> the playground on http://localhost:$port (stack: $LLAMA_STACK_URL)" >&2
exec "$REPO/.venv/bin/streamlit" run "$REPO/llama_stack_milvus/playground/app.py" \
  --server.port "$port" --server.headless true --browser.gatherUsageStats false \
  --server.fileWatcherType none --global.developmentMode false --browser.serverAddress localhost \
  --client.toolbarMode minimal
