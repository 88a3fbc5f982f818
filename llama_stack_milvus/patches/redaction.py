"""Secrets out of Llama Stack's logs and /v1/providers, from the very first log line.

Upstream bug (llama-stack 0.2.20, core/utils/config.py, redact_sensitive_fields): the server prints
the whole run config before it imports any provider, and redacts only keys containing api_key,
api_token, password or secret: a Milvus `token: root:Milvus` would be printed as is.

Fix: import_patches.py wraps `redact_sensitive_fields` as soon as that module is imported: the
original redacts what it knows, then `token`, `*_token` and the other keys below are redacted too.

Upstream since: fixed in llama-stack 0.4.0 (token keys redacted).
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
    import functools

    from . import check_llama_stack_version

    check_llama_stack_version()
    original = module.redact_sensitive_fields
    if getattr(original, "_ours", False):
        return

    @functools.wraps(original)
    def wrapped(data: dict) -> dict:
        return redact_sensitive_fields(original(data))

    wrapped._ours = True
    module.redact_sensitive_fields = wrapped
