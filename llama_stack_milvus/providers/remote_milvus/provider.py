from llama_stack.providers.datatypes import AdapterSpec, Api, ProviderSpec, remote_provider_spec

from ... import patches


def get_provider_spec() -> ProviderSpec:
    patches.apply_all()
    return remote_provider_spec(
        api=Api.vector_io,
        adapter=AdapterSpec(
            adapter_type="milvus",
            pip_packages=["llama-stack-milvus"],
            module="llama_stack_milvus.providers.remote_milvus",
            config_class="llama_stack_milvus.providers.remote_milvus.config.MilvusServerConfig",
            description="A Milvus server or Zilliz Cloud by llama-stack-milvus: vector, BM25 and hybrid search.",
        ),
        api_dependencies=[Api.inference],
        optional_api_dependencies=[Api.files],
    )
