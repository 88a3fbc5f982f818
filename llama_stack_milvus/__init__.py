"""llama-stack-milvus: a Llama Stack distribution with its own Milvus vector_io providers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("llama-stack-milvus")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

PACKAGE_NAME = "llama-stack-milvus"
