from typing import Any

from llama_stack.providers.datatypes import Api

from .config import LlamaCppInferenceConfig


async def get_provider_impl(config: LlamaCppInferenceConfig, deps: dict[Api, Any]):
    from ...startup import announce
    from .adapter import LlamaCppInferenceAdapter

    announce("inline::llama-cpp", config.model_path or "the bundled Qwen2.5-Coder-1.5B-Instruct Q4_K_M")
    impl = LlamaCppInferenceAdapter(config)
    await impl.initialize()
    return impl
