from typing import Any

from llama_stack.providers.utils.kvstore.config import SqliteKVStoreConfig

from ...core.milvus.index_config import MilvusLiteFields
from ..remote_milvus.config import MilvusIndexConfig


class MilvusLiteConfig(MilvusLiteFields, MilvusIndexConfig):
    """inline::milvus: Milvus Lite, one local file holding every collection."""

    @classmethod
    def sample_run_config(cls, __distro_dir__: str, **kwargs: Any) -> dict[str, Any]:
        return {
            "db_path": "${env.MILVUS_DB_PATH:=" + __distro_dir__ + "/milvus.db}",
            "index_type": "${env.MILVUS_INDEX_TYPE:=AUTOINDEX}",
            "metric_type": "${env.MILVUS_METRIC_TYPE:=COSINE}",
            "consistency_level": "${env.MILVUS_CONSISTENCY_LEVEL:=Strong}",
            "request_timeout": "${env.MILVUS_REQUEST_TIMEOUT:=30}",
            "tenancy": "${env.MILVUS_TENANCY:=collection}",
            "kvstore": SqliteKVStoreConfig.sample_run_config(
                __distro_dir__=__distro_dir__, db_name="milvus_registry.db"
            ),
        }
