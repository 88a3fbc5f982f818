"""Scale: `vector_io.insert` with precomputed 384-d embeddings of 10k, 100k and 1M chunks, then
`vector_io.query`, into remote::milvus (Milvus 2.3.5 standalone, HNSW) and inline::milvus
(Milvus Lite file, IVF_FLAT or AUTOINDEX). Per backend and size, on a fresh stack and store:
insert chunks/s, resident memory of Milvus and of the stack, vector query p50/p95 (k=10) and
recall@10 against exact search over the same vectors. Prints a table, writes JSON and a PNG of
each figure against N.

The chunks are synthetic but live in the model's space: each is a real all-MiniLM-L6-v2 embedding
of a corpus document plus Gaussian noise (cosine ~0.8 to its document), normalised. Queries are the
corpus' real questions, sent as text and embedded by the stack; the exact top 10 is computed here
with the same model.

    .venv/bin/python benchmarks/scale.py --data ../shared/data/scifact --sizes 10000,100000,1000000
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from common import add_corpus_arguments, config_with, document_text, load_beir, minilm, percentile  # noqa: E402
from milvus_servers import ROOT_TOKEN, MilvusStandalone  # noqa: E402
from servers import RUN_CONFIGS, StackServer  # noqa: E402

DIM = 384
K = 10
NOISE = 0.75 / np.sqrt(DIM)  # noise norm ~0.75 against a unit centre: cosine ~0.8


def rss_mib(pid: int) -> dict[str, float]:
    """Resident memory of a process and its descendants, from /proc: Milvus processes apart."""
    totals = {"Milvus RSS MiB": 0.0, "stack RSS MiB": 0.0}
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            status = dict(
                line.split(":", 1) for line in Path(f"/proc/{current}/status").read_text().splitlines() if ":" in line
            )
            key = "Milvus RSS MiB" if status["Name"].strip() == "milvus" else "stack RSS MiB"
            totals[key] += int(status.get("VmRSS", "0 kB").split()[0]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, KeyError):
            continue
    return totals


class Vectors:
    """Chunk i's vector, made batch by batch from a seed: nothing holds all N at once."""

    def __init__(self, centres: np.ndarray, seed: int) -> None:
        self.centres = centres
        self.seed = seed

    def batch(self, start: int, size: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, start])
        picked = self.centres[rng.integers(0, len(self.centres), size)]
        vectors = picked + rng.normal(0.0, NOISE, (size, DIM)).astype(np.float32)
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


class ExactTopK:
    """The exact cosine top k of every query, kept while the batches go by."""

    def __init__(self, queries: np.ndarray) -> None:
        self.queries = queries
        self.scores = np.full((len(queries), K), -np.inf, dtype=np.float32)
        self.ids = np.full((len(queries), K), -1, dtype=np.int64)

    def add(self, start: int, vectors: np.ndarray) -> None:
        scores = np.concatenate([self.scores, self.queries @ vectors.T], axis=1)
        ids = np.concatenate(
            [self.ids, np.broadcast_to(np.arange(start, start + len(vectors)), scores[:, K:].shape)], 1
        )
        best = np.argpartition(-scores, K, axis=1)[:, :K]
        self.scores = np.take_along_axis(scores, best, 1)
        self.ids = np.take_along_axis(ids, best, 1)


def run_one(name: str, stack: StackServer, milvus_pid: int | None, vectors: Vectors, size: int,
            questions: list[str], exact: ExactTopK, batch: int) -> dict[str, float]:  # fmt: skip
    client = stack.client()
    client.vector_dbs.register(vector_db_id="scale", embedding_model="all-MiniLM-L6-v2", embedding_dimension=DIM)
    insert_seconds = 0.0
    for start in range(0, size, batch):
        rows = vectors.batch(start, min(batch, size - start))
        exact.add(start, rows)
        chunks = [
            {"content": f"chunk {start + i}", "embedding": v, "metadata": {"document_id": f"c{start + i}"}}
            for i, v in enumerate(rows.tolist())
        ]
        started = time.perf_counter()
        client.vector_io.insert(vector_db_id="scale", chunks=chunks)
        insert_seconds += time.perf_counter() - started
        if (start // batch) % 100 == 0:
            print(f"  {name} N={size:,}: {start + len(rows):,} inserted, {(start + len(rows)) / insert_seconds:.0f}/s",
                  flush=True)  # fmt: skip
    figures = {"insert chunks/s": size / insert_seconds}
    figures.update(query_figures(client, questions, exact))
    figures.update(rss_mib(stack.process.pid))
    if milvus_pid is not None:
        figures["Milvus RSS MiB"] = rss_mib(milvus_pid)["Milvus RSS MiB"]
    return figures


def query_figures(client, questions: list[str], exact: ExactTopK) -> dict[str, float]:
    latencies, recalls = [], []
    for i, question in enumerate(questions):
        started = time.perf_counter()
        answer = client.vector_io.query(vector_db_id="scale", query=question, params={"max_chunks": K})
        latencies.append((time.perf_counter() - started) * 1000)
        found = {int(c.metadata["document_id"][1:]) for c in answer.chunks}
        recalls.append(len(found & set(exact.ids[i].tolist())) / K)
    latencies = latencies[5:]  # warm-up
    return {"query p50 ms": statistics.median(latencies), "query p95 ms": percentile(latencies, 0.95),
            "recall@10": statistics.mean(recalls)}  # fmt: skip


def wait_for_index(uri: str, timeout: float) -> float:
    """Seal the server's segments and wait until its index covers every row; returns the seconds."""
    from pymilvus import MilvusClient

    client = MilvusClient(uri=uri, token=ROOT_TOKEN)
    started = time.perf_counter()
    try:
        for collection in client.list_collections():
            client.flush(collection)
            for index in client.list_indexes(collection):
                while time.perf_counter() - started < timeout:
                    info = client.describe_index(collection, index)
                    if info.get("pending_index_rows", 0) == 0 and info.get("indexed_rows") == info.get("total_rows"):
                        break
                    time.sleep(2)
    finally:
        client.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_corpus_arguments(parser)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated chunk counts")
    parser.add_argument(
        "--backends",
        default="remote-hnsw,inline-ivf_flat",
        help="remote-<INDEX> (Milvus 2.3.5 server) and/or inline-<INDEX> (Milvus Lite file)",
    )
    parser.add_argument("--centres", type=int, default=300, help="corpus documents embedded as cluster centres")
    parser.add_argument("--queries", type=int, default=200, help="questions asked per backend and size")
    parser.add_argument("--batch", type=int, default=1000, help="chunks per vector_io.insert call")
    parser.add_argument("--work", type=Path, default=None, help="where stores go (default: a temp folder)")
    parser.add_argument(
        "--search-params",
        default="",
        help="the providers' search_params as JSON, e.g. '{\"ef\": 256}' or '{\"nprobe\": 64}'",
    )
    parser.add_argument("--replot", type=Path, default=None, help="only redraw the table and plot of a scale.json")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.replot:
        saved = json.loads(args.replot.read_text())["results"]
        print_table({b: {int(n): f for n, f in r.items()} for b, r in saved.items()})
        plot(saved, args.out / "scale.png")
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="scale-"))

    corpus, queries, _ = load_beir(args.data, args.split)
    model = minilm()[0]
    centres = model.encode([document_text(d) for d in list(corpus.values())[: args.centres]], normalize_embeddings=True)
    questions = list(queries.values())[: args.queries]
    query_vectors = model.encode(questions, normalize_embeddings=True).astype(np.float32)
    del model
    vectors = Vectors(centres.astype(np.float32), seed=7)

    results: dict[str, dict[int, dict[str, float]]] = {}
    for backend in args.backends.split(","):
        kind, index_type = backend.split("-", 1)
        results[backend] = {}
        for size in sizes:
            folder = work / f"{backend}-{size}"
            env = {"MILVUS_INDEX_TYPE": index_type.upper()}
            server = None
            if kind == "remote":
                server = MilvusStandalone(folder / "milvus").start()
                env.update(MILVUS_URI=server.uri, MILVUS_TOKEN=ROOT_TOKEN)
            config = RUN_CONFIGS / ("milvus-server.yaml" if kind == "remote" else "milvus-lite.yaml")
            if args.search_params:
                config = config_with({"milvus": {"search_params": json.loads(args.search_params)}},
                                     folder / config.name, base=config)  # fmt: skip
            stack = StackServer(config, folder / "stack", env)
            try:
                stack.start()
                exact = ExactTopK(query_vectors)
                figures = run_one(backend, stack, server.process.pid if server else None, vectors, size,
                                  questions, exact, args.batch)  # fmt: skip
                if server is not None:  # the HNSW figures once every segment is indexed, too
                    figures["index wait s"] = wait_for_index(server.uri, timeout=3600)
                    indexed = query_figures(stack.client(), questions, exact)
                    figures.update({f"indexed {k}": v for k, v in indexed.items()})
                store = folder / "milvus" / "data" if server else folder / "stack"
                figures["store MiB on disk"] = sum(
                    f.stat().st_size for f in store.rglob("*") if f.is_file() and (server or "milvus.db" in str(f))
                ) / 2**20  # fmt: skip
            finally:
                stack.stop()
                if server is not None:
                    server.stop()
            shutil.rmtree(folder, ignore_errors=True)  # a million chunks take gigabytes
            results[backend][size] = figures
            print(f"{backend} N={size:,}: " + ", ".join(f"{k} {v:.3g}" for k, v in figures.items()), flush=True)
            (args.out / "scale.json").write_text(json.dumps(summary(args, sizes, results), indent=2))

    print_table(results)
    plot(results, args.out / "scale.png")
    print(f"wrote {args.out / 'scale.json'} and scale.png")


def summary(args, sizes, results) -> dict:
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
        " of memory",
        "sizes": sizes,
        "batch": args.batch,
        "queries": args.queries,
        "results": {b: {str(n): f for n, f in r.items()} for b, r in results.items()},
    }


def print_table(results) -> None:
    keys = sorted({k for by_size in results.values() for f in by_size.values() for k in f}, key=_key_order)
    print("\n| backend | N | " + " | ".join(keys) + " |\n|---|---|" + "---|" * len(keys))
    for backend, by_size in results.items():
        for size, figures in by_size.items():
            cells = [f"{figures[k]:.3g}" if k in figures else "" for k in keys]
            print(f"| {backend} | {size:,} | " + " | ".join(cells) + " |")


def _key_order(key: str) -> tuple[int, str]:
    order = ["insert", "index wait", "query p50", "query p95", "recall", "indexed", "Milvus RSS", "stack RSS", "store"]
    return next((i for i, prefix in enumerate(order) if key.startswith(prefix)), len(order)), key


def plot(results, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = ["insert chunks/s", "query p50 ms", "recall@10", "Milvus RSS MiB", "stack RSS MiB"]
    colours = dict(zip(results, ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"], strict=False))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.4))
    for axis, key in zip(axes, panels, strict=True):
        for backend, by_size in results.items():
            for prefix, style in (("", "-o"), ("indexed ", "--s")):
                points = sorted((int(n), f[prefix + key]) for n, f in by_size.items() if prefix + key in f)
                if points:
                    label = f"{backend}{', every segment indexed' if prefix else ''}"
                    axis.plot(*zip(*points, strict=True), style, color=colours[backend], label=label)
        axis.set_xscale("log")
        axis.set_ylim(bottom=0)
        axis.set_xlabel("chunks")
        axis.set_title(key, fontsize=8)
        axis.tick_params(labelsize=7)
    axes[1].legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
