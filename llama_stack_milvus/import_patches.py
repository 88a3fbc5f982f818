"""Patches to Llama Stack modules applied the moment they are imported, where a 0.2.20 stack runs.

`llama_stack_milvus_patches.pth` (installed into site-packages with the 0.2.20 distribution, not
with the OGX one) imports this module at interpreter start. It installs an import hook only in the
`llama` command (`llama stack run`, `llama stack build`) or `python -m llama_stack...`; any other
interpreter of the environment (the ingest command, the playground, a user's script) gets nothing
but this check. An in-process server (the tests') calls install() itself. The hook costs nothing
until one of the modules below is imported; then the module's patch runs (each checks the Llama
Stack version first). Needed where Llama Stack acts before it imports any of our providers
(patches.apply_all covers the rest):
- llama_stack.core.utils.config: redaction of secrets in the first log line (patches/redaction.py);
- llama_stack.core.build, llama_stack.cli.stack._build: `llama stack build` of our templates,
  offline, writing a run config that starts (patches/offline_build.py);
- llama_stack.cli.stack.run: no `./None/` folder from an unset external_providers_dir
  (patches/none_folder.py).
"""

import os
import sys


def _patch_config(module) -> None:
    from .patches.redaction import patch

    patch(module)


def _patch_build(module) -> None:
    from .patches.offline_build import patch_build

    patch_build(module)


def _patch_run_cli(module) -> None:
    from .patches.none_folder import patch

    patch(module)


def _patch_build_cli(module) -> None:
    from .patches.offline_build import patch_build_cli

    patch_build_cli(module)


PATCHES = {
    "llama_stack.core.utils.config": _patch_config,
    "llama_stack.core.build": _patch_build,
    "llama_stack.cli.stack._build": _patch_build_cli,
    "llama_stack.cli.stack.run": _patch_run_cli,
}


class _PatchOnImport:  # a sys.meta_path finder (importlib.abc is too slow to import here)
    def find_spec(self, name, path, target=None):
        if name not in PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                original_exec = spec.loader.exec_module

                def exec_module(module, _exec=original_exec):
                    _exec(module)
                    PATCHES[name](module)

                spec.loader.exec_module = exec_module
                return spec
        return None


def install() -> None:
    for name, patch in PATCHES.items():
        if name in sys.modules:
            patch(sys.modules[name])
    if not any(isinstance(f, _PatchOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())


def runs_llama_stack(script: str, argv: list[str]) -> bool:
    """Whether an interpreter started as `argv` (sys.orig_argv) with `script` (sys.argv[0]) runs
    Llama Stack's command line or one of its modules."""
    if os.path.basename(script) == "llama":
        return True
    return any(flag == "-m" and module.startswith("llama_stack") for flag, module in zip(argv, argv[1:], strict=False))


if runs_llama_stack(sys.argv[0] if sys.argv else "", sys.orig_argv):
    install()
