"""A Milvus provider's settings as pydantic fields, shared by the shells' config classes (each adds
its framework's key-value store): the index and search, and how to reach a Milvus server."""

from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from .settings import ANALYZERS, CONSISTENCY_LEVELS, LITE_INDEX_TYPES, IndexSettings


class MilvusIndexFields(BaseModel):
    """The index, search, batching and tenancy settings of a Milvus provider, whatever its framework."""

    # A typo in a key is an error at start-up, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid")

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


class MilvusLiteFields(MilvusIndexFields):
    """Milvus Lite: one local file holding every collection; the index types it builds."""

    db_path: str = Field(description="The Milvus Lite database file")

    @model_validator(mode="after")
    def _lite_index_types_only(self) -> "MilvusLiteFields":
        check_lite_index_type(self.index_type)
        return self


def check_lite_index_type(index_type: str) -> None:
    if index_type not in LITE_INDEX_TYPES:
        raise ValueError(
            f"index_type {index_type} is not available on Milvus Lite, which builds only "
            f"{', '.join(LITE_INDEX_TYPES)}; use remote::milvus with a Milvus server for {index_type}"
        )


class MilvusServerFields(BaseModel):
    """remote::milvus: a Milvus server, a Milvus cluster's proxy, or Zilliz Cloud.

    Zilliz Cloud uses the same fields: the https endpoint as `uri` and the API key as `token`.
    """

    uri: str = Field(description="http(s)://host:port of the Milvus proxy, or a Zilliz Cloud endpoint")
    token: SecretStr | None = Field(default=None, description="user:password, or a Zilliz Cloud API key")
    user: str | None = Field(default=None, description="Instead of token: the user name")
    password: SecretStr | None = Field(default=None, description="Instead of token: the password")
    db_name: str | None = Field(default=None, description="Milvus database; the server's default when unset")
    secure: bool | None = Field(default=None, description="TLS; implied by an https uri")
    server_pem_path: str | None = Field(default=None, description="One-way TLS: the server's certificate")
    server_name: str | None = Field(default=None, description="TLS: the name the server certificate is for")
    ca_pem_path: str | None = Field(default=None, description="Mutual TLS: the CA certificate")
    client_pem_path: str | None = Field(default=None, description="Mutual TLS: the client certificate")
    client_key_path: str | None = Field(default=None, description="Mutual TLS: the client key")
    timeout: float = Field(default=10.0, gt=0, description="Seconds to wait when connecting")
    consistency_level: str = Field(
        default="Session",
        description="Session reads this server's own writes at once; Strong waits for every write (slower)",
    )

    @model_validator(mode="after")
    def _check(self) -> "MilvusServerFields":
        if urlparse(self.uri).scheme not in ("http", "https", "tcp", "grpc", "grpcs"):
            raise ValueError(f"uri must look like http://host:19530 or https://...; got {self.uri!r}")
        if self.token is not None and (self.user or self.password):
            raise ValueError("give either token or user and password, not both")
        if self.client_pem_path and not (self.client_key_path and self.ca_pem_path):
            raise ValueError("mutual TLS needs client_pem_path, client_key_path and ca_pem_path together")
        return self

    def client_args(self) -> dict[str, Any]:
        """The MilvusClient keyword arguments: only what pymilvus understands, nothing of ours."""
        args: dict[str, Any] = {"timeout": self.timeout}
        if self.token is not None and self.token.get_secret_value():
            args["token"] = self.token.get_secret_value()
        elif self.user:
            args["user"] = self.user
            args["password"] = self.password.get_secret_value() if self.password else ""
        if self.db_name:
            args["db_name"] = self.db_name
        tls = {
            "secure": self.secure,
            "server_pem_path": self.server_pem_path,
            "server_name": self.server_name,
            "ca_pem_path": self.ca_pem_path,
            "client_pem_path": self.client_pem_path,
            "client_key_path": self.client_key_path,
        }
        args.update({k: v for k, v in tls.items() if v is not None})
        return args

    def label(self) -> str:
        who = self.user or (self.token.get_secret_value().split(":", 1)[0] if self.token else None)
        has_password = ":" in (self.token.get_secret_value() if self.token else "") or self.password
        return f"Milvus server {self.uri}" + (f" as user {who}" if who and has_password else "")
