"""remote::milvus over TLS to a real Milvus server: one-way TLS and mutual TLS, certificates made in the test."""

import pytest
from certificates import issue_certificate, make_ca
from conftest import EMBEDDING_MODEL
from inprocess_stack import InProcessStack
from milvus_servers import ROOT_TOKEN, MilvusStandalone
from servers import RUN_CONFIGS, StackServer

SERVER_NAME = "milvus.local"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    root = tmp_path_factory.mktemp("certificates")
    ca = make_ca(root, "test-ca")
    other_ca = make_ca(root, "other-ca")
    return {
        "ca": ca[0],
        "server": issue_certificate(root, "server", ca, f"DNS:{SERVER_NAME},IP:127.0.0.1"),
        "client": issue_certificate(root, "client", ca),
        "stranger": issue_certificate(root, "stranger", other_ca),
    }


@pytest.fixture(scope="module")
def tls_milvus(tmp_path_factory, certificates):
    server = MilvusStandalone(tmp_path_factory.mktemp("milvus-tls"), tls=certificates["server"]).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mtls_milvus(tmp_path_factory, certificates):
    root = tmp_path_factory.mktemp("milvus-mtls")
    server = MilvusStandalone(root, tls=certificates["server"], client_ca=certificates["ca"]).start()
    yield server
    server.stop()


def tls_env(server, certificates, **overrides):
    env = {
        "MILVUS_URI": server.uri,
        "MILVUS_TOKEN": ROOT_TOKEN,
        "MILVUS_SECURE": "true",
        "MILVUS_SERVER_PEM_PATH": str(certificates["ca"]),
        "MILVUS_SERVER_NAME": SERVER_NAME,
        "MILVUS_TIMEOUT": "5",
    }
    return {**env, **overrides}


def mtls_env(server, certificates, client="client", **overrides):
    cert, key = certificates[client]
    env = tls_env(server, certificates, MILVUS_SERVER_PEM_PATH="", MILVUS_CA_PEM_PATH=str(certificates["ca"]))
    return {**env, "MILVUS_CLIENT_PEM_PATH": str(cert), "MILVUS_CLIENT_KEY_PATH": str(key), **overrides}


def assert_round_trip(stack: StackServer, vector_db_id: str) -> None:
    client = stack.client()
    client.vector_dbs.register(vector_db_id=vector_db_id, embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
    client.vector_io.insert(
        vector_db_id=vector_db_id, chunks=[{"content": "encrypted in transit", "metadata": {"document_id": "t"}}]
    )
    hits = client.vector_io.query(vector_db_id=vector_db_id, query="encrypted", params={"max_chunks": 1})
    assert hits.chunks[0].content == "encrypted in transit"


def test_stack_talks_to_milvus_over_tls(tmp_path, tls_milvus, certificates):
    assert tls_milvus.uri.startswith("https://")
    with InProcessStack(RUN_CONFIGS / "milvus-server.yaml", tmp_path, env=tls_env(tls_milvus, certificates)) as stack:
        assert_round_trip(stack, "tls-db")


def test_plain_connection_to_a_tls_server_is_a_start_up_error(tmp_path, tls_milvus, certificates):
    plain = tls_milvus.uri.replace("https://", "http://")
    env = tls_env(tls_milvus, certificates, MILVUS_URI=plain, MILVUS_SECURE="", MILVUS_SERVER_PEM_PATH="")
    stack = StackServer(RUN_CONFIGS / "milvus-server.yaml", tmp_path, env={**env, "MILVUS_SERVER_NAME": ""})
    assert stack.run_until_exit() != 0
    assert f"cannot connect to Milvus server {plain}" in stack.log_text()


def test_stack_talks_to_milvus_over_mutual_tls(tmp_path, mtls_milvus, certificates):
    with InProcessStack(RUN_CONFIGS / "milvus-server.yaml", tmp_path, env=mtls_env(mtls_milvus, certificates)) as stack:
        assert_round_trip(stack, "mtls-db")


@pytest.mark.parametrize("client", ["none", "stranger"])
def test_mutual_tls_without_a_trusted_client_certificate_is_a_start_up_error(
    tmp_path, mtls_milvus, certificates, client
):
    if client == "none":
        env = tls_env(mtls_milvus, certificates)
    else:
        env = mtls_env(mtls_milvus, certificates, client=client)
    stack = StackServer(RUN_CONFIGS / "milvus-server.yaml", tmp_path, env=env)
    assert stack.run_until_exit() != 0
    assert f"cannot connect to Milvus server {mtls_milvus.uri}" in stack.log_text()
