"""Long chunks: where the chunk that answers a question ranks, by how chunks longer than the embedding
model reads are embedded. The tutorial's four torchtune pages, chunked as rag_tool.insert does with
chunk_size_in_tokens=1024; five questions whose answer sits in a known chunk.

Part 1, in this process (the choice): all-MiniLM-L6-v2 (256 word-pieces) embeds each chunk
  - truncate: its first 256 word-pieces (sentence-transformers' default),
  - windows (mean): every window, combined into their mean (what the provider does),
  - windows (best): every window kept, a chunk scored by its best window (one vector per window).
Part 2, through a real stack (the check): the embedded default with EMBEDDING_LONG_TEXTS=truncate
and =windows, rag_tool.insert of the pages, vector_io.query per question in vector and in hybrid
mode (the default ranker, what rag_tool.query uses on the embedded default): the rank of the answer.

    .venv/bin/python benchmarks/long_chunks.py --out benchmarks/results
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from common import minilm  # noqa: E402

PAGES = ["chat.rst", "llama3.rst", "memory_optimizations.rst", "lora_finetune.rst"]
# (question, page, a phrase of the answering chunk)
QUESTIONS = [
    ("What attention type does Llama3-8B use?", "llama3.rst", "grouped-query attention"),
    ("How do I enable activation offloading?", "memory_optimizations.rst", "enable_activation_offloading"),
    ("Which modules does LoRA apply to by default in the Llama2 recipe?", "lora_finetune.rst", "lora_attn_modules"),
    ("How does the Llama3 chat format mark a system message?", "chat.rst", "<|start_header_id|>system"),
    (
        "Which optimizer offloads optimizer states and gradients to the CPU?",
        "memory_optimizations.rst",
        "CPUOffloadOptimizer",
    ),
]
CHUNK_TOKENS = 1024


def answer_ranks(order: list[int], chunks: list[dict], page: str, phrase: str) -> int:
    """1-based rank of the first chunk of `page` holding `phrase`."""
    for rank, i in enumerate(order, 1):
        if chunks[i]["page"] == page and phrase in chunks[i]["text"]:
            return rank
    return 0


def in_process(pages: Path) -> dict[str, list[int]]:
    from llama_stack.providers.utils.memory.vector_store import make_overlapped_chunks

    from llama_stack_milvus.core.embedding_windows import embed_whole, text_windows

    chunks = []
    for page in PAGES:
        text = (pages / page).read_text()
        for chunk in make_overlapped_chunks(page, text, CHUNK_TOKENS, CHUNK_TOKENS // 4, {}):
            chunks.append({"page": page, "text": chunk.content})
    _, offsets, encode, limit = minilm()
    texts = [c["text"] for c in chunks]
    windows = [text_windows(t, offsets(t), limit, 32)[0] for t in texts]
    print(f"{len(chunks)} chunks; word-pieces per chunk: median {int(np.median([len(offsets(t)) for t in texts]))}; "
          f"windows per chunk: median {int(np.median([len(w) for w in windows]))}")  # fmt: skip
    per_window = encode([piece for pieces in windows for piece in pieces])
    owner = np.repeat(np.arange(len(texts)), [len(w) for w in windows])
    vectors = {"truncate": encode(texts), "windows (mean)": embed_whole(texts, offsets, encode, limit, 32)}
    ranks: dict[str, list[int]] = {name: [] for name in [*vectors, "windows (best)"]}
    for question, page, phrase in QUESTIONS:
        q = encode([question])[0]
        for name, v in vectors.items():
            ranks[name].append(answer_ranks(list(np.argsort(-(v @ q))), chunks, page, phrase))
        best = np.full(len(texts), -2.0)
        np.maximum.at(best, owner, per_window @ q)
        ranks["windows (best)"].append(answer_ranks(list(np.argsort(-best)), chunks, page, phrase))
    return ranks


def through_stack(pages: Path, work: Path) -> dict[str, dict]:
    from llama_stack_client import RAGDocument
    from servers import RUN_CONFIGS, FileServer, StackServer

    results = {}
    with FileServer(pages) as files:
        for setting in ("truncate", "windows"):
            env = {"EMBEDDING_LONG_TEXTS": setting, "LOCAL_LLM": "off"}
            with StackServer(RUN_CONFIGS / "milvus-lite.yaml", work / setting, env=env) as stack:
                client = stack.client()
                client.vector_dbs.register(vector_db_id="pages", embedding_model="all-MiniLM-L6-v2")
                documents = [RAGDocument(document_id=p, content=f"{files.base_url}/{p}", mime_type="text/plain",
                                         metadata={}) for p in PAGES]  # fmt: skip
                started = time.perf_counter()
                client.tool_runtime.rag_tool.insert(documents=documents, vector_db_id="pages",
                                                    chunk_size_in_tokens=CHUNK_TOKENS)  # fmt: skip
                seconds = time.perf_counter() - started
                for mode in ("vector", "hybrid"):
                    ranks = []
                    for question, page, phrase in QUESTIONS:
                        params = {"max_chunks": 50, "mode": mode}
                        found = client.vector_io.query(vector_db_id="pages", query=question, params=params)
                        order = [{"page": c.metadata["document_id"], "text": c.content} for c in found.chunks]
                        ranks.append(answer_ranks(list(range(len(order))), order, page, phrase))
                    results[f"{setting}, {mode}"] = {"ranks": ranks, "insert_s": seconds}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=Path, default=REPO / "tests" / "data" / "torchtune")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--no-stack", action="store_true", help="part 1 only")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    ranks = in_process(args.pages)
    print("\nrank of the answering chunk (1 = first), in process")
    print("| embedding of a long chunk | " + " | ".join(q for q, _, _ in QUESTIONS) + " |")
    print("|---|" + "---|" * len(QUESTIONS))
    for name, found in ranks.items():
        print(f"| {name} | " + " | ".join(str(r) for r in found) + " |")
    results = {"in_process": ranks}
    if not args.no_stack:
        stack = through_stack(args.pages, Path(tempfile.mkdtemp(prefix="long-chunks-")))
        print("\nthrough a real stack (embedded default), vector_io.query (hybrid: the default ranker)")
        print("| EMBEDDING_LONG_TEXTS, mode | " + " | ".join(q for q, _, _ in QUESTIONS) + " | rag_tool.insert, s |")
        print("|---|" + "---|" * (len(QUESTIONS) + 1))
        for name, r in stack.items():
            print(f"| {name} | " + " | ".join(str(x) for x in r["ranks"]) + f" | {r['insert_s']:.1f} |")
        results["stack"] = stack
    (args.out / "long_chunks.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
