from llama_stack.log import get_logger

from . import PACKAGE_NAME, __version__

logger = get_logger(name="llama_stack_milvus", category="core")


def announce(provider_type: str, target: str) -> None:
    """The one start-up line that shows a provider is ours and not Llama Stack's built-in."""
    logger.info(f"{PACKAGE_NAME} {__version__} serves {provider_type}: {target}")
