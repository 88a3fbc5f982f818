from llama_stack.providers.datatypes import Api, InlineProviderSpec, ProviderSpec

from ... import patches


def get_provider_spec() -> ProviderSpec:
    patches.apply_all()
    return InlineProviderSpec(
        api=Api.vector_io,
        provider_type="inline::milvus",
        pip_packages=["llama-stack-milvus"],
        module="llama_stack_milvus.providers.inline_milvus",
        config_class="llama_stack_milvus.providers.inline_milvus.config.MilvusLiteConfig",
        api_dependencies=[Api.inference],
        optional_api_dependencies=[Api.files],
        description="Milvus Lite (a local file) by llama-stack-milvus: vector, BM25 keyword and hybrid search.",
    )
