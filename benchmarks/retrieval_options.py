"""Retrieval options side by side on a BEIR dataset, through our Milvus core in this process (the
ranking a stack returns: the same collection, the same searches, server-side embedding = these
vectors): long texts embedded by their start or whole (every window, the mean), the full-text
analyzer (standard or english), and the hybrid ranker's parameters (RRF k, weighted alpha,
candidates per side).

Hybrid parameters are chosen on half of the judged queries (even positions) and reported on the
other half, which the choice never saw, as well as on all of them.

    .venv/bin/python benchmarks/retrieval_options.py --data ../shared/data/scifact --split train
"""

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from beir import score  # noqa: E402
from common import add_corpus_arguments, load_corpus, minilm  # noqa: E402

RRF_KS = (10, 60)
ALPHAS = (0.3, 0.4, 0.5, 0.6, 0.7)


def embeddings(texts: list[str], queries: list[str], cache: Path) -> dict[str, np.ndarray]:
    """Document vectors by how long texts are embedded, and the query vectors; cached by count."""
    from llama_stack_milvus.core.embedding_windows import embed_whole

    path = cache / f"embeddings-{len(texts)}-{len(queries)}.npz"
    if path.exists():
        return dict(np.load(path))
    _, offsets, encode, limit = minilm()
    long = sum(len(offsets(t)) > limit for t in texts)
    print(f"{len(texts)} documents, {long} longer than {limit} word-pieces; embedding (once, cached in {path})")
    vectors = {"truncate": encode(texts), "windows": embed_whole(texts, offsets, encode, limit, 32),
               "queries": encode(queries)}  # fmt: skip
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, **vectors)
    return vectors


def collection(client, name: str, analyzer: str, ids: list[str], texts: list[str], vectors: np.ndarray):
    from llama_stack_milvus.core.milvus.collection import ChunkCollection
    from llama_stack_milvus.core.milvus.settings import ANALYZERS, IndexSettings

    settings = IndexSettings(analyzer_params=dict(ANALYZERS[analyzer]))
    chunks = ChunkCollection(client, name, vectors.shape[1], settings, full_text_search=True)
    chunks.ensure()
    rows = [{"chunk_id": i, "document_id": i, "content": t, "vector": v.tolist(), "metadata": {}, "chunk": {}}
            for i, t, v in zip(ids, texts, vectors, strict=True)]  # fmt: skip
    chunks.upsert(rows)
    return chunks


def evaluate(search, queries: list[tuple[str, str, np.ndarray]], qrels) -> dict[str, dict[str, float]]:
    """Mean scores over (all, tuning half, held-out half) of the queries."""
    per_query = []
    for query_id, text, vector in queries:
        per_query.append(score([h.id for h in search(text, vector)], qrels[query_id]))
    halves = {"all": per_query, "tune": per_query[0::2], "held-out": per_query[1::2]}
    return {name: {m: float(np.mean([s[m] for s in part])) for m in part[0]} for name, part in halves.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_corpus_arguments(parser)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "llama-stack-milvus-bench")
    parser.add_argument("--k", type=int, default=100, help="hits per query (Recall@100 needs 100)")
    parser.add_argument("--candidate-factors", default="3", help="hybrid candidates per side, times k: e.g. 3,5,10")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from pymilvus import MilvusClient

    ids, texts, query_ids, query_texts, qrels = load_corpus(args)
    vectors = embeddings(texts, [query_texts[q] for q in query_ids], args.cache)
    queries = [(q, query_texts[q], v) for q, v in zip(query_ids, vectors["queries"], strict=True)]
    client = MilvusClient(str(Path(tempfile.mkdtemp(prefix="retrieval-options-")) / "milvus.db"))
    results: dict[str, dict] = {}

    def record(name: str, search) -> None:
        started = time.perf_counter()
        results[name] = evaluate(search, queries, qrels)
        r = results[name]
        print(f"| {name} | {r['all']['nDCG@10']:.4f} | {r['all']['Recall@100']:.4f} | {r['tune']['nDCG@10']:.4f} "
              f"| {r['held-out']['nDCG@10']:.4f} | {time.perf_counter() - started:.0f} |", flush=True)  # fmt: skip

    print("| option | nDCG@10 | Recall@100 | nDCG@10 tune half | nDCG@10 held-out half | s |")
    print("|---|---|---|---|---|---|")
    collections = {}
    for analyzer in ("standard", "english"):
        for embedding in ("truncate", "windows"):
            name = f"{analyzer}-{embedding}"
            collections[name] = collection(client, name.replace("-", "_"), analyzer, ids, texts, vectors[embedding])
    for embedding in ("truncate", "windows"):
        c = collections[f"standard-{embedding}"]
        record(f"vector, {embedding}", lambda text, v, c=c: c.search_vector(v, args.k))
    for analyzer in ("standard", "english"):
        c = collections[f"{analyzer}-windows"]
        record(f"keyword, {analyzer}", lambda text, v, c=c: c.search_keyword(text, args.k))
    for analyzer in ("standard", "english"):
        for embedding in ("truncate", "windows"):
            c = collections[f"{analyzer}-{embedding}"]
            for factor in (int(f) for f in args.candidate_factors.split(",")):
                c.settings = replace(c.settings, hybrid_candidates_factor=factor)
                for rrf_k in RRF_KS:
                    record(f"rrf k={rrf_k} x{factor}, {analyzer}, {embedding}",
                           lambda text, v, c=c, rrf_k=rrf_k: c.search_rrf(v, text, args.k, rrf_k))  # fmt: skip
                for alpha in ALPHAS:
                    record(f"weighted alpha={alpha} x{factor}, {analyzer}, {embedding}",
                           lambda text, v, c=c, alpha=alpha: c.search_weighted(v, text, args.k, alpha))  # fmt: skip
    client.close()
    hybrid = {n: r for n, r in results.items() if n.startswith(("rrf", "weighted"))}
    best = max(hybrid, key=lambda n: hybrid[n]["tune"]["nDCG@10"])
    chosen = hybrid[best]
    print(f"\nchosen on the tuning half: {best}: nDCG@10 held-out {chosen['held-out']['nDCG@10']:.4f}, "
          f"all {chosen['all']['nDCG@10']:.4f}, Recall@100 all {chosen['all']['Recall@100']:.4f}")  # fmt: skip
    (args.out / "retrieval_options.json").write_text(json.dumps({"results": results, "chosen": best}, indent=2))


if __name__ == "__main__":
    main()
