"""Every benchmark script imports, and every name one takes from another exists, also for imports
inside functions (scale.py and telemetry.py once imported an `encoder` speed.py no longer had)."""

import ast
import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = sorted(p.stem for p in BENCHMARKS.glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_imports_and_its_names_from_siblings_exist(script, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    importlib.import_module(script)
    tree = ast.parse((BENCHMARKS / f"{script}.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in SCRIPTS:
            sibling = importlib.import_module(node.module)
            missing = [alias.name for alias in node.names if not hasattr(sibling, alias.name)]
            assert not missing, f"{script}.py line {node.lineno}: {node.module} has no {missing}"
