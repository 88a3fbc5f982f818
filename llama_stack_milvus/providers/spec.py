"""What every provider.py of ours returns: a 0.2.20 provider spec naming its folder's module and
config class, built after the runtime patches are applied (when the stack reads our specs, before
any request)."""

from typing import Any

from llama_stack.providers.datatypes import AdapterSpec, Api, InlineProviderSpec, ProviderSpec, remote_provider_spec

from .. import PACKAGE_NAME, patches

PROVIDERS = "llama_stack_milvus.providers"


def inline(folder: str, api: Api, provider_type: str, config_class: str, description: str,
           pip_packages: list[str] | None = None, **dependencies: Any) -> ProviderSpec:  # fmt: skip
    patches.apply_all()
    return InlineProviderSpec(
        api=api,
        provider_type=provider_type,
        pip_packages=pip_packages or [PACKAGE_NAME],
        module=f"{PROVIDERS}.{folder}",
        config_class=f"{PROVIDERS}.{folder}.config.{config_class}",
        description=description,
        **dependencies,
    )


def remote(folder: str, api: Api, adapter_type: str, config_class: str, description: str,
           provider_data_validator: str | None = None, **dependencies: Any) -> ProviderSpec:  # fmt: skip
    patches.apply_all()
    adapter = AdapterSpec(
        adapter_type=adapter_type,
        pip_packages=[PACKAGE_NAME],
        module=f"{PROVIDERS}.{folder}",
        config_class=f"{PROVIDERS}.{folder}.config.{config_class}",
        description=description,
        **({"provider_data_validator": f"{PROVIDERS}.{folder}.config.{provider_data_validator}"}
           if provider_data_validator else {}),
    )  # fmt: skip
    return remote_provider_spec(api=api, adapter=adapter, **dependencies)
