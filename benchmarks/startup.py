"""Start-up time of every run-config and template: `llama stack run` to a healthy /v1/health.

Each file is started with the env its README row names and no external service (no vLLM, no
Together, no Milvus server: milvus-server.yaml gets a milvus-lite binary serving a file over TCP),
three times, in turns. Prints a table of medians; writes JSON.

    .venv/bin/python benchmarks/startup.py
"""

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from milvus_servers import LiteTcpServer  # noqa: E402
from servers import StackServer, free_port  # noqa: E402

TEMPLATES = REPO / "templates"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="startup-"))
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
        for round_ in range(args.repeats):
            for name, env in configs.items():
                path = REPO / name.split(" ")[0]
                stack = StackServer(path, work / f"{round_}-{len(times[name])}-{path.parent.name}", env=env).start()
                stack.stop()
                times[name].append(stack.started_in)
    finally:
        milvus.stop()
    print("| config | start-up to healthy (median s) | runs |\n|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.1f} | {', '.join(f'{v:.1f}' for v in values)} |")
    (args.out / "startup.json").write_text(json.dumps(times, indent=2))


if __name__ == "__main__":
    main()
