from typing import Any

from llama_stack.providers.datatypes import Api

from .config import MilvusLiteConfig


async def get_provider_impl(config: MilvusLiteConfig, deps: dict[Api, Any]):
    from ...core.milvus.connection import MilvusBackend
    from ...startup import announce
    from ..remote_milvus.adapter import MilvusVectorIOAdapter

    backend = MilvusBackend.lite_file(config.db_path)
    announce("inline::milvus", backend.label)
    impl = MilvusVectorIOAdapter(config, backend, deps[Api.inference], deps.get(Api.files))
    await impl.initialize()
    return impl
