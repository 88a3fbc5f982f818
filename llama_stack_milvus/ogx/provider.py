"""The specs OGX reads (`module: llama_stack_milvus.ogx` -> llama_stack_milvus.ogx.provider)."""

from ogx_api import Api, InlineProviderSpec, ProviderSpec, RemoteProviderSpec

PACKAGES = ["llama-stack-milvus-ogx"]
DEPENDENCIES = [Api.inference]
OPTIONAL = [Api.files, Api.models, Api.file_processors]


def get_provider_spec() -> list[ProviderSpec]:
    return [
        InlineProviderSpec(
            api=Api.vector_io,
            provider_type="inline::milvus",
            pip_packages=PACKAGES,
            module="llama_stack_milvus.ogx.inline",
            config_class="llama_stack_milvus.ogx.config.MilvusLiteConfig",
            api_dependencies=DEPENDENCIES,
            optional_api_dependencies=OPTIONAL,
            description="llama-stack-milvus's Milvus Lite provider (a local file)",
        ),
        RemoteProviderSpec(
            api=Api.vector_io,
            adapter_type="milvus",
            provider_type="remote::milvus",
            pip_packages=PACKAGES,
            module="llama_stack_milvus.ogx.remote",
            config_class="llama_stack_milvus.ogx.config.MilvusServerConfig",
            api_dependencies=DEPENDENCIES,
            optional_api_dependencies=OPTIONAL,
            description="llama-stack-milvus's Milvus server provider (a server, a cluster, Zilliz Cloud)",
        ),
    ]
