"""Settings every Milvus provider shares (core/milvus/index_config.py), with 0.2.20's kvstore for
the provider's registry of vector DBs and vector stores."""

from llama_stack.providers.utils.kvstore.config import KVStoreConfig
from pydantic import Field

from ...core.milvus.index_config import MilvusIndexFields


class MilvusIndexConfig(MilvusIndexFields):
    kvstore: KVStoreConfig = Field(description="Where the provider keeps its registry of vector DBs and vector stores")
