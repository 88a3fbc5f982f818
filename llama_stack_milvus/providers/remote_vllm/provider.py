from llama_stack.providers.datatypes import AdapterSpec, Api, ProviderSpec, remote_provider_spec

from ... import patches


def get_provider_spec() -> ProviderSpec:
    patches.apply_all()
    return remote_provider_spec(
        api=Api.inference,
        adapter=AdapterSpec(
            adapter_type="vllm",
            pip_packages=["llama-stack-milvus"],
            module="llama_stack_milvus.providers.remote_vllm",
            config_class="llama_stack_milvus.providers.remote_vllm.config.VllmInferenceConfig",
            provider_data_validator="llama_stack_milvus.providers.remote_vllm.config.VllmProviderData",
            description="A vLLM server by llama-stack-milvus: chat, tools, structured output, embeddings.",
        ),
    )
