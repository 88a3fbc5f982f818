from typing import Any

from .config import VllmInferenceConfig


async def get_adapter_impl(config: VllmInferenceConfig, _deps: dict[Any, Any]):
    from ...startup import announce
    from .adapter import VllmInferenceAdapter

    announce("remote::vllm", f"vLLM at {config.url}")
    impl = VllmInferenceAdapter(config)
    await impl.initialize()
    return impl
