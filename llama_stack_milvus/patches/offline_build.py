"""`llama stack build --config templates/<name>/build.yaml --image-type venv`, offline, into a venv
that already holds this package, writing a run config that starts.

Upstream bugs (llama-stack 0.2.20, core/build.py get_provider_dependencies and
cli/stack/_build.py _generate_run_config), for providers loaded with `module:`:
- it pip-installs each `module:` value as if it were a distribution
  (`uv pip install llama_stack_milvus.providers.inline_milvus`), which exists nowhere and needs an
  index. Our providers all live in one distribution: the build installs that instead (already
  installed, so nothing is fetched);
- the run config it writes gives them `config: {}` (it does not import them) and the same
  provider_id to inline::milvus and remote::milvus. When the build config is one of our templates,
  the template's run.yaml is written instead; otherwise our providers get their sample configs and
  distinct ids.

Upstream since: OGX 1.5.0 (the renamed Llama Stack) has no build command; its `list-deps` still
names a `module:` value as a package to install. Not checked in between.
"""

import functools
import importlib
from pathlib import Path

import yaml

from .. import PACKAGE_NAME

_OURS = "llama_stack_milvus."


def _is_ours(module: str | None) -> bool:
    return bool(module) and module.split("==")[0].startswith(_OURS)


def templates_dir() -> Path:
    packaged = Path(__file__).parent.parent / "templates"  # in a wheel
    return packaged if packaged.is_dir() else Path(__file__).parent.parent.parent / "templates"


def _provider_set(providers: dict) -> dict[str, set[tuple[str, str | None]]]:
    def entry(p):
        return (p["provider_type"], p.get("module")) if isinstance(p, dict) else (p.provider_type, p.module)

    return {api: {entry(p) for p in (ps if isinstance(ps, list) else [ps])} for api, ps in providers.items()}


def matching_template(build_config) -> Path | None:
    wanted = _provider_set(build_config.distribution_spec.providers)
    for build_file in sorted(templates_dir().glob("*/build.yaml")):
        spec = yaml.safe_load(build_file.read_text())["distribution_spec"]
        if _provider_set(spec["providers"]) == wanted:
            return build_file.with_name("run.yaml")
    return None


def _fix_generated(run_config_file: Path, image_name: str) -> None:
    config = yaml.safe_load(run_config_file.read_text())
    for providers in config["providers"].values():
        seen: set[str] = set()
        for provider in providers:
            if _is_ours(provider.get("module")):
                spec = importlib.import_module(f"{provider['module']}.provider").get_provider_spec()
                module_name, class_name = spec.config_class.rsplit(".", 1)
                config_class = getattr(importlib.import_module(module_name), class_name)
                distro_dir = f"~/.llama/distributions/{Path(image_name).name}"
                provider["config"] = config_class.sample_run_config(__distro_dir__=distro_dir)
            if provider["provider_id"] in seen:
                provider["provider_id"] += "-" + provider["provider_type"].split("::")[0]
            seen.add(provider["provider_id"])
    run_config_file.write_text(yaml.safe_dump(config, sort_keys=False))


def patch_build(module) -> None:
    from . import check_llama_stack_version

    check_llama_stack_version()
    original = module.get_provider_dependencies
    if getattr(original, "_ours", False):
        return

    @functools.wraps(original)
    def get_provider_dependencies(config):
        normal, special, external = original(config)
        ours = [dep for dep in external if _is_ours(dep)]
        if ours:
            external = [dep for dep in external if dep not in ours]
            normal = sorted({*normal, PACKAGE_NAME})
        return normal, special, external

    get_provider_dependencies._ours = True
    module.get_provider_dependencies = get_provider_dependencies


def patch_build_cli(module) -> None:
    from . import check_llama_stack_version

    check_llama_stack_version()
    original = module._generate_run_config
    if getattr(original, "_ours", False):
        return

    @functools.wraps(original)
    def _generate_run_config(build_config, build_dir, image_name):
        run_config_file = original(build_config, build_dir, image_name)
        uses_ours = any(_is_ours(p.module) for ps in build_config.distribution_spec.providers.values() for p in ps)
        if uses_ours:
            template = matching_template(build_config)
            if template is not None:
                Path(run_config_file).write_text(template.read_text())
            else:
                _fix_generated(Path(run_config_file), image_name)
        return run_config_file

    _generate_run_config._ours = True
    module._generate_run_config = _generate_run_config
