"""Settings every Milvus provider shares: the index, the search, batching and the registry store."""

from typing import Any, Literal

from llama_stack.providers.utils.kvstore.config import KVStoreConfig
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.milvus.settings import ANALYZERS, CONSISTENCY_LEVELS, IndexSettings


class MilvusIndexConfig(BaseModel):
    # A typo in a key is an error at start-up, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid")

    kvstore: KVStoreConfig = Field(description="Where the provider keeps its registry of vector DBs and vector stores")
    index_type: str = Field(default="AUTOINDEX", description="Dense vector index type")
    metric_type: Literal["COSINE", "IP", "L2"] = Field(default="COSINE", description="Vector similarity metric")
    index_params: dict[str, Any] = Field(
        default_factory=dict, description="Index build parameters, e.g. {M: 16, efConstruction: 200} or {nlist: 128}"
    )
    search_params: dict[str, Any] = Field(
        default_factory=dict, description="Vector search parameters, e.g. {ef: 64} or {nprobe: 16}"
    )
    consistency_level: str = Field(default="Strong", description=f"One of {', '.join(CONSISTENCY_LEVELS)}")
    bm25_drop_ratio_search: float = Field(
        default=0.0, ge=0.0, lt=1.0, description="Share of the smallest BM25 query-term weights ignored"
    )
    analyzer: Literal["standard", "english"] | dict[str, Any] = Field(
        default="english",
        description="Full-text (BM25) analyzer of new collections (Milvus >= 2.5): 'english' (stop words out, words "
        "stemmed), 'standard', or Milvus analyzer_params such as {tokenizer: standard, filter: [lowercase]}; "
        "a collection keeps the analyzer it was created with",
    )
    tenancy: Literal["collection", "partition_key"] = Field(
        default="collection",
        description="Where new vector DBs are stored: 'collection' (a Milvus collection each) or 'partition_key' "
        "(one collection per embedding dimension shared by all, each vector DB a partition-key value: for "
        "thousands of vector DBs); a registered vector DB stays where it was made",
    )
    insert_batch_size: int = Field(default=500, ge=1, le=10_000, description="Rows per Milvus insert call")
    request_timeout: float = Field(
        default=30.0, gt=0, le=3600, description="Seconds one Milvus call may take; past it the request fails with 503"
    )

    @field_validator("index_type")
    @classmethod
    def _upper_index_type(cls, value: str) -> str:
        return value.strip().upper()

    @field_validator("consistency_level")
    @classmethod
    def _known_consistency(cls, value: str) -> str:
        for level in CONSISTENCY_LEVELS:
            if value.strip().lower() == level.lower():
                return level
        raise ValueError(f"consistency_level must be one of {', '.join(CONSISTENCY_LEVELS)}; got {value!r}")

    def index_settings(self) -> IndexSettings:
        return IndexSettings(
            index_type=self.index_type,
            metric_type=self.metric_type,
            build_params=dict(self.index_params),
            search_params=dict(self.search_params),
            consistency_level=self.consistency_level,
            bm25_drop_ratio_search=self.bm25_drop_ratio_search,
            analyzer_params=dict(ANALYZERS[self.analyzer] if isinstance(self.analyzer, str) else self.analyzer),
            insert_batch_size=self.insert_batch_size,
            request_timeout=self.request_timeout,
        )
