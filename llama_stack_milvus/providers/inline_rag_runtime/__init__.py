from typing import Any

from llama_stack.providers.datatypes import Api

from ...core.llm.reading_speed import ReadingSpeed
from .config import RagRuntimeConfig


def local_llm_reading(inference_api: Any) -> ReadingSpeed | None:
    """The reading speed of the stack's local LLM (inline::llama-cpp), where it serves one: Llama
    Stack 0.2.20 hands a provider only the routers of the APIs it depends on, so it is found
    among the inference router's providers, once, when the stack wires this runtime."""
    providers = getattr(getattr(inference_api, "routing_table", None), "impls_by_provider_id", {})
    readings = (getattr(impl, "reading", None) for impl in providers.values())
    return next((r for r in readings if isinstance(r, ReadingSpeed)), None)


async def get_provider_impl(config: RagRuntimeConfig, deps: dict[Api, Any]):
    from ...startup import announce
    from .runtime import RagToolRuntime

    announce("inline::rag-runtime", f"document fetches time out after {config.fetch_timeout:g} s")
    impl = RagToolRuntime(config, deps[Api.vector_io], deps[Api.inference], local_llm_reading(deps[Api.inference]))
    await impl.initialize()
    return impl
