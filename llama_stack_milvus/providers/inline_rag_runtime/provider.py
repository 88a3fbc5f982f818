from llama_stack.providers.datatypes import Api, InlineProviderSpec, ProviderSpec

from ... import patches


def get_provider_spec() -> ProviderSpec:
    patches.apply_all()
    return InlineProviderSpec(
        api=Api.tool_runtime,
        provider_type="inline::rag-runtime",
        pip_packages=["llama-stack-milvus"],
        module="llama_stack_milvus.providers.inline_rag_runtime",
        config_class="llama_stack_milvus.providers.inline_rag_runtime.config.RagRuntimeConfig",
        api_dependencies=[Api.vector_io, Api.inference],
        description="RAG tool runtime by llama-stack-milvus: document URLs that fail are errors, never stored text.",
    )
