#!/usr/bin/env bash
# Creates .venv with the test tools and runs the whole test suite (real servers on free ports).
source "$(dirname "$0")/lib.sh"
sync_venv --all-extras
export_runtime_env
cd "$REPO"
exec "$REPO/.venv/bin/python" -m pytest "$@"
