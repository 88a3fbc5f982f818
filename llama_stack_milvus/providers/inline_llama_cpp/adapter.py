"""inline::llama-cpp: Llama Stack's inference API on a local GGUF model.

The request and response conversions are those remote::vllm uses too (openai_compatible.py): the
model sits behind an in-process stand-in for the OpenAI client (core/llm/local_openai.py) instead
of an HTTP server.
"""

import asyncio
from pathlib import Path

from llama_stack.apis.models import Model, ModelType
from llama_stack.log import get_logger
from llama_stack.providers.datatypes import HealthResponse, HealthStatus

from ...core.errors import ServiceUnavailableError
from ...core.llm.engine import EngineSettings, LlamaCppEngine
from ...core.llm.local_openai import LocalOpenAI
from ...core.llm.reading_speed import ReadingSpeed, auto_budget
from ...core.llm.weights import QWEN_CODER_1_5B, WeightsMissingError, ensure_gguf
from ..remote_vllm.openai_compatible import OpenAICompatibleInference
from .config import LlamaCppInferenceConfig

logger = get_logger(name="llama_stack_milvus.llama_cpp", category="inference")


class LlamaCppInferenceAdapter(OpenAICompatibleInference):
    PROVIDER_TYPE = "inline::llama-cpp"

    def __init__(self, config: LlamaCppInferenceConfig) -> None:
        self.config = config
        self._engine: LlamaCppEngine | None = None
        self._local: LocalOpenAI | None = None
        self._unavailable = "the local LLM is not loaded"
        self.reading = ReadingSpeed()  # the rag runtime's max_tokens_in_context auto reads it

    async def initialize(self) -> None:
        if not self.config.wanted:
            self._unavailable = f"the local LLM is off (load: {self.config.load}, other LLMs: {self.config.other_llms})"
            logger.info(f"{self._unavailable}; set LOCAL_LLM=on to load it as well")
            return
        try:
            path, name = await asyncio.to_thread(self._model_file)
        except WeightsMissingError as exc:
            # Retrieval still works without an LLM: start, and say how to get one.
            self._unavailable = f"no local LLM: {exc}"
            logger.warning(self._unavailable)
            return
        settings = EngineSettings(
            n_ctx=self.config.context_length,
            n_threads=self.config.threads,
            n_batch=self.config.batch_size,
            max_tokens=self.config.max_tokens,
            prompt_cache_mb=self.config.prompt_cache_mb,
            search_query=self.config.search_query,
        )
        self._engine = await asyncio.to_thread(
            LlamaCppEngine, path, settings, name, lambda line: logger.info(f"local LLM {name}: {line}"), self.reading
        )
        self._local = LocalOpenAI(self._engine)
        logger.info(
            f"local LLM {name} loaded from {path} ({self._engine.context_length} tokens of context); it reads "
            f"{self._engine.reading_speed:.0f} prompt tokens/s, so knowledge_search with max_tokens_in_context auto "
            f"retrieves up to {auto_budget(self.reading)} tokens"
        )

    def _model_file(self) -> tuple[Path, str]:
        if self.config.model_path:
            path = Path(self.config.model_path).expanduser()
            if not path.is_file():
                raise RuntimeError(f"model_path (LLM_GGUF) names no file: {path}")
            return path, self.config.model_id or path.stem
        path = ensure_gguf(QWEN_CODER_1_5B, Path(self.config.models_dir).expanduser())
        return path, self.config.model_id or QWEN_CODER_1_5B.model_id

    async def shutdown(self) -> None:
        if self._local is not None:
            self._local.close()
        if self._engine is not None:
            await asyncio.to_thread(self._engine.close)
        self._engine = self._local = None

    def _openai(self):
        if self._local is None:
            raise ServiceUnavailableError(self._unavailable)
        return self._local

    async def _call(self, request, what: str):
        return await request

    async def health(self) -> HealthResponse:
        if self._engine is None:
            return HealthResponse(status=HealthStatus.ERROR, message=self._unavailable)
        return HealthResponse(status=HealthStatus.OK)

    async def should_refresh_models(self) -> bool:
        return False

    async def list_models(self) -> list[Model] | None:
        if self._engine is None:
            return []
        return [
            Model(
                identifier=self._engine.model_name,
                # A resource id unlike the identifier keeps the name bare (no "provider/" prefix).
                provider_resource_id=self._engine.model_path.name,
                provider_id=self.__provider_id__,
                metadata={"context_length": self._engine.context_length},
                model_type=ModelType.llm,
            )
        ]

    async def register_model(self, model: Model) -> Model:
        if self._engine is None:
            raise ValueError(f"cannot register {model.identifier!r}: {self._unavailable}")
        if model.model_type != ModelType.llm:
            raise ValueError("inline::llama-cpp serves an LLM, not embedding models")
        if model.provider_resource_id not in (self._engine.model_name, self._engine.model_path.name):
            raise ValueError(
                f"inline::llama-cpp serves {self._engine.model_name!r} only; "
                f"got {model.provider_resource_id!r} (point LLM_GGUF at another GGUF to serve it)"
            )
        model.provider_resource_id = self._engine.model_path.name
        model.metadata.setdefault("context_length", self._engine.context_length)
        return model
