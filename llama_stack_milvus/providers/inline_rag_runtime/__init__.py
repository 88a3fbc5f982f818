from typing import Any

from llama_stack.providers.datatypes import Api

from .config import RagRuntimeConfig


async def get_provider_impl(config: RagRuntimeConfig, deps: dict[Api, Any]):
    from ...startup import announce
    from .runtime import RagToolRuntime

    announce("inline::rag-runtime", f"document fetches time out after {config.fetch_timeout:g} s")
    impl = RagToolRuntime(config, deps[Api.vector_io], deps[Api.inference])
    await impl.initialize()
    return impl
