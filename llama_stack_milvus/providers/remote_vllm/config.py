from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from ...core.long_texts import LongTextSettings


class VllmInferenceConfig(LongTextSettings):
    """remote::vllm: an OpenAI-compatible `vllm serve` (one model per server, or several behind a router)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(description="vLLM's OpenAI base URL, for example http://localhost:8000/v1")
    api_token: SecretStr | None = Field(
        default=None,
        description="vLLM's --api-key; a request may bring its own as provider data `vllm_api_token`",
    )
    tls_verify: bool | str = Field(default=True, description="Verify vLLM's certificate; or the path of a CA bundle")
    max_tokens: int | None = Field(
        default=None, gt=0, description="Reply length when a request gives none; unset: up to the model's context"
    )
    connect_timeout: float = Field(default=5.0, gt=0, description="Seconds to open a connection to vLLM")
    request_timeout: float = Field(default=600.0, gt=0, description="Seconds a whole request may take")
    max_retries: int = Field(default=2, ge=0, le=10, description="Retries on connection errors, 429 and 5xx")
    require_at_startup: bool = Field(
        default=False,
        description="true: the stack refuses to start while vLLM does not answer; "
        "false: it starts, models are listed once vLLM is up, and calls until then fail with 503",
    )
    refresh_models: bool = Field(default=False, description="List vLLM's models again every 5 minutes")
    truncate_embedding_input: bool = Field(
        default=True,
        description="Embed the start of an over-long text, as much as the model reads (as sentence-transformers "
        "does); false: such a text is a 400",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"url must be vLLM's http(s)://host:port/v1; got {value!r}")
        return value.rstrip("/")

    @field_validator("api_token", mode="before")
    @classmethod
    def _empty_token(cls, value: Any) -> Any:
        return None if value in ("", None) else value

    @field_validator("max_tokens", mode="before")
    @classmethod
    def _empty_max_tokens(cls, value: Any) -> Any:
        return None if value in ("", None) else value

    @field_validator("tls_verify", mode="before")
    @classmethod
    def _tls_verify(cls, value: Any) -> bool | str:
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", ""):
            return value.lower() in ("true", "1", "")
        if isinstance(value, str):
            path = Path(value).expanduser()
            if not path.is_file():
                raise ValueError(f"tls_verify: no CA bundle at {value}")
            return str(path)
        return value

    def connection(self):
        """What the core's vLLM client needs of this config."""
        from ...core.vllm.client import VllmConnection

        return VllmConnection(
            url=self.url,
            api_token=self.api_token.get_secret_value() if self.api_token else None,
            tls_verify=self.tls_verify,
            connect_timeout=self.connect_timeout,
            request_timeout=self.request_timeout,
            max_retries=self.max_retries,
        )

    @classmethod
    def sample_run_config(cls, url: str = "${env.VLLM_URL:=http://localhost:8000/v1}", **kwargs: Any) -> dict[str, Any]:
        return {
            "url": url,
            "api_token": "${env.VLLM_API_TOKEN:=}",
            "tls_verify": "${env.VLLM_TLS_VERIFY:=true}",
            "max_tokens": "${env.VLLM_MAX_TOKENS:=}",
            "require_at_startup": "${env.VLLM_REQUIRE_AT_STARTUP:=false}",
        }


class VllmProviderData(BaseModel):
    """Per request, in the X-LlamaStack-Provider-Data header."""

    vllm_api_token: str | None = None
