from llama_stack.providers.datatypes import Api, ProviderSpec

from .. import spec


def get_provider_spec() -> ProviderSpec:
    return spec.inline(
        "inline_llama_cpp", Api.inference, "inline::llama-cpp", "LlamaCppInferenceConfig",
        "A local GGUF LLM on the CPU (llama.cpp in-process): chat, tools a small model calls reliably, "
        "structured output.",
        pip_packages=["llama-stack-milvus[local-llm]"],
    )  # fmt: skip
