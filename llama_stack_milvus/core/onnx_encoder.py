"""A sentence-transformers model folder run by ONNX Runtime instead of torch. Core: no Llama Stack.

The folder's transformer is exported to ONNX once (torch's exporter, offline, from the files in
the folder) into a cache folder, optionally quantized to int8 weights (onnxruntime's dynamic
quantization), and run with the folder's own tokenizer, mean pooling and, when the folder's
modules.json has it, L2 normalisation: the same vectors sentence-transformers computes, up to
float rounding (fp32) or quantization error (int8; docs/benchmarks.md, "ONNX Runtime").

`OnnxEncoder` has what our embedding provider uses of a SentenceTransformer: `encode`,
`tokenizer` and `max_seq_length`. It tokenizes with the `tokenizers` library straight from the
folder's tokenizer.json: transformers' AutoTokenizer gives the same ids but imports torch, about
20 s of each server's first embedding on 2 cores, which this backend is there to avoid.
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

from .bundled_models import require_model_folder

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Where a distribution's state folder keeps its exports.
ONNX_SUBDIR = "embedding-onnx"
BACKENDS = {"onnx": False, "onnx-int8": True}  # backend -> quantized
OPSET = 17
_EXPORT_LOCK = threading.Lock()


class OnnxModelError(ValueError):
    """The folder holds a model this encoder does not run; the message says why."""


class OnnxEncoder:
    def __init__(self, model_folder: Path, cache_dir: Path, quantized: bool = False) -> None:
        self.folder = Path(model_folder)
        self.normalize = _check_modules(self.folder)
        self.max_seq_length = int(_read_json(self.folder / "sentence_bert_config.json").get("max_seq_length", 512))
        self.tokenizer = _tokenizer(self.folder, self.max_seq_length)
        self.path = exported_model(self.folder, Path(cache_dir), quantized)
        self.session = _session(self.path)
        self.input_names = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str], batch_size: int = 32, show_progress_bar: bool = False, **_) -> np.ndarray:
        """One vector per text, in order; texts are batched longest first (less padding per batch)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors: list[np.ndarray | None] = [None] * len(texts)
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            for i, vector in zip(chosen, self._batch([texts[i] for i in chosen]), strict=True):
                vectors[i] = vector
        return np.stack(vectors)

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        tokens = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        feed = {name: tokens[name] for name in INPUTS if name in self.input_names}
        hidden = self.session.run(["last_hidden_state"], feed)[0]
        mask = tokens["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        if self.normalize:
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return pooled.astype(np.float32)


def _tokenizer(folder: Path, max_length: int):
    """The folder's fast tokenizer, truncating at the model's input and padding to the longest text
    of a batch (tokenizer.json may carry other settings: all-MiniLM-L6-v2's pads every text to 128)."""
    from tokenizers import Tokenizer

    path = folder / "tokenizer.json"
    if not path.is_file():
        raise OnnxModelError(f"{folder}: the onnx backend needs the model's fast tokenizer, tokenizer.json")
    tokenizer = Tokenizer.from_file(str(path))
    padding = tokenizer.padding or {}
    tokenizer.enable_truncation(max_length)
    tokenizer.no_padding()
    tokenizer.enable_padding(
        pad_id=padding.get("pad_id", 0),
        pad_type_id=padding.get("pad_type_id", 0),
        pad_token=padding.get("pad_token", "[PAD]"),
    )
    return tokenizer


def exported_model(folder: Path, cache_dir: Path, quantized: bool) -> Path:
    """The folder's model as ONNX in cache_dir (exported on first use, keyed by the folder's files)."""
    target = cache_dir / f"{folder.name}-{_fingerprint(folder)}"
    fp32 = target / "model.onnx"
    int8 = target / "model_int8.onnx"
    with _EXPORT_LOCK:
        if not fp32.exists():
            _atomically(fp32, lambda tmp: _export(folder, tmp))
        if quantized and not int8.exists():
            _atomically(int8, lambda tmp: _quantize(fp32, tmp))
    return int8 if quantized else fp32


def _export(folder: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
    sample = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)(
        ["an example sentence", "and another, longer example sentence"], padding=True, return_tensors="pt"
    )
    names = [name for name in INPUTS if name in sample]
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}

    class ByName(torch.nn.Module):
        """The model called with its inputs by name: the order of BertModel.forward's arguments
        changed in transformers 5 (OGX's environment), so positional inputs land elsewhere."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            return self.model(**dict(zip(names, inputs, strict=True)))[0]

    with torch.no_grad():
        torch.onnx.export(
            ByName(),
            tuple(sample[name] for name in names),
            str(out),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def _quantize(fp32: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per channel: one scale per output column of each weight (per tensor lost up to 0.08 cosine to fp32).
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)


def _session(path: Path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _check_modules(folder: Path) -> bool:
    """Whether the model normalises its vectors; refuses pipelines other than transformer + mean pooling."""
    modules = _read_json(folder / "modules.json") or []
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k not in ("Normalize",) for k in kinds[2:]):
        raise OnnxModelError(f"{folder}: the onnx backend runs transformer + pooling (+ normalize) models; got {kinds}")
    pooling = _read_json(folder / modules[1].get("path", "1_Pooling") / "config.json")
    if not pooling.get("pooling_mode_mean_tokens") or any(
        pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_lasttoken")
    ):
        raise OnnxModelError(f"{folder}: the onnx backend supports mean pooling only")
    return "Normalize" in kinds


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in ("config.json", "modules.json"):
        digest.update((folder / name).read_bytes() if (folder / name).exists() else b"")
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        stat = weights.stat()
        digest.update(f"{weights.name}:{stat.st_size}".encode())
    return digest.hexdigest()[:12]


def _atomically(path: Path, make) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        tmp = Path(scratch) / path.name
        make(tmp)
        os.replace(tmp, path)


def _read_json(path: Path) -> dict | list:
    return json.loads(path.read_text()) if path.exists() else {}


def open_encoder(model: str, onnx_dir: str | Path, backend: str) -> "OnnxEncoder":
    """The encoder of a model name or folder for a provider's `backend` (onnx, onnx-int8), its
    export kept in `onnx_dir`."""
    return OnnxEncoder(require_model_folder(model), Path(onnx_dir).expanduser(), quantized=BACKENDS[backend])


def export_command(argv: list[str] | None, default_onnx_dir: Path, description: str) -> int:
    """The set-up command of each distribution: export a model where its configs' onnx_dir looks."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--onnx-dir", type=Path, default=default_onnx_dir, help=f"default: {default_onnx_dir}")
    parser.add_argument("--model", default="all-MiniLM-L6-v2", help="the bundled model's name, or a model folder")
    parser.add_argument("--int8", action="store_true", help="also the int8 model (backend onnx-int8)")
    args = parser.parse_args(argv)
    try:
        folder = require_model_folder(args.model)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for quantized in (False, True) if args.int8 else (False,):
        print(f"{args.model} on ONNX Runtime: {exported_model(folder, args.onnx_dir.expanduser(), quantized)}")
    return 0
