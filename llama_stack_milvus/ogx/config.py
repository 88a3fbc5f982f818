"""The two configs, over the core's settings (core/milvus/index_config.py), with OGX's stores."""

from typing import Any

from ogx.core.storage.datatypes import KVStoreReference, SqlStoreReference
from pydantic import Field

from ..core.milvus.index_config import MilvusIndexFields, MilvusLiteFields, MilvusServerFields


class OgxStores(MilvusIndexFields):
    persistence: KVStoreReference = Field(description="Where the provider keeps its vector stores and their files")
    metadata_store: SqlStoreReference | None = Field(
        default=None, description="SQL store for tenant-isolated vector store metadata (OGX's)"
    )


class MilvusLiteConfig(MilvusLiteFields, OgxStores):
    """inline::milvus: Milvus Lite, one local file holding every collection."""

    @classmethod
    def sample_run_config(cls, __distro_dir__: str, **kwargs: Any) -> dict[str, Any]:
        return {
            "db_path": "${env.MILVUS_DB_PATH:=" + __distro_dir__ + "}/milvus.db",
            "persistence": KVStoreReference(backend="kv_default", namespace="vector_io::milvus").model_dump(
                exclude_none=True
            ),
        }


class MilvusServerConfig(MilvusServerFields, OgxStores):
    """remote::milvus: a Milvus server, a Milvus cluster's proxy, or Zilliz Cloud."""

    @classmethod
    def sample_run_config(cls, __distro_dir__: str, **kwargs: Any) -> dict[str, Any]:
        return {
            "uri": "${env.MILVUS_URI:=http://localhost:19530}",
            "token": "${env.MILVUS_TOKEN:=root:Milvus}",
            "persistence": KVStoreReference(backend="kv_default", namespace="vector_io::milvus_remote").model_dump(
                exclude_none=True
            ),
        }
