from typing import Any

from ogx_api import Api

from ..core.milvus.connection import MilvusBackend
from .config import MilvusServerConfig


async def get_adapter_impl(config: MilvusServerConfig, deps: dict[Api, Any], policy: list | None = None):
    from .adapter import MilvusVectorIOAdapter

    backend = MilvusBackend(uri=config.uri, is_lite=False, label=config.label(), client_args=config.client_args())
    impl = MilvusVectorIOAdapter(config, backend, deps, policy)
    await impl.initialize()
    return impl
