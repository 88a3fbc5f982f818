from llama_stack.providers.datatypes import Api, ProviderSpec

from .. import spec


def get_provider_spec() -> ProviderSpec:
    return spec.remote(
        "remote_vllm", Api.inference, "vllm", "VllmInferenceConfig",
        "A vLLM server by llama-stack-milvus: chat, tools, structured output, embeddings.",
        provider_data_validator="VllmProviderData",
    )  # fmt: skip
