from llama_stack.providers.datatypes import Api, ProviderSpec

from .. import spec


def get_provider_spec() -> ProviderSpec:
    return spec.inline(
        "inline_rag_runtime", Api.tool_runtime, "inline::rag-runtime", "RagRuntimeConfig",
        "RAG tool runtime by llama-stack-milvus: document URLs that fail are errors, never stored text.",
        api_dependencies=[Api.vector_io, Api.inference],
    )  # fmt: skip
