from llama_stack.providers.datatypes import Api, InlineProviderSpec, ProviderSpec

from ... import patches


def get_provider_spec() -> ProviderSpec:
    patches.apply_all()
    return InlineProviderSpec(
        api=Api.inference,
        provider_type="inline::llama-cpp",
        pip_packages=["llama-stack-milvus[local-llm]"],
        module="llama_stack_milvus.providers.inline_llama_cpp",
        config_class="llama_stack_milvus.providers.inline_llama_cpp.config.LlamaCppInferenceConfig",
        description="A local GGUF LLM on the CPU (llama.cpp in-process): chat, tools a small model calls reliably, "
        "structured output.",
    )
