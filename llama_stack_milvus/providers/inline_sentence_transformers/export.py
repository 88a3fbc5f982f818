"""Export the bundled embedding model to ONNX where the run configs look for it, at set-up.

The run configs embed on ONNX Runtime (`EMBEDDING_BACKEND`, default onnx). The export uses torch
(about 20 s on 2 cores); made here, by the quickstart and the test command, a stack's first
embedding loads the ONNX file and never imports torch.

    python -m llama_stack_milvus.providers.inline_sentence_transformers.export [--onnx-dir DIR] [--int8]
"""

import argparse
import os
import sys
from pathlib import Path

from ...core.bundled_models import model_folder
from .config import DEFAULT_STATE_DIR, ONNX_SUBDIR


def default_onnx_dir() -> Path:
    """The run configs' onnx_dir: $SQLITE_STORE_DIR/embedding-onnx, or the distribution's state folder's."""
    return Path(os.environ.get("SQLITE_STORE_DIR") or DEFAULT_STATE_DIR).expanduser() / ONNX_SUBDIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--onnx-dir", type=Path, default=None, help="default: the run configs' onnx_dir")
    parser.add_argument("--model", default="all-MiniLM-L6-v2", help="the bundled model's name, or a model folder")
    parser.add_argument("--int8", action="store_true", help="also the int8 model (EMBEDDING_BACKEND=onnx-int8)")
    args = parser.parse_args(argv)
    from ...core.onnx_encoder import exported_model

    folder = model_folder(args.model)
    if folder is None:
        print(f"error: {args.model!r} is neither the bundled all-MiniLM-L6-v2 nor a sentence-transformers folder",
              file=sys.stderr)  # fmt: skip
        return 2
    onnx_dir = (args.onnx_dir or default_onnx_dir()).expanduser()
    made = [exported_model(folder, onnx_dir, quantized=False)]
    if args.int8:
        made.append(exported_model(folder, onnx_dir, quantized=True))
    for path in made:
        print(f"{args.model} on ONNX Runtime: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
