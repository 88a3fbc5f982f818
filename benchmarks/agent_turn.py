"""The tutorial's agent turn on the embedded default (local LLM), and the LLM through the stack vs raw.

1. Starts the embedded default (run-configs/milvus-lite.yaml as shipped: Milvus Lite, bundled
   embeddings, the bundled Qwen2.5-Coder-1.5B-Instruct on llama.cpp), inserts the four torchtune
   pages with the tutorial's 1024-token chunks, and restarts it, so the first turn is the first
   request after start-up.
2. Times agent turns as the tutorial asks them (AgentConfig-style agent with builtin::rag, not
   streamed): the cold one, then --turns warm ones, each in a new session; and checks the answer.
3. Streams the turn's answer prompt (system, question, tool call, two retrieved chunks) through
   the stack's OpenAI chat endpoint and, after the stack is stopped, through llama.cpp directly
   with the same settings: time to first token, prompt and decode tokens/s, side by side.
4. Peak memory (VmHWM) of the stack process and of the raw engine process.

Prints a table, writes JSON and a PNG plot.

    .venv/bin/python benchmarks/agent_turn.py --out benchmarks/results
"""

import argparse
import json
import multiprocessing
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from servers import RUN_CONFIGS, FileServer, StackServer  # noqa: E402

from llama_stack_milvus.core.llm.weights import QWEN_CODER_1_5B  # noqa: E402

PAGES = ["chat.rst", "llama3.rst", "memory_optimizations.rst", "lora_finetune.rst"]
QUESTION = "What attention type does Llama3-8B use?"
GQA = re.compile(r"grouped[- ]query attention|\bGQA\b", re.IGNORECASE)
LLM = "qwen2.5-coder-1.5b-instruct"
DECODE_TOKENS = 128


def answer_prompt(nonce: str, llama3_page: str) -> list[dict]:
    """The second request of a tutorial turn: the tool result in context. A nonce first defeats
    llama.cpp's prompt-prefix cache, so every run reads the whole prompt."""
    context = llama3_page[:9000]  # about two 1024-token chunks
    return [
        {"role": "system", "content": f"Run {nonce}. You are a helpful assistant."},
        {"role": "user", "content": QUESTION + " Explain in detail, with every fact the text gives."},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function",
         "function": {"name": "knowledge_search", "arguments": json.dumps({"query": QUESTION})}}]},
        {"role": "tool", "tool_call_id": "c1", "content": context},
    ]  # fmt: skip


def peak_rss_gib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def tutorial_turn(client, vector_db_id: str) -> tuple[float, str, list[str]]:
    from llama_stack_client import Agent

    agent = Agent(
        client,
        model=LLM,
        instructions="You are a helpful assistant",
        tools=[{"name": "builtin::rag", "args": {"vector_db_ids": [vector_db_id]}}],
    )
    session = agent.create_session(f"bench-{uuid.uuid4().hex[:6]}")
    started = time.perf_counter()
    turn = agent.create_turn(messages=[{"role": "user", "content": QUESTION}], session_id=session, stream=False)
    elapsed = time.perf_counter() - started
    return elapsed, turn.output_message.content, [s.step_type for s in turn.steps]


def stream_through_stack(base_url: str, messages: list[dict]) -> dict[str, float]:
    body = {"model": LLM, "messages": messages, "stream": True, "max_tokens": DECODE_TOKENS, "temperature": 0}
    started = time.perf_counter()
    first = None
    pieces = 0
    with httpx.stream("POST", f"{base_url}/v1/openai/v1/chat/completions", json=body, timeout=600) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("choices") and chunk["choices"][0]["delta"].get("content"):
                first = first or time.perf_counter()
                pieces += 1
    ended = time.perf_counter()
    return {"ttft": first - started, "decode_s": ended - first, "pieces": pieces}


def raw_engine(model_path: str, runs: list[list[dict]], queue) -> None:
    """In a process of its own: llama.cpp with the provider's settings, the same prompts."""
    import resource

    from llama_cpp import Llama

    from llama_stack_milvus.core.llm.engine import default_threads

    threads = default_threads()
    llama = Llama(model_path=model_path, n_ctx=8192, n_threads=threads, n_threads_batch=threads, n_batch=512,
                  verbose=False)  # fmt: skip
    results = []
    for messages in runs:
        started = time.perf_counter()
        first = None
        pieces = 0
        for chunk in llama.create_chat_completion(messages=messages, stream=True, max_tokens=DECODE_TOKENS,
                                                  temperature=0, repeat_penalty=1.0):  # fmt: skip
            if chunk["choices"][0]["delta"].get("content"):
                first = first or time.perf_counter()
                pieces += 1
        ended = time.perf_counter()
        results.append({"ttft": first - started, "decode_s": ended - first, "pieces": pieces})
    queue.put({"runs": results, "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20})


def summarise(runs: list[dict], prompt_tokens: int) -> dict[str, float]:
    ttft = statistics.median(r["ttft"] for r in runs)
    decode = statistics.median((r["pieces"] - 1) / r["decode_s"] for r in runs)
    return {"ttft_s": ttft, "prompt_tokens_per_s": prompt_tokens / ttft, "decode_tokens_per_s": decode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=Path, default=REPO / "tests" / "data" / "torchtune")
    parser.add_argument("--turns", type=int, default=3, help="warm agent turns after the cold one")
    parser.add_argument("--runs", type=int, default=3, help="streamed answer prompts each way")
    parser.add_argument("--models-dir", type=Path, default=None, help="LLM_MODELS_DIR (default: the stack's)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="agent-turn-bench-"))
    env = {
        "LOCAL_LLM": "auto",
        "EMBEDDING_PRELOAD": "all-MiniLM-L6-v2",
        **({"LLM_MODELS_DIR": str(args.models_dir)} if args.models_dir else {}),
    }
    llama3_page = (args.pages / "llama3.rst").read_text()
    results: dict = {}

    with FileServer(args.pages) as pages:
        stack = StackServer(RUN_CONFIGS / "milvus-lite.yaml", work / "stack", env=env).start(timeout=900)
        client = stack.client()
        client.vector_dbs.register(vector_db_id="bench", embedding_model="all-MiniLM-L6-v2",
                                   embedding_dimension=384, provider_id="milvus")  # fmt: skip
        from llama_stack_client import RAGDocument

        client.tool_runtime.rag_tool.insert(
            documents=[RAGDocument(document_id=f"num-{i}", content=f"{pages.base_url}/{p}", mime_type="text/plain",
                                   metadata={}) for i, p in enumerate(PAGES)],
            vector_db_id="bench", chunk_size_in_tokens=1024,
        )  # fmt: skip
        stack.stop()

    stack = StackServer(RUN_CONFIGS / "milvus-lite.yaml", work / "stack", env=env).start(timeout=900)
    results["start-up to healthy, model loaded (s)"] = stack.started_in
    models_dir = args.models_dir or Path("~/.llama/distributions/llama-stack-milvus/models").expanduser()
    model_path = str(models_dir / QWEN_CODER_1_5B.file_name)
    client = stack.client()
    turns = []
    for index in range(args.turns + 1):
        elapsed, answer, steps = tutorial_turn(client, "bench")
        turns.append({"seconds": elapsed, "correct": bool(GQA.search(answer)), "steps": steps, "answer": answer})
        print(f"turn {index} ({'cold' if index == 0 else 'warm'}): {elapsed:.1f} s, steps {steps}, {answer!r}")
    results["turns"] = turns
    prompt_tokens = httpx.post(
        f"{stack.base_url}/v1/openai/v1/chat/completions",
        json={"model": LLM, "messages": answer_prompt("count", llama3_page), "max_tokens": 1},
        timeout=600,
    ).json()["usage"]["prompt_tokens"]
    through_stack = [stream_through_stack(stack.base_url, answer_prompt(uuid.uuid4().hex[:8], llama3_page))
                     for _ in range(args.runs)]  # fmt: skip
    results["stack peak RSS (GiB)"] = peak_rss_gib(stack.process.pid)
    stack.stop()

    queue = multiprocessing.get_context("spawn").Queue()
    prompts = [answer_prompt(uuid.uuid4().hex[:8], llama3_page) for _ in range(args.runs)]
    process = multiprocessing.get_context("spawn").Process(target=raw_engine, args=(model_path, prompts, queue))
    process.start()
    raw = queue.get()
    process.join()
    results["answer prompt tokens"] = prompt_tokens
    results["through the stack"] = summarise(through_stack, prompt_tokens)
    results["raw llama.cpp"] = summarise(raw["runs"], prompt_tokens)
    results["raw engine peak RSS (GiB)"] = raw["peak_rss_gib"]

    cold, warm = turns[0]["seconds"], statistics.median(t["seconds"] for t in turns[1:]) if turns[1:] else float("nan")
    stack_fig, raw_fig = results["through the stack"], results["raw llama.cpp"]

    def pair(key: str) -> str:
        return f"{stack_fig[key]:.1f} / {raw_fig[key]:.1f}"

    def ratio(key: str) -> str:
        return f"{stack_fig[key] / raw_fig[key]:.2f}x"

    rows = [
        ("start-up to healthy, model loaded", f"{results['start-up to healthy, model loaded (s)']:.1f} s", ""),
        ("cold tutorial turn (first request after start-up)", f"{cold:.1f} s", "target < 60 s"),
        (f"warm tutorial turn, median of {len(turns) - 1}", f"{warm:.1f} s", "target < 60 s"),
        ("answers correct (grouped-query attention)", f"{sum(t['correct'] for t in turns)}/{len(turns)}", ""),
        (f"answer prompt ({prompt_tokens} tokens): time to first token, stack / raw",
         f"{stack_fig['ttft_s']:.2f} s / {raw_fig['ttft_s']:.2f} s", ratio("ttft_s")),
        ("prompt tokens/s, stack / raw", pair("prompt_tokens_per_s"), ratio("prompt_tokens_per_s")),
        ("decode tokens/s, stack / raw", pair("decode_tokens_per_s"),
         ratio("decode_tokens_per_s") + " (target >= 0.9x)"),
        ("peak RSS: stack (model included) / raw engine process",
         f"{results['stack peak RSS (GiB)']:.2f} / {results['raw engine peak RSS (GiB)']:.2f} GiB", ""),
    ]  # fmt: skip
    print("\n| figure | value | ratio / target |\n|---|---|---|")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")
    (args.out / "agent_turn.json").write_text(json.dumps(results, indent=2))
    plot(results, turns, args.out / "agent_turn.png")


def plot(results: dict, turns: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    labels = ["cold"] + [f"warm {i}" for i in range(1, len(turns))]
    left.bar(labels, [t["seconds"] for t in turns], color=["#c0504d"] + ["#4f81bd"] * (len(turns) - 1))
    left.axhline(60, color="grey", linestyle="--", label="client read timeout (60 s)")
    left.set_ylabel("seconds")
    left.set_title("Tutorial agent turn, embedded default, 2 cores")
    left.legend()
    kinds = ["prompt tokens/s", "decode tokens/s"]
    stack = [results["through the stack"]["prompt_tokens_per_s"], results["through the stack"]["decode_tokens_per_s"]]
    raw = [results["raw llama.cpp"]["prompt_tokens_per_s"], results["raw llama.cpp"]["decode_tokens_per_s"]]
    x = range(len(kinds))
    right.bar([i - 0.2 for i in x], stack, width=0.4, label="through the stack")
    right.bar([i + 0.2 for i in x], raw, width=0.4, label="raw llama.cpp")
    right.set_xticks(list(x), kinds)
    right.set_title("Qwen2.5-Coder-1.5B Q4_K_M, same prompt")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
