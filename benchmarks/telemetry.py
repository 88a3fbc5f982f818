"""What the telemetry settings cost: our embedded run-config with its default trace store (spans
written to SQLite, `sinks: sqlite`) against the same config with `sinks: []`, two stacks side by
side in one run (requests alternate between them). Llama Stack 0.2.20 traces every request
whatever the sinks; the sinks decide where spans go. Prints medians and ratios; writes JSON.

    .venv/bin/python benchmarks/telemetry.py --data ../shared/data/scifact --docs 1000
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from common import add_corpus_arguments, document_text, load_beir, minilm, percentile  # noqa: E402
from servers import RUN_CONFIGS, StackServer  # noqa: E402


def no_sinks_config(folder: Path) -> Path:
    config = yaml.safe_load((RUN_CONFIGS / "milvus-lite.yaml").read_text())
    for provider in config["providers"]["telemetry"]:
        provider["config"]["sinks"] = []
    path = folder / "no-trace-store.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_corpus_arguments(parser)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=100, help="queries per stack")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    corpus, queries, _ = load_beir(args.data, args.split)
    texts = [document_text(d) for d in list(corpus.values())[: args.docs]]
    vectors = minilm()[0].encode(texts, batch_size=32, show_progress_bar=False).tolist()
    questions = list(queries.values())
    work = Path(tempfile.mkdtemp(prefix="telemetry-"))
    stacks = {"sinks: sqlite (default)": StackServer(RUN_CONFIGS / "milvus-lite.yaml", work / "sqlite"),
              "sinks: []": StackServer(no_sinks_config(work), work / "none")}  # fmt: skip
    timings: dict[str, dict[str, list[float]]] = {name: {"insert": [], "query": []} for name in stacks}
    try:
        clients = {}
        for name, stack in stacks.items():
            clients[name] = stack.start().client()
            clients[name].vector_dbs.register(
                vector_db_id="t", embedding_model="all-MiniLM-L6-v2", embedding_dimension=384
            )
        for start in range(0, len(texts), 100):
            chunks = [
                {"content": t, "embedding": v, "metadata": {"document_id": f"d{start + i}"}}
                for i, (t, v) in enumerate(zip(texts[start : start + 100], vectors[start : start + 100], strict=True))
            ]
            for name, client in clients.items():
                started = time.perf_counter()
                client.vector_io.insert(vector_db_id="t", chunks=chunks)
                timings[name]["insert"].append(len(chunks) / (time.perf_counter() - started))
        for i in range(args.repeats + 1):
            for name, client in clients.items():
                started = time.perf_counter()
                client.vector_io.query(vector_db_id="t", query=questions[i % len(questions)], params={"max_chunks": 5})
                if i:
                    timings[name]["query"].append((time.perf_counter() - started) * 1000)
    finally:
        for stack in stacks.values():
            stack.stop()

    figures = {
        name: {
            "insert chunks/s (median of calls)": statistics.median(t["insert"]),
            "query p50 ms": statistics.median(t["query"]),
            "query p95 ms": percentile(t["query"], 0.95),
        }
        for name, t in timings.items()
    }
    default, off = figures.values()
    print(f"\n{len(texts)} documents, 100 per insert, {args.repeats} vector queries per stack\n")
    print("| figure | " + " | ".join(figures) + " | ratio |\n|---|---|---|---|")
    for key in default:
        print(f"| {key} | {default[key]:.1f} | {off[key]:.1f} | {off[key] / default[key]:.2f} |")
    (args.out / "telemetry.json").write_text(
        json.dumps({"date": time.strftime("%Y-%m-%d"), "documents": len(texts), "figures": figures}, indent=2)
    )


if __name__ == "__main__":
    main()
