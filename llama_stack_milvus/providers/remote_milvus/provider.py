from llama_stack.providers.datatypes import Api, ProviderSpec

from .. import spec


def get_provider_spec() -> ProviderSpec:
    return spec.remote(
        "remote_milvus", Api.vector_io, "milvus", "MilvusServerConfig",
        "A Milvus server or Zilliz Cloud by llama-stack-milvus: vector, BM25 and hybrid search.",
        api_dependencies=[Api.inference], optional_api_dependencies=[Api.files],
    )  # fmt: skip
