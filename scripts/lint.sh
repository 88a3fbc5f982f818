#!/usr/bin/env bash
# ruff lint and format check with the locked ruff (the dev group of uv.lock).
source "$(dirname "$0")/lib.sh"
sync_venv --all-extras
cd "$REPO"
"$REPO/.venv/bin/ruff" check .
"$REPO/.venv/bin/ruff" format --check .
