"""examples/rag_agent.py, run as a user would, against the embedded default."""

import subprocess
import sys

import pytest
from servers import REPO


# The example is a client: what it shows depends on the stack's config, not on the Milvus backend.
@pytest.mark.parametrize("backend", ["lite-file"], indirect=True)
def test_rag_agent_example_without_an_llm_retrieves_and_says_what_is_missing(stack, docs_server, client):
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO / "examples" / "rag_agent.py"),
            "--base-url",
            stack.base_url,
            "--docs-base-url",
            docs_server.base_url,
            "--vector-db",
            "example-rag-agent",  # its own: the shared stack holds test_tutorial's my_demo_vector_db
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 2, completed.stderr
    assert "Inserted 4 documents into vector DB 'example-rag-agent'" in completed.stdout
    assert "num-1" in completed.stdout
    assert (
        "No LLM is registered" in completed.stderr
        and "VLLM_URL" in completed.stderr
        and "local-llm" in completed.stderr
    )
    assert "example-rag-agent" in {db.identifier for db in client.vector_dbs.list()}
