"""Embedding backends side by side: all-MiniLM-L6-v2 on torch (sentence-transformers), on ONNX
Runtime (fp32) and on ONNX Runtime with int8 weights, as inline::sentence-transformers runs them
(`backend: torch | onnx | onnx-int8`). For each: seconds to embed the corpus whole (every window
of a long text, as the provider does) and the queries, and the retrieval quality of those vectors
through our Milvus core: dense nDCG@10 / Recall@100 and the default hybrid (weighted 0.3, english).

    .venv/bin/python benchmarks/embedding_backends.py --data ../shared/data/scifact --split train
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from common import add_corpus_arguments, load_corpus, minilm  # noqa: E402
from retrieval_options import collection, evaluate  # noqa: E402

BACKENDS = ("torch", "onnx", "onnx-int8")
ALPHA = 0.3


def embed(backend: str, onnx_dir: Path, texts: list[str], queries: list[str]):
    """Document vectors (every window, their mean), query vectors, and the seconds each took."""
    from llama_stack_milvus.core.embedding_windows import embed_whole

    _, offsets, encode, limit = minilm(backend, onnx_dir)
    started = time.perf_counter()
    documents = embed_whole(texts, offsets, encode, limit, 32)
    corpus_s = time.perf_counter() - started
    started = time.perf_counter()
    query_vectors = np.stack([encode([q])[0] for q in queries])  # one at a time, as a query arrives
    return documents, query_vectors, corpus_s, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_corpus_arguments(parser)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--k", type=int, default=100)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from pymilvus import MilvusClient

    ids, texts, query_ids, query_texts, qrels = load_corpus(args)
    scratch = Path(tempfile.mkdtemp(prefix="embedding-backends-"))
    client = MilvusClient(str(scratch / "milvus.db"))
    rows = {}
    reference = None
    print("| backend | corpus s | corpus vs torch | query ms each | dense nDCG@10 | dense Recall@100 "
          "| hybrid nDCG@10 | hybrid Recall@100 | min cosine to torch |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for backend in args.backends.split(","):
        documents, queries, corpus_s, query_s = embed(
            backend, scratch / "onnx", texts, [query_texts[q] for q in query_ids]
        )
        if reference is None:
            reference = (documents, corpus_s)
        chunks = collection(client, backend.replace("-", "_"), "english", ids, texts, documents)
        judged = [(q, query_texts[q], v) for q, v in zip(query_ids, queries, strict=True)]
        dense = evaluate(lambda text, v, c=chunks: c.search_vector(v, args.k), judged, qrels)["all"]
        hybrid = evaluate(lambda text, v, c=chunks: c.search_weighted(v, text, args.k, ALPHA), judged, qrels)["all"]
        cosine = float(np.min(np.sum(documents * reference[0], axis=1)))
        rows[backend] = {
            "corpus s": round(corpus_s, 1),
            "corpus speed vs torch": round(reference[1] / corpus_s, 2),
            "query ms each": round(query_s * 1000 / len(queries), 2),
            "dense nDCG@10": round(dense["nDCG@10"], 4),
            "dense Recall@100": round(dense["Recall@100"], 4),
            "hybrid nDCG@10": round(hybrid["nDCG@10"], 4),
            "hybrid Recall@100": round(hybrid["Recall@100"], 4),
            "min cosine to torch": round(cosine, 4),
        }
        print(f"| {backend} | " + " | ".join(str(v) for v in rows[backend].values()) + " |", flush=True)
    client.close()
    (args.out / "embedding_backends.json").write_text(json.dumps(rows, indent=2))
    plot(rows, args.out / "embedding_backends.png")


def plot(rows: dict, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (the benchmarks extra): no plot")
        return
    names = list(rows)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.5))
    for axis, key in zip(axes, ["corpus speed vs torch", "query ms each", "hybrid nDCG@10"], strict=True):
        axis.bar(names, [rows[n][key] for n in names])
        axis.set_title(key)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}")


if __name__ == "__main__":
    main()
