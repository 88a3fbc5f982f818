"""Retrieval quality on a BEIR dataset through a running stack: nDCG@10, Recall@100, MRR@10.

Starts two embedded stacks side by side, ours and Llama Stack 0.2.20's built-in inline::milvus (or
only ours with --only-ours), ingests the corpus through `vector_io.insert` (one chunk per
document: title + text, embedded server-side, the document id in the chunk metadata), then asks
every judged query of the split in each mode: vector, keyword (BM25), hybrid with RRF (--rrf-k) and
hybrid weighted (--alpha). Scores at document level; prints a table, writes JSON and a bar plot.

--variant adds stacks of ours with provider settings changed, side by side, e.g.
    --variant "truncate: sentence-transformers.long_texts=truncate"
    --variant "standard analyzer: milvus.analyzer=standard"
    --variant "onnx-int8: sentence-transformers.backend=onnx-int8"
(`--compare` adds these three: one window vs all windows, standard vs English analyzer, torch vs
ONNX int8).

    .venv/bin/python benchmarks/beir.py --data ../shared/data/scifact --split train [--compare --only-ours]
"""

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import yaml  # noqa: E402
from common import add_corpus_arguments, builtin_config, config_with, document_text, load_beir  # noqa: E402
from servers import RUN_CONFIGS, StackServer  # noqa: E402

VECTOR_DB = "beir"
METRICS = ("nDCG@10", "Recall@100", "MRR@10")
COMPARED = [
    "truncate: sentence-transformers.long_texts=truncate",
    "standard analyzer: milvus.analyzer=standard",
    "onnx-int8: sentence-transformers.backend=onnx-int8",
]


def parse_variant(variant: str) -> tuple[str, dict[str, dict]]:
    """`NAME: PROVIDER_ID.KEY=VALUE[, ...]` -> (NAME, {provider_id: {key: value}})."""
    name, _, settings = variant.partition(":")
    changes: dict[str, dict] = {}
    for setting in filter(None, (s.strip() for s in settings.split(","))):
        target, _, value = setting.partition("=")
        provider_id, _, key = target.partition(".")
        if not provider_id or not key or not value:
            raise SystemExit(f"--variant {variant!r}: expected NAME: PROVIDER_ID.KEY=VALUE[, ...]")
        changes.setdefault(provider_id, {})[key] = yaml.safe_load(value)
    return name.strip(), changes


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int) -> float:
    dcg = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], grades: dict[str, int], k: int) -> float:
    return len(set(ranked[:k]) & set(grades)) / len(grades)


def mrr_at(ranked: list[str], grades: dict[str, int], k: int) -> float:
    return next((1 / (i + 1) for i, d in enumerate(ranked[:k]) if d in grades), 0.0)


def score(ranked: list[str], grades: dict[str, int]) -> dict[str, float]:
    return {"nDCG@10": ndcg_at(ranked, grades, 10), "Recall@100": recall_at(ranked, grades, 100),
            "MRR@10": mrr_at(ranked, grades, 10)}  # fmt: skip


def ingest(client, corpus: dict[str, dict], batch: int, provider_id: str) -> float:
    client.vector_dbs.register(
        vector_db_id=VECTOR_DB, embedding_model="all-MiniLM-L6-v2", embedding_dimension=384, provider_id=provider_id
    )
    ids = list(corpus)
    started = time.perf_counter()
    for start in range(0, len(ids), batch):
        chunks = [
            {"content": document_text(corpus[i]), "chunk_id": i, "metadata": {"document_id": i}}
            for i in ids[start : start + batch]
        ]
        client.vector_io.insert(vector_db_id=VECTOR_DB, chunks=chunks)
    return time.perf_counter() - started


def ranked_documents(client, query: str, params: dict) -> list[str]:
    response = client.vector_io.query(vector_db_id=VECTOR_DB, query=query, params=params)
    return list(dict.fromkeys(c.metadata["document_id"] for c in response.chunks))


def modes(rrf_k: float, alpha: float) -> dict[str, dict]:
    return {
        "vector": {"mode": "vector"},
        "keyword": {"mode": "keyword"},
        f"hybrid rrf k={rrf_k:g}": {"mode": "hybrid", "ranker": {"type": "rrf", "impact_factor": rrf_k}},
        f"hybrid weighted alpha={alpha:g}": {"mode": "hybrid", "ranker": {"type": "weighted", "alpha": alpha}},
    }


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    mode_names = list(next(iter(results.values()))["scores"])
    fig, axes = plt.subplots(1, len(METRICS), figsize=(5 * len(METRICS), 4), sharey=True)
    width = 0.8 / len(names)
    for axis, metric in zip(axes, METRICS, strict=True):
        for n, name in enumerate(names):
            values = [results[name]["scores"].get(m, {}).get(metric, 0.0) for m in mode_names]
            axis.bar([i + n * width for i in range(len(mode_names))], values, width, label=name)
        axis.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(mode_names))])
        axis.set_xticklabels(mode_names, rotation=20, ha="right", fontsize=8)
        axis.set_title(metric)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_corpus_arguments(parser, split="test")
    parser.add_argument("--rrf-k", type=float, default=60.0)
    parser.add_argument("--alpha", type=float, default=0.3, help="weight of the vector score in weighted hybrid")
    parser.add_argument("--batch", type=int, default=256, help="chunks per vector_io.insert")
    parser.add_argument("--max-queries", type=int, default=0, help="0: every judged query of the split")
    parser.add_argument("--only-ours", action="store_true")
    parser.add_argument("--variant", action="append", default=[], help="NAME: PROVIDER_ID.KEY=VALUE[, ...]")
    parser.add_argument("--compare", action="store_true", help="add the variants " + "; ".join(COMPARED))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    corpus, queries, qrels = load_beir(args.data, args.split)
    if args.max_queries:
        queries = dict(list(queries.items())[: args.max_queries])
    work = Path(tempfile.mkdtemp(prefix="beir-"))
    configs = {"ours": RUN_CONFIGS / "milvus-lite.yaml"}
    for i, variant in enumerate(args.variant + (COMPARED if args.compare else [])):
        name, changes = parse_variant(variant)
        configs[name] = config_with(changes, work / f"variant-{i}.yaml")
    if not args.only_ours:
        configs["built-in"] = builtin_config(work)
    results: dict[str, dict] = {}
    for name, config in configs.items():
        stack = StackServer(config, work / name).start()
        try:
            client = stack.client()
            seconds = ingest(client, corpus, args.batch, "milvus")
            results[name] = {"ingest_s": seconds, "ingest_docs_per_s": len(corpus) / seconds, "scores": {}}
            print(f"{name}: ingested {len(corpus)} documents in {seconds:.1f} s ({len(corpus) / seconds:.0f}/s)")
            for mode, params in modes(args.rrf_k, args.alpha).items():
                totals = dict.fromkeys(METRICS, 0.0)
                try:
                    for query_id, text in queries.items():
                        ranked = ranked_documents(client, text, {**params, "max_chunks": 100})
                        for metric, value in score(ranked, qrels[query_id]).items():
                            totals[metric] += value
                except Exception as exc:  # the built-in fails some modes: say so, go on
                    results[name]["scores"][mode] = {"error": str(exc)[:200]}
                    print(f"{name} {mode}: failed: {str(exc)[:200]}")
                    continue
                results[name]["scores"][mode] = {m: v / len(queries) for m, v in totals.items()}
        finally:
            stack.stop()

    print(f"\n{args.data.name} ({args.split}): {len(corpus)} documents, {len(queries)} queries\n")
    print("| stack | mode | " + " | ".join(METRICS) + " |\n|---|---|" + "---|" * len(METRICS))
    for name, result in results.items():
        for mode, values in result["scores"].items():
            cells = [f"{values[m]:.4f}" if m in values else "failed" for m in METRICS]
            print(f"| {name} | {mode} | " + " | ".join(cells) + " |")
    stamp = time.strftime("%Y-%m-%d")
    summary = {"date": stamp, "dataset": str(args.data), "split": args.split, "documents": len(corpus),
               "queries": len(queries), "rrf_k": args.rrf_k, "alpha": args.alpha, "results": results}  # fmt: skip
    (args.out / "beir.json").write_text(json.dumps(summary, indent=2))
    plot({n: r for n, r in results.items()}, args.out / "beir.png")
    print(f"\nwrote {args.out / 'beir.json'} and beir.png")


if __name__ == "__main__":
    main()
