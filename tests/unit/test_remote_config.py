import pytest
from pydantic import ValidationError

from llama_stack_milvus.providers.remote_milvus.config import MilvusServerConfig

KV = {"type": "sqlite", "db_path": "/tmp/registry.db"}


def test_tutorial_yaml_as_written():
    config = MilvusServerConfig(uri="http://localhost:19530", token="root:Milvus", kvstore=KV)
    assert config.client_args() == {"timeout": 10.0, "token": "root:Milvus"}
    assert config.label() == "Milvus server http://localhost:19530 as user root"
    assert "Milvus" not in repr(config.token)


def test_zilliz_cloud_form_and_no_user_in_label_for_an_api_key():
    config = MilvusServerConfig(uri="https://in01-abc.zillizcloud.com", token="an-api-key", kvstore=KV)
    assert config.client_args()["token"] == "an-api-key"
    assert "an-api-key" not in config.label()


def test_tls_and_database_reach_the_client_and_our_keys_do_not():
    config = MilvusServerConfig(
        uri="https://milvus:19530",
        user="alice",
        password="pw",
        db_name="rag",
        secure=True,
        server_pem_path="/certs/server.pem",
        server_name="milvus.local",
        index_type="HNSW",
        insert_batch_size=100,
        kvstore=KV,
    )
    assert config.client_args() == {
        "timeout": 10.0,
        "user": "alice",
        "password": "pw",
        "db_name": "rag",
        "secure": True,
        "server_pem_path": "/certs/server.pem",
        "server_name": "milvus.local",
    }


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"uri": "localhost:19530"}, "uri must look like"),
        ({"uri": "http://m:19530", "token": "a:b", "user": "a"}, "either token or user"),
        ({"uri": "http://m:19530", "client_pem_path": "/c.pem"}, "mutual TLS"),
        ({"uri": "http://m:19530", "tokne": "a:b"}, "tokne"),
        ({"uri": "http://m:19530", "metric_type": "HAMMING"}, "metric_type"),
    ],
)
def test_bad_config_is_refused_naming_the_problem(fields, message):
    with pytest.raises(ValidationError, match=message):
        MilvusServerConfig(kvstore=KV, **fields)
