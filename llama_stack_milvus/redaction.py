"""Secrets out of Llama Stack's logs and /v1/providers, from the very first log line.

Llama Stack 0.2.20 prints the whole run config before it imports any provider, and redacts only
keys containing api_key, api_token, password or secret: a Milvus `token: root:Milvus` would be
printed as is. `llama_stack_milvus_redaction.pth` (installed into site-packages with this package)
imports this module at interpreter start; it only registers an import hook, so it costs nothing
until Llama Stack's config utilities are imported, and then swaps in `redact_sensitive_fields`.
"""

import sys

REDACTED = "********"
_TARGET = "llama_stack.core.utils.config"
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


def _patch(module) -> None:
    module.redact_sensitive_fields = redact_sensitive_fields


class _PatchOnImport:  # a sys.meta_path finder (importlib.abc is too slow to import here)
    def find_spec(self, name, path, target=None):
        if name != _TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                original_exec = spec.loader.exec_module

                def exec_module(module, _exec=original_exec):
                    _exec(module)
                    _patch(module)

                spec.loader.exec_module = exec_module
                return spec
        return None


def install() -> None:
    if _TARGET in sys.modules:
        _patch(sys.modules[_TARGET])
    if not any(isinstance(f, _PatchOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())


install()
