"""Patches of Llama Stack 0.2.20, one module each: the upstream bug, a wrapper around the original.

Every patch checks the installed Llama Stack first: on any other version the stack refuses to
start, naming the supported one, instead of patching code it was not written against.

Applied in two ways:
- at import of a Llama Stack module (import_patches.py, through the package's .pth file), where
  Llama Stack acts before it loads any provider: redaction, offline_build;
- when the stack imports one of our provider specs (`apply_all`), before any request: the rest.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

SUPPORTED_LLAMA_STACK = "0.2.20"

# Applied by apply_all(), in this order.
RUNTIME_PATCHES = [
    "router_insert_chunks",
    "error_status",
    "request_body_logging",
    "fast_json_bodies",
    "span_attributes",
    "shared_registry",
    "file_search_filenames",
    "bare_model_names",
]


class UnsupportedLlamaStackError(RuntimeError):
    pass


def check_llama_stack_version(installed: str | None = None) -> None:
    if installed is None:
        try:
            installed = version("llama-stack")
        except PackageNotFoundError:
            installed = "not installed"
    if installed != SUPPORTED_LLAMA_STACK:
        raise UnsupportedLlamaStackError(
            f"llama-stack-milvus works with llama-stack=={SUPPORTED_LLAMA_STACK} (it patches bugs of that "
            f"release), and llama-stack {installed} is installed: install llama-stack=={SUPPORTED_LLAMA_STACK} "
            "(uv sync --frozen does)"
        )


def apply_all() -> None:
    """Every runtime patch, once."""
    check_llama_stack_version()
    for name in RUNTIME_PATCHES:
        import_module(f"{__name__}.{name}").apply()
