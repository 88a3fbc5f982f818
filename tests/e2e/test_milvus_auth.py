"""Credentials: a wrong token is a clear start-up error; no token or password is ever shown."""

import httpx
import pytest
import yaml
from conftest import EMBEDDING_MODEL
from milvus_servers import add_admin_user
from servers import StackServer

SECRET = "S3cret-Passw0rd-xyz"


# Milvus Lite in a file has no credentials at all: these run against the two servers.
SERVERS = pytest.mark.parametrize("backend", ["lite-tcp", "milvus-2.3"], indirect=True)


@SERVERS
def test_wrong_token_is_a_clear_start_up_error_that_does_not_show_it(tmp_path, backend):
    server = StackServer(backend.config, tmp_path, env={**backend.env, "MILVUS_TOKEN": f"root:{SECRET}"})
    if backend.name == "lite-tcp":
        # milvus-lite over TCP ignores tokens (documented): the stack starts.
        server.start()
        server.stop()
    else:
        assert server.run_until_exit() != 0
        log = server.log_text()
        assert f"cannot connect to Milvus server {backend.server.uri} as user root: authentication failed" in log
    assert SECRET not in server.log_text()


@pytest.mark.parametrize("backend", ["milvus-2.3"], indirect=True)  # milvus-lite over TCP ignores tokens
def test_missing_token_is_a_clear_start_up_error(tmp_path, backend):
    # An empty MILVUS_TOKEN means the run-config's default (root:Milvus): leave the key out instead.
    config = yaml.safe_load(backend.config.read_text())
    config["providers"]["vector_io"][0]["config"].pop("token")
    no_token = tmp_path / "no-token.yaml"
    no_token.write_text(yaml.safe_dump(config))
    server = StackServer(no_token, tmp_path, env=backend.env)
    assert server.run_until_exit() != 0
    assert "the server requires authentication: set token (user:password) or user and password" in server.log_text()


@SERVERS
def test_no_token_or_password_in_logs_or_providers(tmp_path, backend):
    user = "llsm_reader"
    if backend.name == "milvus-2.3":
        add_admin_user(backend.server.uri, user, SECRET)
    server = StackServer(backend.config, tmp_path, env={**backend.env, "MILVUS_TOKEN": f"{user}:{SECRET}"}).start()
    try:
        client = server.client()
        client.vector_dbs.register(vector_db_id="auth-db", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        client.vector_io.insert(vector_db_id="auth-db", chunks=[{"content": "x", "metadata": {"document_id": "d"}}])
        providers = httpx.get(f"{server.base_url}/v1/providers", timeout=30).text
        milvus = next(p for p in client.providers.list() if p.api == "vector_io")
        assert milvus.config["token"] == "********"
    finally:
        server.stop()
    assert SECRET not in providers
    assert SECRET not in server.log_text()
    assert f"Milvus server {backend.server.uri} as user {user}" in server.log_text()
