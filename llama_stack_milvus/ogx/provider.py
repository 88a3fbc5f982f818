"""The specs OGX reads (`module: llama_stack_milvus.ogx` -> llama_stack_milvus.ogx.provider): our
Milvus vector_io providers and our ONNX Runtime embeddings."""

from ogx_api import Api, InlineProviderSpec, ProviderSpec, RemoteProviderSpec

ONNX_EMBEDDINGS = "inline::onnx-embeddings"

# What both specs share: the distribution that installs them and the APIs they use (as OGX's built-in).
COMMON = {
    "api": Api.vector_io,
    "pip_packages": ["llama-stack-milvus-ogx"],
    "api_dependencies": [Api.inference],
    "optional_api_dependencies": [Api.files, Api.models, Api.file_processors],
}


def get_provider_spec() -> list[ProviderSpec]:
    return [
        InlineProviderSpec(
            **COMMON,
            provider_type="inline::milvus",
            module="llama_stack_milvus.ogx.inline",
            config_class="llama_stack_milvus.ogx.config.MilvusLiteConfig",
            description="llama-stack-milvus's Milvus Lite provider (a local file)",
        ),
        RemoteProviderSpec(
            **COMMON,
            adapter_type="milvus",
            provider_type="remote::milvus",
            module="llama_stack_milvus.ogx.remote",
            config_class="llama_stack_milvus.ogx.config.MilvusServerConfig",
            description="llama-stack-milvus's Milvus server provider (a server, a cluster, Zilliz Cloud)",
        ),
        InlineProviderSpec(
            api=Api.inference,
            provider_type=ONNX_EMBEDDINGS,
            pip_packages=["llama-stack-milvus-ogx", "onnxruntime"],
            module="llama_stack_milvus.ogx.onnx_inference",
            config_class="llama_stack_milvus.ogx.config.OnnxEmbeddingsConfig",
            description="llama-stack-milvus's embeddings on ONNX Runtime (long texts embedded whole, no torch)",
        ),
    ]
