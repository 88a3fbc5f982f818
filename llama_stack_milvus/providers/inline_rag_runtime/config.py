from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RagRuntimeConfig(BaseModel):
    """inline::rag-runtime: rag_tool.insert and rag_tool.query, fetching documents strictly."""

    model_config = ConfigDict(extra="forbid")

    fetch_timeout: float = Field(default=30.0, gt=0, description="Seconds to wait for one document URL")
    max_document_bytes: int = Field(
        default=50 * 1024 * 1024, gt=0, description="A fetched document larger than this is refused"
    )
    max_concurrent_fetches: int = Field(default=8, ge=1, le=64, description="Document URLs fetched at once")

    @classmethod
    def sample_run_config(cls, __distro_dir__: str = "", **kwargs: Any) -> dict[str, Any]:
        return {"fetch_timeout": "${env.RAG_FETCH_TIMEOUT:=30}"}
