"""The core knows nothing of Llama Stack: a second API layer (for OGX) can sit beside today's."""

import ast
import subprocess
import sys
from pathlib import Path

import llama_stack_milvus

PACKAGE = Path(llama_stack_milvus.__file__).parent
# The core (llama_stack_milvus/core/): Milvus storage, filters and search parameters, Milvus call
# errors, documents, the vLLM HTTP client, the embedded LLM, long texts cut into embedding
# windows, bounded telemetry summaries, the passages of retrieved chunks that bear on a query.
# The clients of a running stack (llama-stack-client): the llama-stack-milvus command, which starts
# fast, and the playground's pages. Neither imports a framework's server code.
CORE = ["core"]
CLIENTS = ["cli", "playground"]
FRAMEWORKS = ("llama_stack", "ogx", "ogx_api")


def core_files(entries: list[str] = CORE + CLIENTS) -> list[Path]:
    files = []
    for entry in entries:
        path = PACKAGE / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module a file imports, relative imports resolved."""
    package = ".".join(("llama_stack_milvus", *path.relative_to(PACKAGE).with_suffix("").parts[:-1]))
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def is_core(module: str, allowed: list[str] = CORE + CLIENTS) -> bool:
    parts = module.split(".")
    if parts[0] in FRAMEWORKS:
        return False
    if parts[0] != "llama_stack_milvus" or len(parts) == 1:
        return True
    return parts[1] in allowed


def test_no_core_module_imports_llama_stack_or_the_api_layer():
    offences = []
    for path in core_files():
        for module in imported_modules(path):
            if not is_core(module):
                offences.append(f"{path.relative_to(PACKAGE)} imports {module}")
    for path in core_files(CORE):  # the core stands alone: no client either
        for module in imported_modules(path):
            if not is_core(module, CORE):
                offences.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offences == []


def test_importing_the_whole_core_loads_no_llama_stack():
    modules = [
        ".".join(("llama_stack_milvus", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        for p in core_files()
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'llama_stack' or m.startswith('llama_stack.'))\n"
        "print(loaded); sys.exit(1 if loaded else 0)\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_rule_sees_an_offence(tmp_path):
    """The scan is not vacuous: a relative import of the API layer is found."""
    fake = PACKAGE / "core" / "milvus" / "collection.py"
    names = imported_modules(fake)
    assert "llama_stack_milvus.core.milvus.settings" in names or "llama_stack_milvus.core.milvus" in names
    assert not is_core("llama_stack_milvus.providers.remote_milvus.rows") and not is_core(
        "llama_stack_milvus.providers"
    )
    assert is_core("llama_stack_milvus.core.milvus.store") and is_core("pymilvus")
    assert not is_core("ogx_api.vector_io") and not is_core("llama_stack.apis")
    assert not is_core("llama_stack_milvus.cli.queries", CORE)


def test_the_ogx_shell_stands_on_the_core_alone():
    """The OGX distribution (packaging/ogx/pyproject.toml) ships only the core and llama_stack_milvus/ogx: that
    shell imports neither Llama Stack 0.2.20 nor the 0.2.20 shell; nothing else imports OGX."""
    offences = []
    for path in sorted((PACKAGE / "ogx").rglob("*.py")):
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "llama_stack" or (parts[0] == "llama_stack_milvus" and len(parts) > 1
                                             and parts[1] not in ("core", "ogx")):  # fmt: skip
                offences.append(f"{path.relative_to(PACKAGE)} imports {module}")
    for path in sorted(PACKAGE.rglob("*.py")):
        if "ogx" not in path.relative_to(PACKAGE).parts[:1]:
            offences += [f"{path.relative_to(PACKAGE)} imports {m}" for m in imported_modules(path)
                         if m.split(".")[0] in ("ogx", "ogx_api")]  # fmt: skip
    assert offences == []
