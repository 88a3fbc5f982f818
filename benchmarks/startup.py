"""Start-up time of every run-config and template: `llama stack run` to a healthy /v1/health;
then, per embedding backend, a new process's first embedding.

Each file is started with the env its README row names and no external service (no vLLM, no
Together, no Milvus server: milvus-server.yaml gets a milvus-lite binary serving a file over TCP),
three times, in turns. The first embedding: milvus-lite.yaml with EMBEDDING_BACKEND torch, onnx
and onnx-int8 (the ONNX export made beforehand, as after a server's first start), one short text
once healthy; most of it is loading the backend's libraries. Prints tables of medians; writes JSON.

    .venv/bin/python benchmarks/startup.py [--skip-configs]
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

import servers  # noqa: E402
from milvus_servers import LiteTcpServer  # noqa: E402
from servers import RUN_CONFIGS, StackServer, free_port  # noqa: E402

TEMPLATES = REPO / "templates"
EMBEDDING_BACKENDS = ("torch", "onnx", "onnx-int8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--skip-configs", action="store_true", help="only the first embedding per backend")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="startup-"))
    results = {} if args.skip_configs else {"health": config_startups(work, args.repeats)}
    results["first_embedding"] = first_embeddings(work, args.repeats)
    (args.out / "startup.json").write_text(json.dumps(results, indent=2))


def config_startups(work: Path, repeats: int) -> dict[str, list[float]]:
    milvus = LiteTcpServer(work / "milvus-server" / "milvus.db").start()
    nowhere = f"http://127.0.0.1:{free_port()}/v1"
    configs = {
        "run-configs/milvus-lite.yaml": {},
        "run-configs/milvus-lite.yaml + VLLM_URL (vLLM down)": {"VLLM_URL": nowhere},
        "run-configs/milvus-server.yaml": {"MILVUS_URI": milvus.uri, "MILVUS_TOKEN": ""},
        "templates/together/run.yaml (no key)": {},
        "templates/vllm-gpu/run.yaml (vLLM down)": {"VLLM_URL": nowhere},
        "templates/vllm-gpu/run.yaml + MILVUS_URI": {"VLLM_URL": nowhere, "MILVUS_URI": milvus.uri, "MILVUS_TOKEN": ""},
    }
    times: dict[str, list[float]] = {name: [] for name in configs}
    try:
        for round_ in range(repeats):
            for name, env in configs.items():
                path = REPO / name.split(" ")[0]
                state = work / f"{round_}-{len(times[name])}-{path.parent.name}"
                stack = StackServer(path, state, env={"EMBEDDING_BACKEND": "torch", **env}).start()  # as shipped
                stack.stop()
                times[name].append(stack.started_in)
    finally:
        milvus.stop()
    print("| config | start-up to healthy (median s) | runs |\n|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.1f} | {', '.join(f'{v:.1f}' for v in values)} |")
    return times


def first_embeddings(work: Path, repeats: int) -> dict[str, dict[str, list[float]]]:
    servers.ONNX_CACHE = work / "embedding-onnx"  # one export for every state folder, as in the tests
    times = {backend: {"health": [], "first_embedding": []} for backend in EMBEDDING_BACKENDS}
    for round_ in range(-1, repeats):  # round -1 makes the exports and is not counted
        for backend in EMBEDDING_BACKENDS:
            if round_ < 0 and backend == "torch":
                continue
            env = {"EMBEDDING_BACKEND": backend}
            with StackServer(RUN_CONFIGS / "milvus-lite.yaml", work / f"embed-{round_}-{backend}", env=env) as stack:
                started = time.perf_counter()
                stack.client().inference.embeddings(model_id="all-MiniLM-L6-v2", contents=["What is LoRA?"])
                took = time.perf_counter() - started
            if round_ >= 0:
                times[backend]["health"].append(stack.started_in)
                times[backend]["first_embedding"].append(took)
    print("\n| EMBEDDING_BACKEND | start-up to healthy (median s) | first embedding (median s) | runs |")
    print("|---|---|---|---|")
    for backend, runs in times.items():
        health, first = statistics.median(runs["health"]), statistics.median(runs["first_embedding"])
        print(f"| {backend} | {health:.1f} | {first:.1f} | {', '.join(f'{v:.1f}' for v in runs['first_embedding'])} |")
    return times


if __name__ == "__main__":
    main()
