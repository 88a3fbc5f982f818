from llama_stack.providers.datatypes import Api, InlineProviderSpec, ProviderSpec

from ... import patches


def get_provider_spec() -> ProviderSpec:
    patches.apply_all()
    return InlineProviderSpec(
        api=Api.inference,
        provider_type="inline::sentence-transformers",
        pip_packages=["llama-stack-milvus"],
        module="llama_stack_milvus.providers.inline_sentence_transformers",
        config_class=(
            "llama_stack_milvus.providers.inline_sentence_transformers.config.OfflineSentenceTransformersConfig"
        ),
        description="sentence-transformers embeddings that load offline and encode off the event loop.",
    )
