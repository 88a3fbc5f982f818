from typing import Any

from pydantic import Field, field_validator

from ..long_texts import LongTextSettings


class OfflineSentenceTransformersConfig(LongTextSettings):
    """inline::sentence-transformers, offline: bundled models load from their package folder."""

    batch_size: int = Field(default=32, ge=1, le=4096, description="Texts per forward pass")
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
        return {"long_texts": "${env.EMBEDDING_LONG_TEXTS:=windows}"}
