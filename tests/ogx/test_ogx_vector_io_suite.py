"""OGX's own vector-store tests as the referee: tests/integration/vector_io of the ogx 1.5.0 sdist
(fetched and checked by scripts/test.sh, not copied here), run by OGX's pytest against an OGX
server with our Milvus provider and against one with OGX's built-in Milvus provider, side by side.

OGX replays its recorded Ollama embeddings (nomic-embed-text, 768 dimensions). Its recordings are
keyed by test id, and in replay mode its tests are parametrized over the vector_io provider ids
faiss and sqlite-vec: both Milvus providers therefore run under the id sqlite-vec (-k "not
faiss"), and their type (inline::milvus on a Milvus Lite file, remote::milvus on Milvus Lite
served over TCP) decides OGX's Milvus-specific skips, alike for both."""

import concurrent.futures
import contextlib
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest
from milvus_servers import LiteTcpServer
from ogx_server import (
    OGX_PYTHON,
    OGX_SDIST,
    OgxServer,
    ogx_environment,  # noqa: F401 - the module-scoped check of .venv-ogx and the sdist
)

from llama_stack_milvus.ogx import run_configs

SUITES = ["test_openai_vector_stores.py", "test_vector_io.py", "test_vector_io_filters.py"]
REPLAYED_PROVIDER_ID = "sqlite-vec"


def run_suites(server: OgxServer, junit) -> dict[str, str]:
    """OGX's pytest against `server`: each test's outcome (passed, failed, error, skipped)."""
    command = [
        str(OGX_PYTHON), "-m", "pytest", "-q", "-p", "no:cacheprovider",
        *[f"tests/integration/vector_io/{suite}" for suite in SUITES],
        f"--stack-config={server.base_url}", "--embedding-model=ollama/" + run_configs.RECORDED_MODEL,
        f"--embedding-dimension={run_configs.RECORDED_DIMENSION}", "-k", "not faiss", f"--junitxml={junit}",
    ]  # fmt: skip
    env = {**server.env(), "SQLITE_STORE_DIR": str(server.state_dir / "client")}
    subprocess.run(command, cwd=OGX_SDIST, env=env, capture_output=True, timeout=1500)
    outcomes = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        outcome = next((k for k in ("failure", "error", "skipped") if k in kinds), "passed")
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = {"failure": "failed"}.get(outcome, outcome)
    return outcomes


def suite_outcomes(name: str, ours: bool, provider_type: str, tmp_path) -> dict[str, str]:
    with contextlib.ExitStack() as stack:
        if provider_type == "remote":
            milvus = LiteTcpServer(tmp_path / name / "milvus" / "suite.db").start()
            stack.callback(milvus.stop)
            vector_io = run_configs.server(REPLAYED_PROVIDER_ID, ours=ours)
            vector_io["config"].update(uri=milvus.uri, token="")
        else:
            vector_io = run_configs.lite(REPLAYED_PROVIDER_ID, ours=ours)
        config = run_configs.run_config(vector_io, run_configs.recorded_ollama())
        recordings = OGX_SDIST / "tests" / "integration" / "common"
        env = {"OGX_TEST_INFERENCE_MODE": "replay", "OGX_TEST_RECORDING_DIR": str(recordings),
               "OGX_CWD": str(OGX_SDIST)}  # fmt: skip
        server = stack.enter_context(OgxServer(config, tmp_path / name, env=env))
        return run_suites(server, tmp_path / f"{name}.xml")


@pytest.mark.parametrize("provider_type", ["inline", "remote"])
def test_every_ogx_vector_store_test_that_passes_on_its_builtin_milvus_passes_on_ours(provider_type, tmp_path):
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        builtin = pool.submit(suite_outcomes, "builtin", False, provider_type, tmp_path)
        ours = pool.submit(suite_outcomes, "ours", True, provider_type, tmp_path)
        builtin, ours = builtin.result(), ours.result()
    for name, outcomes in ((f"OGX's built-in {provider_type}::milvus", builtin), (f"ours, {provider_type}", ours)):
        counts = {k: sum(1 for v in outcomes.values() if v == k) for k in ("passed", "failed", "error", "skipped")}
        print(f"{name}: {counts}")
    assert len(builtin) > 100 and builtin.keys() == ours.keys()  # the suites ran, the same tests
    regressions = sorted(t for t, outcome in builtin.items() if outcome == "passed" and ours[t] != "passed")
    assert regressions == []
