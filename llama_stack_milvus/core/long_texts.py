"""The long-text settings every embedding provider of ours takes (0.2.20: inline::sentence-transformers,
remote::vllm; OGX: inline::onnx-embeddings)."""

from typing import Literal

from pydantic import BaseModel, Field


class LongTextSettings(BaseModel):
    long_texts: Literal["windows", "truncate"] = Field(
        default="windows",
        description="A text longer than the model reads (all-MiniLM-L6-v2: 256 word-pieces): 'windows' embeds "
        "every window of it (overlapping, at the model's limit, cut by the model's own tokenizer) and returns "
        "their mean; 'truncate' embeds its beginning only. remote::vllm: with truncate_embedding_input on",
    )
    window_overlap: int = Field(default=32, ge=0, le=128, description="Tokens shared by neighbouring windows")
