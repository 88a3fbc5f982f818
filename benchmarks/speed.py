"""Ingest and query speed: our inline::milvus against Llama Stack 0.2.20's built-in, in one run,
and both against the limits (raw sentence-transformers, raw pymilvus) on the same texts.

Per stack (ours, built-in; started one after the other, queried alternately):
- server-side-embedding ingest: documents/s through `vector_io.insert` (text only);
- precomputed-embedding insert: chunks/s through `vector_io.insert` with 384-d embeddings given
  (--insert-rows chunks, 256 a call), with llama-stack-client and with a plain HTTP client;
- query latency p50/p95 through `vector_io.query` per mode (vector, keyword, hybrid).
The limits, in this process: the raw sentence-transformers encode rate on the same texts (every
window of a text longer than the model reads counted, as our provider embeds them), raw
pymilvus inserts of the same rows into a Milvus Lite file (id, text, vector; and into a collection
of our core's schema, with its English-analyzed BM25 field), and raw query embedding + raw pymilvus search.
Prints the ratios ours/built-in and ours/limit; writes JSON and a PNG.

`--backend onnx-int8` (or onnx) runs both stacks' embedding provider on ONNX Runtime
(EMBEDDING_BACKEND); the limits stay raw torch, and the query limit is also given for raw embedding
with the same backend.

    .venv/bin/python benchmarks/speed.py --data ../shared/data/scifact --docs 1000 [--backend onnx-int8]
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from common import add_corpus_arguments, builtin_config, document_text, load_beir, minilm, percentile  # noqa: E402
from servers import RUN_CONFIGS, StackServer  # noqa: E402

MODES = ("vector", "keyword", "hybrid")


def every_window(texts: list[str], offsets, limit: int) -> list[str]:
    """What our provider encodes for these texts (EMBEDDING_LONG_TEXTS=windows): every window of a
    text longer than the model reads, the others whole. The built-in encodes each text's start."""
    from llama_stack_milvus.core.embedding_windows import text_windows

    pieces = [piece for text in texts for piece in text_windows(text, offsets(text), limit, 32)[0]]
    print(f"{len(texts)} texts, {len(pieces)} windows of at most {limit} word-pieces")
    return pieces


def raw_query_p50(model, client, queries: list[str], repeats: int) -> float:
    latencies = []
    for i in range(repeats):
        started = time.perf_counter()
        query_vector = model.encode([queries[i % len(queries)]], show_progress_bar=False)[0].tolist()
        client.search("raw", [query_vector], limit=5, output_fields=["content"])
        latencies.append((time.perf_counter() - started) * 1000)
    return statistics.median(latencies)


def raw_collection(client, name: str, dimension: int) -> None:
    """id, text, vector: what a plain pymilvus user would make."""
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
    schema.add_field("content", DataType.VARCHAR, max_length=65535)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    index = client.prepare_index_params()
    index.add_index("vector", index_type="AUTOINDEX", metric_type="COSINE")
    client.create_collection(name, schema=schema, index_params=index)


def our_schema_collection(client, name: str, dimension: int) -> None:
    """A collection made by our Milvus core, as the stack makes one (BM25 field, English analyzer)."""
    from llama_stack_milvus.core.milvus.collection import ChunkCollection
    from llama_stack_milvus.core.milvus.settings import IndexSettings

    ChunkCollection(client, name, dimension, IndexSettings(), full_text_search=True).ensure()


def raw_limits(
    texts: list[str], queries: list[str], work: Path, repeats: int, backend: str, insert_rows: int
) -> tuple[dict, list[list[float]]]:
    from pymilvus import MilvusClient

    model, offsets, _, limit = minilm()
    model.encode(texts[:32])
    pieces = every_window(texts, offsets, limit)
    started = time.perf_counter()
    model.encode(pieces, batch_size=32, show_progress_bar=False)
    encode_rate = len(texts) / (time.perf_counter() - started)
    vectors = model.encode(texts, batch_size=32, show_progress_bar=False)

    client = MilvusClient(str(work / "raw.db"))
    rows = [{"id": str(i), "content": texts[i % len(texts)], "vector": vectors[i % len(texts)].tolist()}
            for i in range(insert_rows)]  # fmt: skip
    our_rows = [{"chunk_id": r["id"], "document_id": r["id"], "content": r["content"], "vector": r["vector"],
                 "metadata": {}, "chunk": {}} for r in rows]  # fmt: skip
    raw_collection(client, "raw", vectors.shape[1])
    our_schema_collection(client, "raw_bm25", vectors.shape[1])
    limits = {"encode texts/s": encode_rate}
    for name, key, data in (("raw", "pymilvus insert rows/s", rows),
                            ("raw_bm25", "pymilvus insert rows/s, with BM25 like ours", our_rows)):  # fmt: skip
        started = time.perf_counter()
        for start in range(0, len(data), 256):
            client.insert(name, data[start : start + 256])
        limits[key] = len(data) / (time.perf_counter() - started)
    limits["embed query + pymilvus search p50 ms"] = raw_query_p50(model, client, queries, repeats)
    if backend != "torch":
        same_backend = minilm(backend, work / "onnx")[0]
        same_backend.encode(queries[:8])
        same_p50 = raw_query_p50(same_backend, client, queries, repeats)
        limits[f"{backend} embed query + pymilvus search p50 ms"] = same_p50
    client.close()
    return limits, vectors.tolist()


def given_chunks(texts, vectors, count: int) -> list[dict]:
    return [{"content": texts[i % len(texts)], "embedding": vectors[i % len(texts)], "chunk_id": f"c{i}",
             "metadata": {"document_id": f"d{i}"}} for i in range(count)]  # fmt: skip


def stack_figures(client, base_url, texts, vectors, queries, repeats, insert_rows) -> dict[str, float]:
    figures: dict[str, float] = {}
    client.inference.embeddings(model_id="all-MiniLM-L6-v2", contents=["warm-up"])  # loads (or exports) the model
    client.vector_dbs.register(vector_db_id="text", embedding_model="all-MiniLM-L6-v2", embedding_dimension=384)
    client.vector_dbs.register(vector_db_id="given", embedding_model="all-MiniLM-L6-v2", embedding_dimension=384)
    started = time.perf_counter()
    for start in range(0, len(texts), 256):
        chunks = [
            {"content": t, "metadata": {"document_id": f"d{start + i}"}}
            for i, t in enumerate(texts[start : start + 256])
        ]
        client.vector_io.insert(vector_db_id="text", chunks=chunks)
    figures["server-side-embedding ingest docs/s"] = len(texts) / (time.perf_counter() - started)
    chunks = given_chunks(texts, vectors, insert_rows)
    started = time.perf_counter()
    for start in range(0, len(chunks), 256):
        client.vector_io.insert(vector_db_id="given", chunks=chunks[start : start + 256])
    figures["precomputed-embedding insert chunks/s"] = len(chunks) / (time.perf_counter() - started)
    # The same requests without llama-stack-client, whose request building walks every number in
    # Python (about half of the CPU of the call above): what the server itself accepts.
    client.vector_dbs.register(vector_db_id="given-http", embedding_model="all-MiniLM-L6-v2", embedding_dimension=384)
    started = time.perf_counter()
    with httpx.Client(timeout=300) as http:
        for start in range(0, len(chunks), 256):
            body = orjson.dumps({"vector_db_id": "given-http", "chunks": chunks[start : start + 256]})
            http.post(f"{base_url}/v1/vector-io/insert", content=body,
                      headers={"content-type": "application/json"}).raise_for_status()  # fmt: skip
    figures["precomputed-embedding insert, plain HTTP client, chunks/s"] = len(chunks) / (time.perf_counter() - started)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_corpus_arguments(parser)
    parser.add_argument("--docs", type=int, default=1000, help="documents of the corpus to use")
    parser.add_argument("--repeats", type=int, default=100, help="queries per mode and stack")
    parser.add_argument("--insert-rows", type=int, default=4096, help="chunks of the precomputed-embedding inserts")
    parser.add_argument("--backend", choices=("torch", "onnx", "onnx-int8"), default="torch",
                        help="both stacks' embedding backend (EMBEDDING_BACKEND)")  # fmt: skip
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    corpus, queries, _ = load_beir(args.data, args.split)
    texts = [document_text(doc) for doc in list(corpus.values())[: args.docs]]
    questions = list(queries.values())
    work = Path(tempfile.mkdtemp(prefix="speed-"))
    limits, vectors = raw_limits(texts, questions, work, args.repeats, args.backend, args.insert_rows)

    env = {"EMBEDDING_BACKEND": args.backend}
    stacks = {"ours": StackServer(RUN_CONFIGS / "milvus-lite.yaml", work / "ours", env=env),
              "built-in": StackServer(builtin_config(work), work / "builtin", env=env)}  # fmt: skip
    figures: dict[str, dict[str, float]] = {}
    latencies: dict[str, dict[str, list[float]]] = {name: {m: [] for m in MODES} for name in stacks}
    try:
        for name, stack in stacks.items():
            stack.start()
            figures[name] = stack_figures(
                stack.client(), stack.base_url, texts, vectors, questions, args.repeats, args.insert_rows
            )
        clients = {name: stack.client() for name, stack in stacks.items()}
        for mode in MODES:
            for i in range(args.repeats + 1):
                for name, client in clients.items():  # alternate: both see the same load
                    started = time.perf_counter()
                    client.vector_io.query(
                        vector_db_id="text", query=questions[i % len(questions)], params={"mode": mode, "max_chunks": 5}
                    )
                    if i:  # the first is a warm-up
                        latencies[name][mode].append((time.perf_counter() - started) * 1000)
        for name in stacks:
            for mode in MODES:
                figures[name][f"query {mode} p50 ms"] = statistics.median(latencies[name][mode])
                figures[name][f"query {mode} p95 ms"] = percentile(latencies[name][mode], 0.95)
    finally:
        for stack in stacks.values():
            stack.stop()

    limit_of = {
        "server-side-embedding ingest docs/s": limits["encode texts/s"],
        "precomputed-embedding insert chunks/s": limits["pymilvus insert rows/s"],
        "precomputed-embedding insert, plain HTTP client, chunks/s": limits["pymilvus insert rows/s"],
        "query vector p50 ms": limits["embed query + pymilvus search p50 ms"],
    }
    print(f"\n{len(texts)} documents of {args.data.name}, {args.repeats} queries per mode, {args.backend}\n")
    print("| figure | ours | built-in | ours/built-in | limit | ours/limit |\n|---|---|---|---|---|---|")
    for key in figures["ours"]:
        ours, builtin = figures["ours"][key], figures["built-in"][key]
        limit = limit_of.get(key)
        cells = [f"{ours:.1f}", f"{builtin:.1f}", f"{ours / builtin:.2f}"]
        cells += [f"{limit:.1f}", f"{ours / limit:.2f}"] if limit else ["", ""]
        print(f"| {key} | " + " | ".join(cells) + " |")
    print("\nlimits: " + ", ".join(f"{k} {v:.1f}" for k, v in limits.items()))
    bm25_limit = limits["pymilvus insert rows/s, with BM25 like ours"]
    for key in ("precomputed-embedding insert chunks/s", "precomputed-embedding insert, plain HTTP client, chunks/s"):
        print(f"{key}, ours / pymilvus with BM25 like ours: {figures['ours'][key] / bm25_limit:.2f}")
    same_backend = limits.get(f"{args.backend} embed query + pymilvus search p50 ms")
    if same_backend:
        ratio = figures["ours"]["query vector p50 ms"] / same_backend
        print(f"query vector p50, ours / raw {args.backend} embed + search: {ratio:.2f}")
    summary = {"date": time.strftime("%Y-%m-%d"), "documents": len(texts), "repeats": args.repeats,
               "backend": args.backend, "limits": limits, "figures": figures}  # fmt: skip
    name = "speed" if args.backend == "torch" else f"speed-{args.backend}"
    (args.out / f"{name}.json").write_text(json.dumps(summary, indent=2))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(figures["ours"])
    fig, axes = plt.subplots(1, len(keys), figsize=(2.4 * len(keys), 3.2))
    for axis, key in zip(axes, keys, strict=True):
        bars = {"ours": figures["ours"][key], "built-in": figures["built-in"][key]}
        if key in limit_of:
            bars["limit"] = limit_of[key]
        axis.bar(list(bars), list(bars.values()), color=["#1f77b4", "#888", "#2ca02c"][: len(bars)])
        axis.set_title(key, fontsize=7)
        axis.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(args.out / f"{name}.png", dpi=120)
    print(f"wrote {args.out / name}.json and {name}.png")


if __name__ == "__main__":
    main()
