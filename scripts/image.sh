#!/usr/bin/env bash
# The container image from ./Dockerfile, built with docker where a Docker engine runs, else podman.
#   ./scripts/image.sh build            build $IMAGE (default localhost/llama-stack-milvus:latest)
#   ./scripts/image.sh run [--port N]   the embedded default on port N (8321), data in the volume lsm-data
#   ./scripts/image.sh check            build, then tests/image/ (the tutorial against a container)
#
# Where `python:3.12-slim` cannot be pulled (no image registry reachable), `build` makes a stand-in
# under that name first (make_base_standin, docs/image.md says how it differs). Where the machine's
# TLS needs its own certificate bundle (SSL_CERT_FILE), the build gets it as the secret ca_bundle,
# which no layer of the image keeps.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
IMAGE="${IMAGE:-localhost/llama-stack-milvus:latest}"
BASE=python:3.12-slim
STANDIN_DIR="$REPO/.tools/image"

# podman here: crun cannot set rlimits in this sandbox and cgroups v1/v2 hybrid defeats it; runc
# works with limits at or under the machine's own.
podman_engine() {
  local nofile nproc
  nofile="$(ulimit -Hn)"; [ "$nofile" = unlimited ] && nofile=65536
  nproc="$(ulimit -Hu)"; { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
  mkdir -p "$STANDIN_DIR"
  cat > "$STANDIN_DIR/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  export CONTAINERS_CONF="$STANDIN_DIR/containers.conf"
}

# select_engine: ENGINE is docker where a Docker engine answers, else podman (with its settings).
select_engine() {
  ensure_container_engine
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    ENGINE=docker
  else
    ENGINE=podman
    podman_engine
  fi
}

# make_base_standin ENGINE: python:3.12-slim's stand-in: Debian bookworm (debootstrap, minbase,
# with the libraries CPython links) and the CPython 3.12 this checkout's .venv runs, copied to
# /usr/local as the official image installs it, with pip; no test suite, no static libpython,
# no machine-specific .pth files.
make_base_standin() {
  local engine="$1" python="" root stdlib
  local candidate
  for candidate in "$(readlink -f "$REPO/.venv/bin/python" 2>/dev/null)" python3.12 \
    "$(pyenv root 2>/dev/null)"/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do
    if "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != (3, 12))" 2>/dev/null; then
      python="$candidate"
      break
    fi
  done
  [ -n "${python:-}" ] || { echo "no Python 3.12 here to make $BASE's stand-in from" >&2; return 1; }
  local prefix; prefix="$("$python" -c 'import sys; print(sys.base_prefix)')"
  local version; version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  command -v debootstrap >/dev/null || { echo "debootstrap is missing (apt-get install debootstrap)" >&2; return 1; }
  echo "==> $BASE cannot be pulled: making a stand-in from Debian bookworm and CPython $version ($prefix)" >&2
  root="$STANDIN_DIR/rootfs"
  rm -rf "$root"
  debootstrap --variant=minbase \
    --include=ca-certificates,netbase,tzdata,libssl3,libffi8,libsqlite3-0,zlib1g,libbz2-1.0,liblzma5,libreadline8,libncursesw6,libuuid1,libgdbm6,libexpat1 \
    bookworm "$root" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$STANDIN_DIR/debootstrap.log" 2>&1 \
    || { tail -20 "$STANDIN_DIR/debootstrap.log" >&2; return 1; }
  stdlib="python${version%.*}"
  mkdir -p "$root/usr/local/bin" "$root/usr/local/lib" "$root/usr/local/include"
  cp -a "$prefix/bin/$stdlib" "$root/usr/local/bin/"
  cp -a "$prefix"/lib/libpython3*.so* "$root/usr/local/lib/"
  cp -a "$prefix/include/$stdlib" "$root/usr/local/include/"
  tar -C "$prefix/lib" -c --exclude="$stdlib/test" --exclude='__pycache__' --exclude="$stdlib/site-packages/*" \
    --exclude="$stdlib/idlelib" --exclude="$stdlib/tkinter" --exclude="$stdlib/turtledemo" "$stdlib" \
    | tar -C "$root/usr/local/lib" -x
  rm -f "$root/usr/local/lib/$stdlib"/config-*/*.a
  cp -a "$prefix/lib/$stdlib/site-packages/"pip "$prefix/lib/$stdlib/site-packages/"pip-*.dist-info \
    "$root/usr/local/lib/$stdlib/site-packages/"
  ln -sf "$stdlib" "$root/usr/local/bin/python3"
  ln -sf "$stdlib" "$root/usr/local/bin/python"
  printf '#!/bin/sh\nexec /usr/local/bin/%s -m pip "$@"\n' "$stdlib" >"$root/usr/local/bin/pip"
  chmod +x "$root/usr/local/bin/pip"
  ln -sf pip "$root/usr/local/bin/pip3"
  chroot "$root" ldconfig
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | "$engine" import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' --change "ENV PYTHON_VERSION=$version" --change 'CMD ["python3"]' \
    - "docker.io/library/$BASE" >&2
  rm -rf "$root"
}

ensure_base() {
  "$ENGINE" image inspect "$BASE" >/dev/null 2>&1 && return 0
  timeout 60 "$ENGINE" pull "$BASE" >/dev/null 2>&1 && return 0
  make_base_standin "$ENGINE"
}

build() {
  local started secret=()
  ensure_base
  # The machine's certificate bundle, where its TLS needs one, as a build secret (never a layer);
  # an empty one otherwise (the Dockerfile uses it only when it is not empty).
  local bundle="${SSL_CERT_FILE:-}"
  if [ -z "$bundle" ] || [ ! -f "$bundle" ]; then bundle="$STANDIN_DIR/no-ca-bundle"; : >"$bundle"; fi
  secret=(--secret "id=ca_bundle,src=$bundle")
  started=$(date +%s)
  echo "==> $ENGINE build -t $IMAGE $REPO" >&2
  local args=(--network host "${secret[@]}")
  if [ "$ENGINE" = podman ]; then
    args+=(--format docker --layers)
  else
    export DOCKER_BUILDKIT=1
  fi
  "$ENGINE" build "${args[@]}" -t "$IMAGE" "$REPO"
  # The build stage tagged as well (from the layer cache, seconds): untagged, it would be pruned
  # below with the images this tag had before (labelled as ours, gigabytes each).
  "$ENGINE" build "${args[@]}" --target build -t "${IMAGE%:*}-build:latest" "$REPO" >/dev/null
  "$ENGINE" image prune -f --filter "label=org.opencontainers.image.title=llama-stack-milvus" >/dev/null || true
  echo "==> built $IMAGE in $(( $(date +%s) - started )) s" >&2
}

run() {
  local port
  port="$(port_from_args "${PORT:-8321}" "$@")" || exit 2
  echo "==> $ENGINE run $IMAGE on port $port, data in the volume lsm-data" >&2
  # Host networking: podman's bridge needs iptables this sandbox may not have; PORT moves the server.
  exec "$ENGINE" run --rm --network host -e PORT="$port" -v lsm-data:/data "$IMAGE"
}

case "${1:-}" in
  build|run|check|engine-env) select_engine ;;
  *) sed -n '2,4p' "$0" | sed 's/^# //' >&2; exit 2 ;;
esac
case "$1" in
  build) shift; build "$@" ;;
  run) shift; run "$@" ;;
  check)
    shift
    build
    export IMAGE
    cd "$REPO" && exec "$REPO/.venv/bin/python" -m pytest -p no:cacheprovider tests/image "$@"
    ;;
  # tests/image: the engine, and podman's settings file.
  engine-env) printf '%s\n%s\n' "$ENGINE" "${CONTAINERS_CONF:-}" ;;
esac
