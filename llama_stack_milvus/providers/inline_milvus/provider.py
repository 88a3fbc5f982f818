from llama_stack.providers.datatypes import Api, ProviderSpec

from .. import spec


def get_provider_spec() -> ProviderSpec:
    return spec.inline(
        "inline_milvus", Api.vector_io, "inline::milvus", "MilvusLiteConfig",
        "Milvus Lite (a local file) by llama-stack-milvus: vector, BM25 keyword and hybrid search.",
        api_dependencies=[Api.inference], optional_api_dependencies=[Api.files],
    )  # fmt: skip
