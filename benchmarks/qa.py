"""Right answers from the tutorials' documents: the QA benchmark of the tutorial's RAG agent.

The questions (benchmarks/qa/questions.json, 44 of them) are about the four torchtune pages of
the Llama Stack tutorial and the 44 Milvus docs pages of the Milvus + vLLM tutorial; each names
the page that answers it and the facts a right answer contains (regular expressions, several
phrasings allowed). The pages are inserted once by URL from a local file server with
`rag_tool.insert` (512-token chunks), into a Milvus Lite file every configuration then reuses.

Per configuration (a name and the environment of its stack, `--config name:VAR=value,...`), on
`run-configs/milvus-lite.yaml`:
  - retrieval (no LLM): `rag_tool.query` as knowledge_search runs it; the source page among the
    retrieved documents, and every fact of the answer in the text handed to the model, per budget
    of `--budgets` (tokens of retrieved text);
  - answers (`--answers`): one new agent session per question, the tutorial's agent (builtin::rag,
    instructions "You are a helpful assistant", not streamed): answers right, turn time p50/p95;
    and the sessions of questions.json, three questions each, the second referring to the first.
With VLLM_URL set, `--config vllm:VLLM_URL=...` asks vLLM instead (INFERENCE_MODEL names it).
`RUN_CONFIG=path` and `PYTHONPATH=tree` in a configuration run another checkout's code and run
config (the "before" of a change: `git worktree add /tmp/before <commit>`).

Prints tables, writes JSON and a PNG plot.

    .venv/bin/python benchmarks/qa.py --answers --out benchmarks/results \\
        --config "before:RAG_CONTEXT=head,LLM_SEARCH_QUERY=model,RAG_MAX_TOKENS_IN_CONTEXT=1700" \\
        --config "after:"
"""

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from servers import RUN_CONFIGS, FileServer, StackServer  # noqa: E402

QUESTIONS = Path(__file__).resolve().parent / "qa" / "questions.json"
DATA = REPO.parent / "shared" / "data"
CORPORA = {"torchtune": DATA / "torchtune", "milvus-docs": DATA / "milvus-docs" / "site" / "en"}
SUFFIXES = {".md": "text/markdown", ".rst": "text/plain"}
VECTOR_DB = "qa"
CHUNK_TOKENS = 512
LOCAL_LLM = "qwen2.5-coder-1.5b-instruct"


def load_questions(path: Path = QUESTIONS) -> tuple[list[dict], list[list[str]]]:
    data = json.loads(path.read_text())
    return data["questions"], data["sessions"]


def right(answer: str, facts: list[str]) -> bool:
    """Every fact (a regular expression of accepted phrasings) is in the answer."""
    return all(re.search(fact, answer or "", re.IGNORECASE) for fact in facts)


def document_id(corpus: str, path: str) -> str:
    return f"{corpus}/{path}"


def corpus_documents(base_urls: dict[str, str]) -> list[dict]:
    documents = []
    for corpus, folder in CORPORA.items():
        for path in sorted(folder.rglob("*")):
            if path.suffix in SUFFIXES:
                relative = path.relative_to(folder).as_posix()
                url = f"{base_urls[corpus]}/{relative}"
                documents.append({"document_id": document_id(corpus, relative), "content": url,
                                  "mime_type": SUFFIXES[path.suffix], "metadata": {}})  # fmt: skip
    return documents


def parse_config(text: str) -> tuple[str, dict[str, str]]:
    name, _, settings = text.partition(":")
    env = dict(item.split("=", 1) for item in settings.split(",") if item.strip())
    return name, env


def stack_env(extra: dict[str, str]) -> dict[str, str]:
    return {"LOCAL_LLM": "auto", "EMBEDDING_PRELOAD": "all-MiniLM-L6-v2", "EMBEDDING_BACKEND": "onnx", **extra}


def insert_corpora(state: Path) -> float:
    """The corpora into a new Milvus Lite file in `state`; returns the seconds the inserts took."""
    from llama_stack_client import RAGDocument

    with FileServer(DATA) as files:
        urls = {"torchtune": f"{files.base_url}/torchtune", "milvus-docs": f"{files.base_url}/milvus-docs/site/en"}
        with StackServer(RUN_CONFIGS / "milvus-lite.yaml", state, env=stack_env({"LOCAL_LLM": "off"})) as stack:
            client = stack.client()
            client.vector_dbs.register(vector_db_id=VECTOR_DB, embedding_model="all-MiniLM-L6-v2",
                                       embedding_dimension=384, provider_id="milvus")  # fmt: skip
            started = time.perf_counter()
            documents = corpus_documents(urls)
            for start in range(0, len(documents), 8):
                client.tool_runtime.rag_tool.insert(
                    documents=[RAGDocument(**d) for d in documents[start : start + 8]],
                    vector_db_id=VECTOR_DB, chunk_size_in_tokens=CHUNK_TOKENS,
                )  # fmt: skip
            return time.perf_counter() - started


def retrieval(client, questions: list[dict], budgets: list[int]) -> dict:
    """Per budget: source page retrieved, and every fact in what the model would read."""
    rows = {}
    for budget in budgets:
        found = in_context = tokens = 0
        misses = []
        for q in questions:
            result = client.tool_runtime.rag_tool.query(
                content=q["question"], vector_db_ids=[VECTOR_DB], query_config={"max_tokens_in_context": budget}
            )
            text = "".join(item.text for item in result.content or [])
            sources = (result.metadata or {}).get("document_ids") or []
            found += document_id(q["corpus"], q["source"]) in sources
            hit = right(text, q["facts"])
            in_context += hit
            tokens += len(text) / 4
            if not hit:
                misses.append(q["id"])
        rows[budget] = {"source retrieved": found, "facts in context": in_context, "questions": len(questions),
                        "chars/4 per query": tokens / len(questions), "facts missing": misses}  # fmt: skip
    return rows


def agent_turns(client, model: str, asked: list[str]) -> list[dict]:
    """One session, the tutorial's agent, the questions in order: answer, seconds, tool query."""
    from llama_stack_client import Agent

    agent = Agent(client, model=model, instructions="You are a helpful assistant",
                  tools=[{"name": "builtin::rag", "args": {"vector_db_ids": [VECTOR_DB]}}])  # fmt: skip
    session = agent.create_session(f"qa-{uuid.uuid4().hex[:8]}")
    turns = []
    for question in asked:
        started = time.perf_counter()
        try:
            turn = agent.create_turn(messages=[{"role": "user", "content": question}], session_id=session, stream=False)
        except RuntimeError as exc:  # a turn the stack failed (a 500 in its stream) counts as a wrong answer
            seconds = time.perf_counter() - started
            turns.append({"question": question, "answer": "", "error": str(exc), "seconds": seconds,
                          "query": [], "sources": []})  # fmt: skip
            continue
        seconds = time.perf_counter() - started
        calls = [c for s in turn.steps if s.step_type == "tool_execution" for c in s.tool_calls]
        sources = [d for s in turn.steps if s.step_type == "tool_execution" for r in s.tool_responses
                   for d in ((r.metadata or {}).get("document_ids") or [])]  # fmt: skip
        turns.append({"question": question, "answer": turn.output_message.content, "seconds": seconds,
                      "query": [c.arguments for c in calls], "sources": sources})  # fmt: skip
    return turns


def answers(client, model: str, questions: list[dict], sessions: list[list[str]], log) -> dict:
    by_id = {q["id"]: q for q in questions}
    singles = []
    for q in questions:
        if q.get("follow_up"):
            continue
        [turn] = agent_turns(client, model, [q["question"]])
        turn.update(id=q["id"], right=right(turn["answer"], q["facts"]),
                    source_retrieved=document_id(q["corpus"], q["source"]) in turn["sources"])  # fmt: skip
        singles.append(turn)
        log(f"  {turn['seconds']:5.1f} s {'RIGHT' if turn['right'] else 'wrong'} {q['id']}: {turn['answer'][:100]!r}")
    session_runs = []
    for ids in sessions:
        turns = agent_turns(client, model, [by_id[i]["question"] for i in ids])
        for i, turn in zip(ids, turns, strict=True):
            turn.update(id=i, right=right(turn["answer"], by_id[i]["facts"]))
        session_runs.append(turns)
        log("  session: " + ", ".join(f"{t['seconds']:.1f} s {'RIGHT' if t['right'] else 'wrong'}" for t in turns))
    times = [t["seconds"] for t in singles]
    return {
        "questions": len(singles),
        "right": sum(t["right"] for t in singles),
        "source retrieved": sum(t["source_retrieved"] for t in singles),
        "turn p50 s": statistics.median(times),
        "turn p95 s": sorted(times)[max(0, round(0.95 * len(times)) - 1)],
        "session turns s": [[round(t["seconds"], 1) for t in turns] for turns in session_runs],
        "session right": [[t["right"] for t in turns] for turns in session_runs],
        "turns": singles,
        "sessions": session_runs,
    }


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n, entry in results.items() if isinstance(entry, dict) and "answers" in entry]
    if not names:
        return
    fig, (left, right_axis) = plt.subplots(1, 2, figsize=(10, 4))
    share = [100 * results[n]["answers"]["right"] / results[n]["answers"]["questions"] for n in names]
    left.bar(names, share, color="tab:green")
    left.set_ylabel("answers right (%)")
    left.set_ylim(0, 100)
    p50 = [results[n]["answers"]["turn p50 s"] for n in names]
    p95 = [results[n]["answers"]["turn p95 s"] for n in names]
    right_axis.bar(names, p95, color="tab:orange", label="p95")
    right_axis.bar(names, p50, color="tab:blue", label="p50")
    right_axis.set_ylabel("turn (s)")
    right_axis.legend()
    fig.suptitle("QA benchmark: the tutorial's agent on the embedded default")
    fig.tight_layout()
    fig.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", action="append", default=[], help="name:VAR=value,... (repeatable)")
    parser.add_argument("--budgets", default="300,600,1000,1700", help="retrieval budgets (tokens), comma-separated")
    parser.add_argument("--answers", action="store_true", help="also ask the agent every question (slow)")
    parser.add_argument("--only", default="", help="question ids, comma-separated (default: all)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--state", type=Path, default=None, help="reuse a folder the corpora were inserted into")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    questions, sessions = load_questions()
    if args.only:
        wanted = set(args.only.split(","))
        questions = [q for q in questions if q["id"] in wanted]
        sessions = [s for s in sessions if set(s) <= wanted]
    configs = [parse_config(c) for c in args.config] or [("default", {})]
    if os.environ.get("VLLM_URL") and not any("VLLM_URL" in env for _, env in configs):
        configs.append(("vllm", {"VLLM_URL": os.environ["VLLM_URL"]}))

    state = args.state or Path(tempfile.mkdtemp(prefix="qa-bench-"))
    results: dict = {}
    if not (state / "milvus.db").exists():
        results["insert s"] = insert_corpora(state)
        print(f"corpora inserted in {results['insert s']:.1f} s", flush=True)
    budgets = [int(b) for b in args.budgets.split(",") if b]
    retrieval_questions = [q for q in questions if not q.get("follow_up")]
    for name, env in configs:
        run_state = Path(tempfile.mkdtemp(prefix=f"qa-{name}-"))
        shutil.copytree(state, run_state, dirs_exist_ok=True)
        env = dict(env)
        run_config = Path(env.pop("RUN_CONFIG", RUN_CONFIGS / "milvus-lite.yaml"))
        with StackServer(run_config, run_state, env=stack_env(env)) as stack:
            client = stack.client()
            entry: dict = {"env": env, "start-up s": stack.started_in}
            entry["retrieval"] = retrieval(client, retrieval_questions, budgets)
            for budget, row in entry["retrieval"].items():
                print(f"{name} budget {budget}: source {row['source retrieved']}/{row['questions']}, "
                      f"facts in context {row['facts in context']}/{row['questions']}", flush=True)  # fmt: skip
            if args.answers:
                model = (
                    env.get("INFERENCE_MODEL", "meta-llama/Llama-3.1-8B-Instruct")
                    if "VLLM_URL" in env
                    else env.get("LLM_MODEL_ID", LOCAL_LLM)
                )
                entry["answers"] = answers(client, model, questions, sessions, lambda line: print(line, flush=True))
                a = entry["answers"]
                print(f"{name}: {a['right']}/{a['questions']} right, source {a['source retrieved']}/{a['questions']}, "
                      f"turn p50 {a['turn p50 s']:.1f} s p95 {a['turn p95 s']:.1f} s, sessions {a['session turns s']}",
                      flush=True)  # fmt: skip
            results[name] = entry
        shutil.rmtree(run_state, ignore_errors=True)
        (args.out / "qa.json").write_text(json.dumps(results, indent=2))
    plot(results, args.out / "qa.png")
    print(json.dumps({n: {k: v for k, v in e.items() if k not in ("answers", "retrieval")} if isinstance(e, dict) else e
                      for n, e in results.items()}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
