from typing import Any

from ogx_api import Api

from .config import OnnxEmbeddingsConfig


async def get_provider_impl(config: OnnxEmbeddingsConfig, deps: dict[Api, Any], policy: list | None = None):
    from .embeddings import OnnxEmbeddings

    impl = OnnxEmbeddings(config)
    await impl.initialize()
    return impl
