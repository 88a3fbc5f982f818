from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class LlamaCppInferenceConfig(BaseModel):
    """inline::llama-cpp: a GGUF model on the CPU, in-process through llama.cpp; nothing is downloaded."""

    model_config = ConfigDict(extra="forbid")

    model_path: str | None = Field(
        default=None,
        description="A GGUF file; unset: the bundled Qwen2.5-Coder-1.5B-Instruct Q4_K_M (the local-llm extra), "
        "joined and checked into models_dir on first start",
    )
    model_id: str | None = Field(
        default=None,
        description="The model's name on the stack; unset: qwen2.5-coder-1.5b-instruct, or the file's stem",
    )
    models_dir: str = Field(
        default="~/.llama/distributions/llama-stack-milvus/models", description="Where the bundled GGUF is joined"
    )
    load: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="auto: load the model unless another LLM is configured (other_llms); on: always; off: never",
    )
    other_llms: str = Field(
        default="",
        description="Non-empty when the run config has another LLM (vLLM, Together): with load auto, the local model "
        "then stays unloaded and takes no memory",
    )
    context_length: int = Field(default=8192, ge=512, le=131072, description="Tokens of context (prompt + reply)")
    threads: int | None = Field(default=None, ge=1, description="CPU threads; unset: every core this process may use")
    batch_size: int = Field(default=512, ge=32, le=8192, description="Prompt tokens evaluated per step")
    max_tokens: int = Field(
        default=256, ge=1, description="Reply length when a request gives none (unbounded replies ran to 2,500 tokens)"
    )
    prompt_cache_mb: int = Field(
        default=512, ge=0, description="RAM for model states of prompt prefixes seen before (an agent's system "
        "prompt and tools are then read once, not on every turn); 0: off",
    )  # fmt: skip
    search_query: Literal["user", "model"] = Field(
        default="user",
        description="The query of a call to a search tool offered alone (the RAG agent's knowledge_search): user: "
        "the user's words (with the question before when they refer back), no model pass; model: the model writes it",
    )

    @field_validator("model_path", "model_id", "threads", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value in ("", None) else value

    @field_validator("other_llms", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else str(value)

    @property
    def wanted(self) -> bool:
        return self.load == "on" or (self.load == "auto" and not self.other_llms.strip())

    @classmethod
    def sample_run_config(cls, __distro_dir__: str = "~/.llama/distributions/llama-stack-milvus", **kwargs: Any):
        return {
            "model_path": "${env.LLM_GGUF:=}",
            "model_id": "${env.LLM_MODEL_ID:=}",
            "models_dir": "${env.LLM_MODELS_DIR:=" + __distro_dir__ + "/models}",
            "load": "${env.LOCAL_LLM:=auto}",
            "other_llms": "${env.VLLM_URL:+vllm}${env.TOGETHER_API_KEY:+ together}",
            "context_length": "${env.LLM_CONTEXT_LENGTH:=8192}",
            "threads": "${env.LLM_THREADS:=}",
            "max_tokens": "${env.LLM_MAX_TOKENS:=256}",
            "search_query": "${env.LLM_SEARCH_QUERY:=user}",
        }
