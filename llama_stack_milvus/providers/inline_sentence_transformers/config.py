from typing import Any, Literal

from pydantic import Field, field_validator

from ...core.long_texts import LongTextSettings
from ...core.onnx_encoder import ONNX_SUBDIR

DEFAULT_STATE_DIR = "~/.llama/distributions/llama-stack-milvus"


class OfflineSentenceTransformersConfig(LongTextSettings):
    """inline::sentence-transformers, offline: bundled models load from their package folder."""

    batch_size: int = Field(default=32, ge=1, le=4096, description="Texts per forward pass")
    backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="torch",
        description="What runs the model: 'torch' (sentence-transformers), 'onnx' (ONNX Runtime, the same vectors; the "
        "run configs' default), 'onnx-int8' (ONNX Runtime with int8 weights). ONNX needs the onnx extra (without it, "
        "torch runs, with a warning) and a model folder (the bundled all-MiniLM-L6-v2, or a path); the export is "
        "made at set-up (quickstart, test command) or else on first use, and kept in onnx_dir",
    )
    onnx_dir: str = Field(
        default=f"{DEFAULT_STATE_DIR}/{ONNX_SUBDIR}",
        description="Where the ONNX exports of embedding models are kept",
    )
    preload: list[str] = Field(
        default_factory=list,
        description="Models loaded at start-up rather than on first use (a list, or names separated by commas; "
        "'none' for none), so that the first query after a start does not wait for torch and the model",
    )

    @field_validator("preload", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip() and name.strip() != "none"]
        return value or []

    @classmethod
    def sample_run_config(cls, **kwargs: Any) -> dict[str, Any]:
        return {
            "long_texts": "${env.EMBEDDING_LONG_TEXTS:=windows}",
            "backend": "${env.EMBEDDING_BACKEND:=onnx}",
            "onnx_dir": "${env.SQLITE_STORE_DIR:=" + DEFAULT_STATE_DIR + "}/" + ONNX_SUBDIR,
        }
