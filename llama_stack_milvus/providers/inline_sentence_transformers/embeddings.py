import asyncio
import importlib.util
import threading

from llama_stack.apis.inference import EmbeddingsResponse, EmbeddingTaskType, InterleavedContentItem, TextTruncation
from llama_stack.log import get_logger
from llama_stack.providers.inline.inference.sentence_transformers.sentence_transformers import (
    SentenceTransformersInferenceImpl,
)
from llama_stack.providers.utils.inference.prompt_adapter import interleaved_content_as_str

from ...core.bundled_models import bundled_model_dir, require_model_folder
from ...core.embedding_windows import WholeTextEncoder
from .config import OfflineSentenceTransformersConfig

logger = get_logger(name=__name__, category="inference")


class OfflineSentenceTransformers(SentenceTransformersInferenceImpl):
    """Llama Stack's sentence-transformers provider, with two changes: a bundled model's name or
    folder loads from that folder with no hub access, and encoding runs in a worker thread so
    that the server keeps answering while it embeds."""

    def __init__(self, config: OfflineSentenceTransformersConfig) -> None:
        super().__init__(config)
        self.config = config
        self._models: dict = {}
        self._load_lock = threading.Lock()
        self._whole = WholeTextEncoder(config.window_overlap, config.batch_size)

    async def initialize(self) -> None:
        for model in self.config.preload:
            await asyncio.to_thread(self._load_sentence_transformer_model, model)

    def _load_sentence_transformer_model(self, model: str):
        with self._load_lock:
            if model not in self._models and self.config.backend != "torch":
                encoder = self._onnx_encoder(model)
                if encoder is not None:
                    self._models[model] = encoder
            if model not in self._models:
                from sentence_transformers import SentenceTransformer

                folder = bundled_model_dir(model)
                if folder is not None:
                    logger.info(f"loading embedding model {model} from its package folder {folder}")
                    self._models[model] = SentenceTransformer(str(folder), local_files_only=True)
                else:
                    logger.info(f"loading embedding model {model}")
                    self._models[model] = SentenceTransformer(model)
            return self._models[model]

    def _onnx_encoder(self, model: str):
        from ...core.onnx_encoder import open_encoder  # numpy only at import; onnxruntime is looked for below

        require_model_folder(model)  # before the runtime: a name that is no folder is refused either way
        if importlib.util.find_spec("onnxruntime") is None:
            logger.warning(
                f"embedding backend {self.config.backend} needs onnxruntime (the onnx extra: pip install "
                "'llama-stack-milvus[onnx]'); embedding on torch instead"
            )
            return None
        encoder = open_encoder(model, self.config.onnx_dir, self.config.backend)
        logger.info(f"embedding model {model} on ONNX Runtime ({self.config.backend}) from {encoder.folder}")
        return encoder

    async def embeddings(
        self,
        model_id: str,
        contents: list[str] | list[InterleavedContentItem],
        text_truncation: TextTruncation | None = TextTruncation.none,
        output_dimension: int | None = None,
        task_type: EmbeddingTaskType | None = None,
    ) -> EmbeddingsResponse:
        model = await self.model_store.get_model(model_id)
        encoder = await asyncio.to_thread(self._load_sentence_transformer_model, model.provider_resource_id)
        texts = [interleaved_content_as_str(c) for c in contents]
        whole = self.config.long_texts == "windows" and text_truncation != TextTruncation.end
        vectors = await asyncio.to_thread(self._whole.encode, encoder, texts, whole)
        return EmbeddingsResponse(embeddings=vectors.tolist())
