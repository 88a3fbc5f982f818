"""SciFact (or any BEIR folder) through OGX 1.5: our Milvus provider against OGX's built-in one,
the same run, the same vectors.

Two OGX servers from the shipped embedded config (run-configs/ogx/milvus-lite.yaml; OGX's
built-in inline::milvus in our place for the second), one after the other. The corpus is
embedded once here, as our provider embeds a chunk (all-MiniLM-L6-v2, every window of a long
abstract, their mean), and inserted through OGX's `/v1/vector-io/insert` (OGX 1.5 takes chunks
already embedded); every judged query is asked through `/v1/vector-io/query` in each mode (OGX
embeds it with the config's embedding provider over the same model folder): vector, keyword, hybrid RRF
(impact factor 60) and hybrid weighted (alpha 0.3, our default on 0.2.20). nDCG@10, Recall@100,
MRR@10 at document level; insert seconds and query p50 per mode, with ratios ours / built-in.

    .venv/bin/python benchmarks/ogx_beir.py --data ../shared/data/scifact --split train [--max-queries 200]
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

import httpx  # noqa: E402
from beir import METRICS, score  # noqa: E402
from common import add_corpus_arguments, document_text, load_beir, minilm  # noqa: E402
from ogx_server import OgxServer, bundled_model_path, embedded_config  # noqa: E402

from llama_stack_milvus.core.embedding_windows import embed_whole  # noqa: E402

WINDOW_OVERLAP = 32  # as our provider's windows
MODES = {
    "vector": {"mode": "vector"},
    "keyword": {"mode": "keyword"},
    "hybrid rrf k=60": {"mode": "hybrid", "reranker_type": "rrf", "reranker_params": {"impact_factor": 60.0}},
    "hybrid weighted alpha=0.3": {"mode": "hybrid", "reranker_type": "weighted", "reranker_params": {"alpha": 0.3}},
}


def embed_corpus(corpus: dict[str, dict]) -> dict[str, list[float]]:
    _, offsets, encode, limit = minilm("torch")
    ids = list(corpus)
    vectors = embed_whole([document_text(corpus[i]) for i in ids], offsets, encode, limit, WINDOW_OVERLAP)
    return {i: [float(x) for x in v] for i, v in zip(ids, vectors, strict=True)}


def run(server: OgxServer, corpus, vectors, queries, qrels, batch: int) -> dict:
    http = httpx.Client(base_url=f"{server.base_url}/v1", timeout=600)
    store = http.post("/vector_stores", json={"name": "beir"}).raise_for_status().json()
    model = store["metadata"]["embedding_model"]
    ids = list(corpus)
    started = time.perf_counter()
    for start in range(0, len(ids), batch):
        chunks = [
            {
                "content": document_text(corpus[i]),
                "chunk_id": i,
                "metadata": {"document_id": i},
                "chunk_metadata": {"document_id": i, "chunk_id": i},
                "embedding": vectors[i],
                "embedding_model": model,
                "embedding_dimension": len(vectors[i]),
            }  # fmt: skip
            for i in ids[start : start + batch]
        ]
        http.post("/vector-io/insert", json={"vector_store_id": store["id"], "chunks": chunks}).raise_for_status()
    result = {"insert_s": time.perf_counter() - started, "scores": {}, "query_p50_ms": {}}
    for mode, params in MODES.items():
        totals, seconds = dict.fromkeys(METRICS, 0.0), []
        for query_id, text in queries.items():
            asked = time.perf_counter()
            response = http.post("/vector-io/query", json={"vector_store_id": store["id"], "query": text,
                                                           "params": {**params, "max_chunks": 100}})  # fmt: skip
            seconds.append(time.perf_counter() - asked)
            response.raise_for_status()
            ranked = list(dict.fromkeys(c["metadata"]["document_id"] for c in response.json()["chunks"]))
            for metric, value in score(ranked, qrels[query_id]).items():
                totals[metric] += value
        result["scores"][mode] = {m: v / len(queries) for m, v in totals.items()}
        result["query_p50_ms"][mode] = 1000 * statistics.median(seconds)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_corpus_arguments(parser)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--max-queries", type=int, default=0, help="0: every judged query")
    args = parser.parse_args()
    corpus, queries, qrels = load_beir(args.data, args.split)
    if args.max_queries:
        queries = dict(list(queries.items())[: args.max_queries])
    started = time.perf_counter()
    vectors = embed_corpus(corpus)
    print(f"embedded {len(corpus)} documents in {time.perf_counter() - started:.0f} s", flush=True)
    env = {"EMBEDDING_MODEL_PATH": bundled_model_path()}
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for name, ours in (("ours", True), ("built-in", False)):
            with OgxServer(embedded_config(ours=ours), Path(work) / name, env=env) as server:
                results[name] = run(server, corpus, vectors, queries, qrels, args.batch)
            print(f"{name}: inserted in {results[name]['insert_s']:.1f} s", flush=True)
    print(f"\n{args.data.name} ({args.split}) through OGX 1.5: {len(corpus)} documents, {len(queries)} queries\n")
    print("| provider | mode | " + " | ".join(METRICS) + " | query p50 (ms) |\n|---|---|" + "---|" * (len(METRICS) + 1))
    for name, result in results.items():
        for mode, values in result["scores"].items():
            cells = " | ".join(f"{values[m]:.4f}" for m in METRICS)
            print(f"| {name} | {mode} | {cells} | {result['query_p50_ms'][mode]:.1f} |")
    ours, builtin = results["ours"], results["built-in"]
    print(f"\ninsert: ours {ours['insert_s']:.1f} s, built-in {builtin['insert_s']:.1f} s, "
          f"ratio {ours['insert_s'] / builtin['insert_s']:.2f}")  # fmt: skip
    for mode in MODES:
        print(
            f"query p50 {mode}: ratio ours / built-in {ours['query_p50_ms'][mode] / builtin['query_p50_ms'][mode]:.2f}"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    summary = {"date": time.strftime("%Y-%m-%d"), "documents": len(corpus), "queries": len(queries), "results": results}
    (args.out / "ogx_beir.json").write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
