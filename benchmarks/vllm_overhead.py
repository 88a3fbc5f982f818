"""What our remote::vllm adds on top of vLLM: time to first token and tokens/s, direct vs through the stack.

Starts a stack (run-configs/milvus-lite.yaml) whose remote::vllm is ours and points at a running
`vllm serve`, checks that the stack serves the model (model listed, chat, streaming), then sends the
same streamed chat request alternately straight to vLLM and through the stack's OpenAI-compatible
endpoint. Per request: time to first token (TTFT) and decode rate (tokens after the first / time
after the first). Prints medians and the ratios stack/direct; writes JSON and a PNG.

On a CPU, pin vLLM and the stack to different cores (taskset): vLLM's CPU workers keep every core
they may use busy, and a stack starved of CPU relays chunks in bursts, which measures the scheduler.

A model that stops early (the programmed tiny Llama) makes tokens/s meaningless: measure a model
with random weights (`vllm serve ... --load-format dummy`, see benchmarks/make_model_folder.py),
which writes until max_tokens.

    .venv/bin/python benchmarks/vllm_overhead.py --vllm-url http://127.0.0.1:8000/v1 --model NAME
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

from servers import RUN_CONFIGS, StackServer  # noqa: E402

PROMPT = "Explain how a vector database answers a nearest-neighbour query, step by step."


def stream_once(client, model: str, max_tokens: int) -> dict[str, float]:
    started = time.perf_counter()
    first = last = None
    tokens = 0
    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": PROMPT}],
        max_tokens=max_tokens,
        temperature=0,
        stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            now = time.perf_counter()
            first = first or now
            last = now
            tokens += 1  # vLLM sends one chunk per generated token
    if first is None:
        raise RuntimeError(f"{model} wrote nothing")
    return {
        "ttft_ms": (first - started) * 1000,
        "tokens": tokens,
        "tokens_per_s": (tokens - 1) / (last - first) if tokens > 1 and last > first else float("nan"),
    }


def check_stack(stack: StackServer, model: str) -> str:
    """The stack's identifier of `model`, after checking that the stack lists it, chats and streams."""
    client = stack.client()
    listed = [m.identifier for m in client.models.list() if m.model_type == "llm"]
    found = [identifier for identifier in listed if identifier.endswith(model)]
    if not found:
        raise RuntimeError(f"the stack does not list {model}: {listed}")
    # The scoped identifier (vllm/NAME): a bare name makes 0.2.20 search all models and log a warning.
    identifier = found[0]
    reply = client.chat.completions.create(model=identifier, messages=[{"role": "user", "content": "hi"}], max_tokens=8)
    chunks = list(
        client.chat.completions.create(
            model=identifier, messages=[{"role": "user", "content": "hi"}], max_tokens=8, stream=True
        )
    )
    print(f"the stack lists {identifier}; chat wrote {len(reply.choices[0].message.content)} characters; "
          f"a stream sent {len(chunks)} chunks")  # fmt: skip
    return identifier


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(8, 3.5))
    for axis, key, label in ((axes[0], "ttft_ms", "time to first token (ms)"), (axes[1], "tokens_per_s", "tokens/s")):
        values = [results["median"][way][key] for way in ("direct", "stack")]
        axis.bar(["direct to vLLM", "through the stack"], values, color=["#888", "#1f77b4"])
        axis.set_title(label)
    fig.suptitle(f"{results['model']}: ratio TTFT {results['ratio']['ttft_ms']:.2f}, "
                 f"tokens/s {results['ratio']['tokens_per_s']:.2f}")  # fmt: skip
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vllm-url", required=True, help="vLLM's OpenAI base URL, e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--model", required=True, help="the served model name")
    parser.add_argument("--api-key", default="", help="vLLM's --api-key, if it has one")
    parser.add_argument("--requests", type=int, default=20, help="streamed requests each way")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--label", default="", help="added to the output file names, e.g. gpu")
    parser.add_argument("--stack-env", nargs="*", default=[], metavar="KEY=VALUE", help="more env for the stack")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from openai import OpenAI

    env = {"VLLM_URL": args.vllm_url, "INFERENCE_MODEL": args.model, "VLLM_API_TOKEN": args.api_key,
           "VLLM_REQUIRE_AT_STARTUP": "true", **dict(kv.split("=", 1) for kv in args.stack_env)}  # fmt: skip
    stack = StackServer(RUN_CONFIGS / "milvus-lite.yaml", Path(tempfile.mkdtemp(prefix="vllm-overhead-")), env=env)
    stack.start()
    try:
        print(f"stack started in {stack.started_in:.1f} s")
        identifier = check_stack(stack, args.model)
        ways = {
            "direct": (OpenAI(base_url=args.vllm_url, api_key=args.api_key or "none"), args.model),
            "stack": (OpenAI(base_url=f"{stack.base_url}/v1/openai/v1", api_key="none"), identifier),
        }
        for client, model in ways.values():  # warm-up: connections, vLLM's first-request costs
            stream_once(client, model, args.max_tokens)
        samples: dict[str, list[dict[str, float]]] = {way: [] for way in ways}
        for _ in range(args.requests):
            for way, (client, model) in ways.items():
                samples[way].append(stream_once(client, model, args.max_tokens))
    finally:
        stack.stop()

    median = {
        way: {key: statistics.median(s[key] for s in runs) for key in ("ttft_ms", "tokens_per_s", "tokens")}
        for way, runs in samples.items()
    }
    ratio = {key: median["stack"][key] / median["direct"][key] for key in ("ttft_ms", "tokens_per_s")}
    results = {"model": args.model, "vllm_url": args.vllm_url, "requests": args.requests,
               "max_tokens": args.max_tokens, "median": median, "ratio": ratio, "samples": samples}  # fmt: skip

    print(f"\n{args.model}, {args.requests} streamed requests each way, up to {args.max_tokens} tokens, medians:")
    print("| figure | direct to vLLM | through the stack | ratio stack/direct |\n|---|---|---|---|")
    for key, label in (("ttft_ms", "time to first token (ms)"), ("tokens_per_s", "decode tokens/s")):
        print(f"| {label} | {median['direct'][key]:.1f} | {median['stack'][key]:.1f} | {ratio[key]:.2f} |")
    print(f"| tokens per reply | {median['direct']['tokens']:.0f} | {median['stack']['tokens']:.0f} | |")

    stem = "vllm_overhead" + (f"-{args.label}" if args.label else "")
    (args.out / f"{stem}.json").write_text(json.dumps(results, indent=2))
    plot(results, args.out / f"{stem}.png")
    print(f"\nwrote {args.out / (stem + '.json')} and {stem}.png")


if __name__ == "__main__":
    main()
