from typing import Any

from llama_stack.providers.datatypes import Api

from .config import OfflineSentenceTransformersConfig


async def get_provider_impl(config: OfflineSentenceTransformersConfig, deps: dict[Api, Any]):
    from ...startup import announce
    from .embeddings import OfflineSentenceTransformers

    announce("inline::sentence-transformers", "bundled all-MiniLM-L6-v2, offline")
    impl = OfflineSentenceTransformers(config)
    await impl.initialize()
    return impl
