"""The configs: Milvus (inline, remote) over the core's settings (core/milvus/index_config.py), with
OGX's stores; embeddings on ONNX Runtime over the core's long-text settings."""

from typing import Any, Literal

from ogx.core.storage.datatypes import KVStoreReference, SqlStoreReference
from pydantic import Field

from ..core.long_texts import LongTextSettings
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


class OnnxEmbeddingsConfig(LongTextSettings):
    """inline::onnx-embeddings: sentence-transformers model folders on ONNX Runtime."""

    backend: Literal["onnx", "onnx-int8"] = Field(
        default="onnx", description="'onnx': the same vectors as torch; 'onnx-int8': int8 weights, faster"
    )
    onnx_dir: str = Field(description="Where the ONNX exports are kept (made at set-up, or on first use with torch)")
    batch_size: int = Field(default=32, ge=1, le=4096, description="Texts per forward pass")

    @classmethod
    def sample_run_config(cls, __distro_dir__: str, **kwargs: Any) -> dict[str, Any]:
        from .run_configs import ONNX_DIR

        return {"onnx_dir": ONNX_DIR}
