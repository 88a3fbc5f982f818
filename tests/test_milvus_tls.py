"""remote::milvus over one-way TLS to a real Milvus server with a certificate made in the test."""

import subprocess

import pytest
from conftest import EMBEDDING_MODEL
from milvus_servers import ROOT_TOKEN, MilvusStandalone
from servers import RUN_CONFIGS, StackServer


@pytest.fixture(scope="module")
def tls_milvus(tmp_path_factory):
    root = tmp_path_factory.mktemp("milvus-tls")
    cert, key = root / "server.pem", root / "server.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=milvus.local", "-addext", "subjectAltName=DNS:milvus.local,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = MilvusStandalone(root / "server", tls=(cert, key)).start()
    yield server, cert
    server.stop()


def tls_env(server, cert, **overrides):
    env = {
        "MILVUS_URI": server.uri,
        "MILVUS_TOKEN": ROOT_TOKEN,
        "MILVUS_SECURE": "true",
        "MILVUS_SERVER_PEM_PATH": str(cert),
        "MILVUS_SERVER_NAME": "milvus.local",
    }
    return {**env, **overrides}


def test_stack_talks_to_milvus_over_tls(tmp_path, tls_milvus):
    server, cert = tls_milvus
    assert server.uri.startswith("https://")
    stack = StackServer(RUN_CONFIGS / "milvus-server.yaml", tmp_path, env=tls_env(server, cert)).start()
    try:
        client = stack.client()
        client.vector_dbs.register(vector_db_id="tls-db", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        client.vector_io.insert(
            vector_db_id="tls-db", chunks=[{"content": "encrypted in transit", "metadata": {"document_id": "t"}}]
        )
        hits = client.vector_io.query(vector_db_id="tls-db", query="encrypted", params={"max_chunks": 1})
        assert hits.chunks[0].content == "encrypted in transit"
    finally:
        stack.stop()


def test_plain_connection_to_a_tls_server_is_a_start_up_error(tmp_path, tls_milvus):
    server, cert = tls_milvus
    plain = server.uri.replace("https://", "http://")
    env = tls_env(server, cert, MILVUS_URI=plain, MILVUS_SECURE="", MILVUS_SERVER_PEM_PATH="", MILVUS_SERVER_NAME="")
    stack = StackServer(RUN_CONFIGS / "milvus-server.yaml", tmp_path, env={**env, "MILVUS_TIMEOUT": "5"})
    assert stack.run_until_exit() != 0
    assert f"cannot connect to Milvus server {plain}" in stack.log_text()
