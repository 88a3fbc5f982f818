from typing import Any

from llama_stack.providers.utils.kvstore.config import KVStoreConfig, SqliteKVStoreConfig
from pydantic import Field

from ...core.milvus.index_config import MilvusIndexFields, MilvusServerFields


class MilvusIndexConfig(MilvusIndexFields):
    """What both Milvus providers take: the core's settings, with 0.2.20's kvstore for the
    provider's registry of vector DBs and vector stores."""

    kvstore: KVStoreConfig = Field(description="Where the provider keeps its registry of vector DBs and vector stores")


class MilvusServerConfig(MilvusServerFields, MilvusIndexConfig):
    """remote::milvus: a Milvus server, a Milvus cluster's proxy, or Zilliz Cloud.

    Zilliz Cloud uses the same fields: the https endpoint as `uri` and the API key as `token`.
    """

    @classmethod
    def sample_run_config(cls, __distro_dir__: str, **kwargs: Any) -> dict[str, Any]:
        return {
            "uri": "${env.MILVUS_URI:=http://localhost:19530}",
            "token": "${env.MILVUS_TOKEN:=root:Milvus}",
            "db_name": "${env.MILVUS_DB_NAME:=}",
            "timeout": "${env.MILVUS_TIMEOUT:=10}",
            "secure": "${env.MILVUS_SECURE:=}",
            "server_pem_path": "${env.MILVUS_SERVER_PEM_PATH:=}",
            "server_name": "${env.MILVUS_SERVER_NAME:=}",
            "ca_pem_path": "${env.MILVUS_CA_PEM_PATH:=}",
            "client_pem_path": "${env.MILVUS_CLIENT_PEM_PATH:=}",
            "client_key_path": "${env.MILVUS_CLIENT_KEY_PATH:=}",
            "index_type": "${env.MILVUS_INDEX_TYPE:=AUTOINDEX}",
            "metric_type": "${env.MILVUS_METRIC_TYPE:=COSINE}",
            "consistency_level": "${env.MILVUS_CONSISTENCY_LEVEL:=Session}",
            "request_timeout": "${env.MILVUS_REQUEST_TIMEOUT:=30}",
            "tenancy": "${env.MILVUS_TENANCY:=collection}",
            "kvstore": SqliteKVStoreConfig.sample_run_config(
                __distro_dir__=__distro_dir__, db_name="milvus_remote_registry.db"
            ),
        }
