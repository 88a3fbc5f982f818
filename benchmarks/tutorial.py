"""The tutorial's steps timed on our inline::milvus and on Llama Stack 0.2.20's built-in, side by side.

Starts two embedded stacks (the same run-config; one with the built-in vector_io provider), then
times: start-up to a healthy server, register + rag_tool.insert of the four torchtune pages served
from a local HTTP server, and query latency (rag_tool.query, vector_io.query per mode) with the
two stacks queried alternately so that both see the same machine load. Prints a table of each
figure and the ratio ours/built-in, writes JSON and a PNG bar plot.

    .venv/bin/python benchmarks/tutorial.py --pages ../shared/data/torchtune --out benchmarks/results
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

from common import builtin_config, percentile  # noqa: E402
from servers import RUN_CONFIGS, FileServer, StackServer  # noqa: E402

PAGES = ["chat.rst", "llama3.rst", "memory_optimizations.rst", "lora_finetune.rst"]
QUESTION = "what attention type does Llama3-8B use?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=Path, default=REPO / "tests" / "data" / "torchtune")
    parser.add_argument("--repeats", type=int, default=30, help="queries per kind and stack")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    work = Path(tempfile.mkdtemp(prefix="tutorial-bench-"))
    stacks = {
        "ours": StackServer(RUN_CONFIGS / "milvus-lite.yaml", work / "ours"),
        "built-in": StackServer(builtin_config(work), work / "builtin"),
    }
    results: dict[str, dict[str, float]] = {name: {} for name in stacks}
    latencies: dict[str, dict[str, list[float]]] = {name: {} for name in stacks}
    try:
        with FileServer(args.pages) as pages:
            for name, stack in stacks.items():
                stack.start()
                results[name]["start-up to healthy (s)"] = stack.started_in
                client = stack.client()
                started = time.perf_counter()
                client.vector_dbs.register(
                    vector_db_id="my_demo_vector_db", embedding_model="all-MiniLM-L6-v2", embedding_dimension=384
                )
                from llama_stack_client import RAGDocument

                documents = [
                    RAGDocument(
                        document_id=f"num-{i}", content=f"{pages.base_url}/{p}", mime_type="text/plain", metadata={}
                    )
                    for i, p in enumerate(PAGES)
                ]
                client.tool_runtime.rag_tool.insert(
                    documents=documents, vector_db_id="my_demo_vector_db", chunk_size_in_tokens=1024
                )
                results[name]["register + insert 4 pages (s)"] = time.perf_counter() - started

            kinds = {
                "rag_tool.query": lambda c: c.tool_runtime.rag_tool.query(
                    content=QUESTION, vector_db_ids=["my_demo_vector_db"]
                ),
                **{
                    f"vector_io.query {mode}": (
                        lambda c, mode=mode: c.vector_io.query(
                            vector_db_id="my_demo_vector_db", query=QUESTION, params={"mode": mode, "max_chunks": 5}
                        )
                    )
                    for mode in ("vector", "keyword", "hybrid")
                },
            }
            clients = {name: stack.client() for name, stack in stacks.items()}
            for kind, call in kinds.items():
                for name in stacks:
                    call(clients[name])  # warm-up
                    latencies[name][kind] = []
                for _ in range(args.repeats):
                    for name in stacks:  # alternate: both stacks see the same load
                        started = time.perf_counter()
                        try:
                            call(clients[name])
                        except Exception as exc:  # the built-in fails some modes: record, go on
                            latencies[name][kind] = []
                            results[name][f"{kind} error"] = str(exc)[:120]
                            break
                        latencies[name][kind].append((time.perf_counter() - started) * 1000)
                for name in stacks:
                    if latencies[name][kind]:
                        results[name][f"{kind} p50 (ms)"] = statistics.median(latencies[name][kind])
                        results[name][f"{kind} p95 (ms)"] = percentile(latencies[name][kind], 0.95)
    finally:
        for stack in stacks.values():
            stack.stop()

    rows = sorted({k for r in results.values() for k in r if not k.endswith("error")}, key=lambda k: (k[0] != "s", k))
    print(f"{'figure':42} {'ours':>10} {'built-in':>10} {'ours/built-in':>14}")
    for row in rows:
        ours, builtin = results["ours"].get(row), results["built-in"].get(row)
        ratio = f"{ours / builtin:.2f}" if ours and builtin else "-"
        fmt = lambda v: f"{v:10.2f}" if isinstance(v, float) else f"{'failed':>10}"  # noqa: E731
        print(f"{row:42} {fmt(ours)} {fmt(builtin)} {ratio:>14}")
    for name in stacks:
        for key, value in results[name].items():
            if key.endswith("error"):
                print(f"{name}: {key}: {value}")

    stamp = time.strftime("%Y-%m-%d")
    (args.out / "tutorial.json").write_text(json.dumps({"date": stamp, "results": results}, indent=2))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    latency_rows = [r for r in rows if r.endswith("p50 (ms)")]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.4
    for offset, name in ((-width / 2, "ours"), (width / 2, "built-in")):
        values = [results[name].get(r, 0.0) for r in latency_rows]
        ax.bar([i + offset for i in range(len(latency_rows))], values, width, label=name)
    ax.set_xticks(range(len(latency_rows)), [r.replace(" p50 (ms)", "") for r in latency_rows], rotation=15)
    ax.set_ylabel("p50 latency (ms)")
    ax.set_title(f"Tutorial queries, ours vs built-in inline::milvus ({stamp})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out / "tutorial.png", dpi=120)
    print(f"wrote {args.out / 'tutorial.json'} and {args.out / 'tutorial.png'}")


if __name__ == "__main__":
    main()
