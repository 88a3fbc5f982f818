from typing import Any

from ogx_api import Api

from ..core.milvus.connection import MilvusBackend
from .config import MilvusLiteConfig


async def get_provider_impl(config: MilvusLiteConfig, deps: dict[Api, Any], policy: list | None = None):
    from .adapter import MilvusVectorIOAdapter

    impl = MilvusVectorIOAdapter(config, MilvusBackend.lite_file(config.db_path), deps, policy)
    await impl.initialize()
    return impl
