"""llama-stack-milvus: a Llama Stack distribution with its own Milvus vector_io providers."""

PACKAGE_NAME = "llama-stack-milvus"


def __getattr__(name: str):
    # Lazy: this package is imported at every interpreter start (see import_patches.py).
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(PACKAGE_NAME)
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(name)
