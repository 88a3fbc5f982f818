from llama_stack.providers.datatypes import Api, ProviderSpec

from .. import spec


def get_provider_spec() -> ProviderSpec:
    return spec.inline(
        "inline_sentence_transformers", Api.inference, "inline::sentence-transformers",
        "OfflineSentenceTransformersConfig",
        "sentence-transformers embeddings that load offline and encode off the event loop.",
    )  # fmt: skip
