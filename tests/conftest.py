import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import RUN_CONFIGS, FileServer, StackServer  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
TUTORIAL_PAGES = ["chat.rst", "llama3.rst", "memory_optimizations.rst", "lora_finetune.rst"]
EMBEDDING_MODEL = "all-MiniLM-L6-v2"


@pytest.fixture(scope="session")
def docs_server():
    """The tutorial's four torchtune pages, served over HTTP like the tutorial's GitHub URLs."""
    with FileServer(DATA / "torchtune") as server:
        yield server


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The embedded default run-config (Milvus Lite, offline embeddings) on a free port."""
    server = StackServer(RUN_CONFIGS / "milvus-lite.yaml", tmp_path_factory.mktemp("stack")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def client(stack):
    return stack.client()
