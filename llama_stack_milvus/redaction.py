"""Secrets out of Llama Stack's logs and /v1/providers, from the very first log line.

Llama Stack 0.2.20 prints the whole run config before it imports any provider, and redacts only
keys containing api_key, api_token, password or secret: a Milvus `token: root:Milvus` would be
printed as is. import_patches.py swaps `redact_sensitive_fields` below into
`llama_stack.core.utils.config` as soon as that module is imported.
"""

REDACTED = "********"
_SUBSTRINGS = ("api_key", "password", "secret", "private_key", "credential")


def is_sensitive(key: str) -> bool:
    key = key.lower()
    return key == "token" or key.endswith("_token") or any(s in key for s in _SUBSTRINGS)


def redact_sensitive_fields(data: dict) -> dict:
    def redact(value):
        if isinstance(value, dict):
            return {
                k: REDACTED if is_sensitive(str(k)) and v not in (None, "") else redact(v) for k, v in value.items()
            }
        if isinstance(value, list):
            return [redact(v) for v in value]
        return value

    return redact(data)


def patch(module) -> None:
    module.redact_sensitive_fields = redact_sensitive_fields
