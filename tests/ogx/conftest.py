import pytest
from ogx_server import OGX_PYTHON, OGX_SDIST


@pytest.fixture(autouse=True, scope="session")
def ogx_environment():
    """scripts/test.sh makes .venv-ogx and fetches the ogx sdist (ensure_ogx_venv, ensure_ogx_tests)."""
    missing = [str(p) for p in (OGX_PYTHON, OGX_SDIST / "tests" / "integration" / "vector_io") if not p.exists()]
    assert not missing, f"missing {missing}: run ./scripts/test.sh (it runs ensure_ogx_venv and ensure_ogx_tests)"
