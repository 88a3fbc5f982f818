from typing import Any

from pydantic import BaseModel, Field


class OfflineSentenceTransformersConfig(BaseModel):
    """inline::sentence-transformers, offline: bundled models load from their package folder."""

    batch_size: int = Field(default=32, ge=1, le=4096, description="Texts per forward pass")

    @classmethod
    def sample_run_config(cls, **kwargs: Any) -> dict[str, Any]:
        return {}
