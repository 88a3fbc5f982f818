"""inline::onnx-embeddings for OGX: a sentence-transformers model folder (the bundled
all-MiniLM-L6-v2, or a path) on ONNX Runtime through the core's OnnxEncoder, a long text embedded
whole (the mean of its windows, as on 0.2.20). No torch at run time: the model is exported once
(`python -m llama_stack_milvus.ogx.embeddings [--model M] [--onnx-dir DIR] [--int8]`, which
scripts/ogx.sh runs at set-up, or else on first use, where torch is installed).

OGX cuts a file into chunks of 800 cl100k tokens by default, three times what all-MiniLM-L6-v2
reads: OGX's sentence-transformers provider embeds each chunk's first 256 word-pieces only.
"""

import asyncio
import base64
import os
import struct
import sys
import threading
from pathlib import Path
from typing import Any

from ogx.log import get_logger
from ogx_api import (
    InferenceProvider,
    Model,
    ModelsProtocolPrivate,
    ModelType,
    OpenAIEmbeddingData,
    OpenAIEmbeddingsRequestWithExtraBody,
    OpenAIEmbeddingsResponse,
    OpenAIEmbeddingUsage,
    validate_embeddings_input_is_text,
)

from ..core.bundled_models import require_model_folder
from ..core.embedding_windows import WholeTextEncoder
from ..core.onnx_encoder import export_command, open_encoder
from .config import OnnxEmbeddingsConfig

logger = get_logger(name=__name__, category="inference")


def unsupported(what: str) -> NotImplementedError:
    return NotImplementedError(f"inline::onnx-embeddings serves embeddings only, not {what}")


class OnnxEmbeddings(InferenceProvider, ModelsProtocolPrivate):
    __provider_id__: str

    def __init__(self, config: OnnxEmbeddingsConfig) -> None:
        self.config = config
        self._encoders: dict[str, Any] = {}
        self._load_lock = threading.Lock()
        self._whole = WholeTextEncoder(config.window_overlap, config.batch_size)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def should_refresh_models(self) -> bool:
        return False

    async def list_models(self) -> list[Model] | None:
        return None  # the run config registers its models (provider_model_id: the model's folder or name)

    async def register_model(self, model: Model) -> Model:
        if model.model_type != ModelType.embedding:
            raise ValueError(
                f"inline::onnx-embeddings serves embedding models; {model.identifier} is {model.model_type}"
            )
        require_model_folder(model.provider_resource_id or model.identifier)
        return model

    async def unregister_model(self, model_id: str) -> None:
        pass

    def encoder(self, name: str):
        with self._load_lock:
            if name not in self._encoders:
                logger.info("loading embedding model on ONNX Runtime", model=name, backend=self.config.backend)
                self._encoders[name] = open_encoder(name, self.config.onnx_dir, self.config.backend)
            return self._encoders[name]

    async def openai_embeddings(self, params: OpenAIEmbeddingsRequestWithExtraBody) -> OpenAIEmbeddingsResponse:
        validate_embeddings_input_is_text(params)
        texts = [params.input] if isinstance(params.input, str) else list(params.input)
        if not texts:
            raise ValueError("input is empty: give a text or a list of texts")
        encoder = await asyncio.to_thread(self.encoder, params.model)
        whole = self.config.long_texts == "windows"
        vectors = await asyncio.to_thread(self._whole.encode, encoder, texts, whole)
        data = []
        for i, vector in enumerate(vectors):
            if params.encoding_format == "base64":
                value: Any = base64.b64encode(struct.pack(f"{len(vector)}f", *vector)).decode("ascii")
            else:
                value = [float(x) for x in vector]
            data.append(OpenAIEmbeddingData(embedding=value, index=i))
        return OpenAIEmbeddingsResponse(
            data=data, model=params.model, usage=OpenAIEmbeddingUsage(prompt_tokens=-1, total_tokens=-1)
        )

    async def openai_completion(self, params: Any) -> Any:
        raise unsupported("completions")

    async def openai_chat_completion(self, params: Any) -> Any:
        raise unsupported("chat completions")

    async def openai_chat_completions_with_reasoning(self, params: Any) -> Any:
        raise unsupported("chat completions")

    async def rerank(self, request: Any) -> Any:
        raise unsupported("reranking")

    async def anthropic_messages(self, params: Any) -> Any:
        raise unsupported("Anthropic messages")

    async def anthropic_count_tokens(self, params: Any) -> Any:
        raise unsupported("Anthropic token counting")


def main(argv: list[str] | None = None) -> int:
    from .run_configs import ONNX_DIR_DEFAULT

    default = Path(os.environ.get("EMBEDDING_ONNX_DIR") or ONNX_DIR_DEFAULT).expanduser()
    return export_command(argv, default, "Export a model to ONNX where the OGX configs' onnx_dir looks.")


if __name__ == "__main__":
    sys.exit(main())
