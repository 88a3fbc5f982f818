"""Tenants: many vector DBs as one Milvus collection each, or as partition-key values of one shared
collection (provider setting `tenancy`). For 10, 1,000 and 10,000 vector DBs, each way, on a fresh
Milvus 2.3.5 standalone (auth on): time to register every vector DB, insert p50 (one call of 20
chunks into one vector DB), vector query p50 (k=5, one vector DB), Milvus resident memory at the end.

Through the Milvus core the providers use (ChunkStore: what registering and inserting a vector DB
does, without the HTTP layer), with precomputed random 384-d vectors: the storage side is what
differs between the two ways. A collection per vector DB takes seconds to create, index and load
on 2 cores: registering stops at --register-budget seconds, and the row says how many were made.

    .venv/bin/python benchmarks/tenants.py --sizes 10,1000,10000
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from common import percentile  # noqa: E402
from milvus_servers import ROOT_TOKEN, MilvusStandalone  # noqa: E402

from llama_stack_milvus.core.milvus import collection as fields  # noqa: E402
from llama_stack_milvus.core.milvus.connection import MilvusBackend, detect_features  # noqa: E402
from llama_stack_milvus.core.milvus.search_request import SearchRequest  # noqa: E402
from llama_stack_milvus.core.milvus.settings import IndexSettings  # noqa: E402
from llama_stack_milvus.core.milvus.store import ChunkStore  # noqa: E402

DIM = 384
CHUNKS_PER_DB = 20
SAMPLES = 200
SHARED = "lsm_vector_dbs_384d"


def collection_name(i: int) -> str:
    return f"lsm_bench_db_{i}"


def rows(rng: np.random.Generator, db: int, count: int) -> list[dict]:
    vectors = rng.normal(size=(count, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [
        {fields.ID: f"db{db}-c{i}", fields.DOCUMENT_ID: f"doc{i}", fields.TEXT: f"chunk {i} of vector DB {db}",
         fields.VECTOR: vectors[i].tolist(), fields.METADATA: {"document_id": f"doc{i}"}, fields.EXTRA: {}}
        for i in range(count)
    ]  # fmt: skip


def milvus_rss_mib(server: MilvusStandalone) -> float:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


async def one_run(tenancy: str, size: int, budget: float, root: Path) -> dict:
    server = MilvusStandalone(root / f"{tenancy}-{size}").start()
    try:
        backend = MilvusBackend(uri=server.uri, is_lite=False, label="Milvus 2.3.5", client_args={"token": ROOT_TOKEN})
        client = backend.connect()
        features = detect_features(client, is_lite=False)
        settings = IndexSettings(consistency_level="Session")
        rng = np.random.default_rng(size)

        stores: list[ChunkStore] = []
        started = time.perf_counter()
        shared = None
        for i in range(size):
            if tenancy == "partition_key":
                if shared is None:
                    shared = await ChunkStore.open(client, SHARED, DIM, settings, features, backend.label, False, True)
                stores.append(shared.for_tenant(f"db-{i}"))
            else:
                stores.append(
                    await ChunkStore.open(client, collection_name(i), DIM, settings, features, backend.label, False)
                )
            if time.perf_counter() - started > budget:
                break
        register_s = time.perf_counter() - started

        insert_ms = []
        for i, store in enumerate(stores):
            batch = rows(rng, i, CHUNKS_PER_DB)
            t0 = time.perf_counter()
            await store.upsert(batch)
            insert_ms.append((time.perf_counter() - t0) * 1000)

        query_ms = []
        picker = random.Random(size)
        for _ in range(SAMPLES):
            i = picker.randrange(len(stores))
            vector = rows(rng, i, 1)[0][fields.VECTOR]
            t0 = time.perf_counter()
            hits = await stores[i].search(SearchRequest(mode="vector", k=5), "", vector)
            query_ms.append((time.perf_counter() - t0) * 1000)
            assert hits and all(h.id.startswith(f"db{i}-") for h in hits), "a search left its vector DB"
        client.close()
        return {
            "tenancy": tenancy,
            "vector DBs asked": size,
            "vector DBs made": len(stores),
            "register s (all)": round(register_s, 1),
            "register ms (each)": round(register_s * 1000 / len(stores), 1),
            "insert p50 ms": round(statistics.median(insert_ms), 1),
            "query p50 ms": round(statistics.median(query_ms), 1),
            "query p95 ms": round(percentile(query_ms, 95), 1),
            "Milvus RSS MiB": round(milvus_rss_mib(server)),
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--tenancy", default="partition_key,collection")
    parser.add_argument("--register-budget", type=float, default=600.0, help="seconds of registering per run")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "tenants")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="tenants-bench-") as root:
        for size in [int(s) for s in args.sizes.split(",")]:
            for tenancy in args.tenancy.split(","):
                result = asyncio.run(one_run(tenancy, size, args.register_budget, Path(root)))
                results.append(result)
                print(json.dumps(result), flush=True)
    (args.out / "tenants.json").write_text(json.dumps(results, indent=2))
    print_table(results)
    plot(results, args.out / "tenants.png")


def print_table(results: list[dict]) -> None:
    keys = list(results[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in results:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


def plot(results: list[dict], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (the benchmarks extra): no plot")
        return
    figures = ["register ms (each)", "insert p50 ms", "query p50 ms", "Milvus RSS MiB"]
    fig, axes = plt.subplots(1, len(figures), figsize=(4 * len(figures), 3.5))
    for axis, figure in zip(axes, figures, strict=True):
        for tenancy in sorted({r["tenancy"] for r in results}):
            points = [(r["vector DBs made"], r[figure]) for r in results if r["tenancy"] == tenancy]
            axis.plot(*zip(*points, strict=True), marker="o", label=tenancy)
        axis.set_xscale("log")
        axis.set_xlabel("vector DBs")
        axis.set_title(figure)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}")


if __name__ == "__main__":
    main()
