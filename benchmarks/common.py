"""What the benchmark scripts share: the built-in provider's run-config, percentiles, BEIR data."""

import argparse
import json
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from servers import RUN_CONFIGS  # noqa: E402


def builtin_config(folder: Path) -> Path:
    """The embedded run-config with Llama Stack's own inline::milvus in place of ours."""
    config = yaml.safe_load((RUN_CONFIGS / "milvus-lite.yaml").read_text())
    for provider in config["providers"]["vector_io"]:
        provider.pop("module", None)
        provider["config"] = {k: provider["config"][k] for k in ("db_path", "kvstore")}
    path = folder / "builtin-milvus.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def config_with(changes: dict[str, dict], path: Path, base: Path = RUN_CONFIGS / "milvus-lite.yaml") -> Path:
    """A copy of a run-config (written to `path`) with provider settings changed: {provider_id: {key: value}}."""
    config = yaml.safe_load(base.read_text())
    providers = {p["provider_id"]: p for api in config["providers"].values() for p in api}
    for provider_id, settings in changes.items():
        if provider_id not in providers:
            raise SystemExit(f"{base.name} has no provider {provider_id!r}: one of {', '.join(providers)}")
        providers[provider_id].setdefault("config", {}).update(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def load_beir(folder: Path, split: str) -> tuple[dict[str, dict], dict[str, str], dict[str, dict[str, int]]]:
    """corpus (id -> {title, text}), queries (id -> text) with judgements, qrels (query -> doc -> grade)."""
    corpus = {}
    with open(folder / "corpus.jsonl") as f:
        for line in f:
            doc = json.loads(line)
            corpus[doc["_id"]] = {"title": doc.get("title", ""), "text": doc.get("text", "")}
    qrels: dict[str, dict[str, int]] = {}
    with open(folder / "qrels" / f"{split}.tsv") as f:
        next(f)
        for line in f:
            query_id, doc_id, score = line.rstrip("\n").split("\t")
            if int(score) > 0:
                qrels.setdefault(query_id, {})[doc_id] = int(score)
    queries = {}
    with open(folder / "queries.jsonl") as f:
        for line in f:
            query = json.loads(line)
            if query["_id"] in qrels:
                queries[query["_id"]] = query["text"]
    return corpus, queries, qrels


def document_text(doc: dict) -> str:
    return f"{doc['title']}\n\n{doc['text']}".strip()


def load_corpus(args) -> tuple[list[str], list[str], list[str], dict[str, str], dict[str, dict[str, int]]]:
    """From --data and --split: document ids, their texts, judged query ids, query texts, qrels."""
    corpus, query_texts, qrels = load_beir(args.data, args.split)
    ids = list(corpus)
    return ids, [document_text(corpus[i]) for i in ids], list(query_texts), query_texts, qrels


def add_corpus_arguments(parser: argparse.ArgumentParser, split: str = "train") -> None:
    """--data, --split and --out, as every script that reads a BEIR folder takes them."""
    parser.add_argument("--data", type=Path, required=True, help="a BEIR folder: corpus.jsonl, queries.jsonl, qrels/")
    parser.add_argument("--split", default=split, help="the split whose judged queries are used")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results", help="where JSON and PNG go")


def minilm(backend: str = "torch", onnx_dir: Path | None = None):
    """The bundled all-MiniLM-L6-v2 as our provider runs it (`backend`: torch, onnx, onnx-int8) and
    uses it for long texts: the model, a text's token offsets (no truncation), an encode function
    and the word-pieces of text a window holds."""
    from llama_stack_milvus.core.bundled_models import bundled_model_dir

    folder = bundled_model_dir("all-MiniLM-L6-v2")
    if backend == "torch":
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(folder), local_files_only=True)
    else:
        from llama_stack_milvus.core.onnx_encoder import OnnxEncoder

        model = OnnxEncoder(folder, onnx_dir, quantized=backend == "onnx-int8")
    # The ONNX encoder tokenizes with `tokenizers` (no offsets API of transformers'); the same ids.
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)

    def offsets(text: str):
        return tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)["offset_mapping"]

    def encode(texts: list[str]):
        return model.encode(texts, batch_size=32, show_progress_bar=False)

    return model, offsets, encode, model.max_seq_length - tokenizer.num_special_tokens_to_add()
