from typing import Any

from llama_stack.providers.datatypes import Api

from .config import MilvusServerConfig


async def get_adapter_impl(config: MilvusServerConfig, deps: dict[Api, Any]):
    from ...core.milvus.connection import MilvusBackend
    from ...startup import announce
    from .adapter import MilvusVectorIOAdapter

    backend = MilvusBackend(uri=config.uri, is_lite=False, label=config.label(), client_args=config.client_args())
    announce("remote::milvus", backend.label)
    impl = MilvusVectorIOAdapter(config, backend, deps[Api.inference], deps.get(Api.files))
    await impl.initialize()
    return impl
