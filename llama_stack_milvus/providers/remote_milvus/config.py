from typing import Any
from urllib.parse import urlparse

from llama_stack.providers.utils.kvstore.config import SqliteKVStoreConfig
from pydantic import Field, SecretStr, model_validator

from ...vector_io.config import MilvusIndexConfig


class MilvusServerConfig(MilvusIndexConfig):
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
    def _check(self) -> "MilvusServerConfig":
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

    @classmethod
    def sample_run_config(cls, __distro_dir__: str, **kwargs: Any) -> dict[str, Any]:
        return {
            "uri": "${env.MILVUS_URI:=http://localhost:19530}",
            "token": "${env.MILVUS_TOKEN:=root:Milvus}",
            "db_name": "${env.MILVUS_DB_NAME:=}",
            "timeout": "${env.MILVUS_TIMEOUT:=10}",
            "secure": "${env.MILVUS_SECURE:=}",
            "server_pem_path": "${env.MILVUS_SERVER_PEM_PATH:=}",
            "server_name": "${env.MILVUS_SERVER_NAME:=}",
            "ca_pem_path": "${env.MILVUS_CA_PEM_PATH:=}",
            "client_pem_path": "${env.MILVUS_CLIENT_PEM_PATH:=}",
            "client_key_path": "${env.MILVUS_CLIENT_KEY_PATH:=}",
            "index_type": "${env.MILVUS_INDEX_TYPE:=AUTOINDEX}",
            "metric_type": "${env.MILVUS_METRIC_TYPE:=COSINE}",
            "consistency_level": "${env.MILVUS_CONSISTENCY_LEVEL:=Session}",
            "request_timeout": "${env.MILVUS_REQUEST_TIMEOUT:=30}",
            "tenancy": "${env.MILVUS_TENANCY:=collection}",
            "kvstore": SqliteKVStoreConfig.sample_run_config(
                __distro_dir__=__distro_dir__, db_name="milvus_remote_registry.db"
            ),
        }
