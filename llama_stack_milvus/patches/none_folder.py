"""Upstream bug (llama-stack 0.2.20, cli/stack/run.py, StackRun._run_stack_run_cmd): `llama stack run
<config>` calls `os.makedirs(str(config.external_providers_dir))` whether or not the config names
one, so a config without `external_providers_dir` (ours: providers come by `module:`) makes a
folder called `None` in the current directory.

Fix, at import of that module (import_patches.py): its `os` is a view of the real module whose
`makedirs` skips the path "None" (what `str(None)` gives); every other call goes to `os`.

Upstream since: unfixed: llama-stack 0.8.0 has the same os.makedirs(str(...)).
"""

import functools
import types


def patch(module) -> None:
    from . import check_llama_stack_version

    check_llama_stack_version()
    real = module.os
    if getattr(real, "_ours", False):
        return

    @functools.wraps(real.makedirs)
    def makedirs(name, *args, **kwargs):
        if str(name) == "None":
            return None
        return real.makedirs(name, *args, **kwargs)

    view = types.ModuleType("os", real.__doc__)
    view.__dict__.update(real.__dict__)
    view.makedirs = makedirs
    view._ours = True
    module.os = view
