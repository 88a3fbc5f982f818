#!/usr/bin/env bash
# The GPU check of our remote::vllm, outside CI: on a machine with an NVIDIA GPU and network access,
# installs vLLM into .venv-gpu, serves a randomly initialised model with the architecture of
# Llama-3.1-8B-Instruct (benchmarks/models/llama-3.1-8b-instruct.json, `--load-format dummy`: no
# weight download), runs the GPU adapter tests (tests/gpu) against it through a stack, and prints time
# to first token and tokens/s directly against vLLM and through the stack (benchmarks/vllm_overhead.py).
#   bash scripts/gpu_check.sh            # VLLM_VERSION=... GPU_VLLM_PORT=... to change
source "$(dirname "$0")/lib.sh"
set -euo pipefail
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || {
  echo "error: no NVIDIA GPU here (nvidia-smi failed); this check needs one" >&2; exit 2; }

VLLM_VERSION="${VLLM_VERSION:-0.32.0}"
PORT="${GPU_VLLM_PORT:-8000}"
MODEL_NAME="llama-3.1-8b-random"
WORK="$(mktemp -d)"
sync_venv --all-extras
export_runtime_env
GPU_VENV="$REPO/.venv-gpu"
if ! venv_has "$GPU_VENV" vllm "$VLLM_VERSION"; then
  echo "==> installing vllm $VLLM_VERSION into .venv-gpu" >&2
  "$(find_python)" -m venv "$GPU_VENV"
  "$GPU_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "vllm==$VLLM_VERSION"
fi

"$GPU_VENV/bin/python" "$REPO/benchmarks/make_model_folder.py" \
  "$REPO/benchmarks/models/llama-3.1-8b-instruct.json" "$WORK/model" "$REPO/tests/data/torchtune"
echo "==> vllm serve (random Llama-3.1-8B-Instruct architecture, bf16) on port $PORT" >&2
"$GPU_VENV/bin/vllm" serve "$WORK/model" --host 127.0.0.1 --port "$PORT" --served-model-name "$MODEL_NAME" \
  --load-format dummy --dtype bfloat16 --max-model-len 8192 >"$WORK/vllm.log" 2>&1 &
VLLM_PID=$!
trap 'kill -9 $VLLM_PID 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$PORT/v1/models" | grep -q "$MODEL_NAME" && break
  kill -0 $VLLM_PID 2>/dev/null || { tail -40 "$WORK/vllm.log" >&2; exit 1; }
  sleep 1
done

export GPU_VLLM_URL="http://127.0.0.1:$PORT/v1" GPU_VLLM_MODEL="$MODEL_NAME"
cd "$REPO"
.venv/bin/python -m pytest tests/gpu -q -rA
.venv/bin/python benchmarks/vllm_overhead.py --vllm-url "$GPU_VLLM_URL" --model "$MODEL_NAME" \
  --requests 50 --max-tokens 256 --label gpu
