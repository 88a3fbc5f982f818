"""Export the bundled embedding model to ONNX where the run configs look for it, at set-up.

The run configs embed on ONNX Runtime (`EMBEDDING_BACKEND`, default onnx). The export uses torch
(about 20 s on 2 cores); made here, by the quickstart and the test command, a stack's first
embedding loads the ONNX file and never imports torch.

    python -m llama_stack_milvus.providers.inline_sentence_transformers.export [--onnx-dir DIR] [--int8]
"""

import os
import sys
from pathlib import Path

from ...core.onnx_encoder import ONNX_SUBDIR, export_command
from .config import DEFAULT_STATE_DIR


def default_onnx_dir() -> Path:
    """The run configs' onnx_dir: $SQLITE_STORE_DIR/embedding-onnx, or the distribution's state folder's."""
    return Path(os.environ.get("SQLITE_STORE_DIR") or DEFAULT_STATE_DIR).expanduser() / ONNX_SUBDIR


def main(argv: list[str] | None = None) -> int:
    return export_command(argv, default_onnx_dir(), __doc__)


if __name__ == "__main__":
    sys.exit(main())
