"""The container image as a user runs it (scripts/image.sh check): built from this checkout with
docker or podman, run with a volume on a free port, the tutorial's client against it (register,
insert by URL from a local server, an agent turn on the bundled LLM), a restart that keeps the
vector DB and its chunks, the process as the non-root user, nothing written outside /data; and
RUN_CONFIG=run-configs/milvus-server.yaml against a Milvus server on the host.

Host networking (PORT moves the server): podman's bridge needs iptables, which this sandbox lacks.
The image is built once per run (scripts/image.sh build; the engine's layer cache makes a rebuild
of an unchanged checkout take seconds)."""

import functools
import json
import os
import re
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from milvus_servers import ROOT_TOKEN
from servers import REPO, free_port
from tutorial import QUESTION, TUTORIAL_PAGES, all_chunks

IMAGE = os.environ.get("IMAGE", "localhost/llama-stack-milvus:latest")
IMAGE_SH = REPO / "scripts" / "image.sh"
GQA = re.compile(r"grouped[- ]query attention|\bGQA\b", re.IGNORECASE)
NON_ROOT_UID = "10001"  # the Dockerfile's user llama
# A first build downloads and compiles what the quickstart does (docs/image.md has the times).
pytestmark = pytest.mark.timeout(3600)


@functools.cache
def engine() -> tuple[str, dict[str, str]]:
    """The engine image.sh uses, and its environment (podman: its settings file, runc and the
    machine's rlimits)."""
    found = subprocess.run(["bash", str(IMAGE_SH), "engine-env"], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    name, conf = (found.stdout.strip().splitlines() + [""])[:2]
    return name, {**os.environ, "CONTAINERS_CONF": conf} if conf else dict(os.environ)


def container_cli(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    name, env = engine()
    done = subprocess.run([name, *args], capture_output=True, text=True, timeout=timeout, env=env)
    if check:
        assert done.returncode == 0, f"{' '.join(args)}: {done.stderr[-2000:]}"
    return done


class Container:
    def __init__(self, volume: str, env: dict[str, str] | None = None) -> None:
        self.name = f"lsm-test-{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.volume = volume
        self.env = {"PORT": str(self.port), **(env or {})}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Container":
        env = [arg for key, value in self.env.items() for arg in ("-e", f"{key}={value}")]
        container_cli("run", "-d", "--name", self.name, "--network", "host", "-v", f"{self.volume}:/data", *env, IMAGE)
        return self.wait_healthy()

    def wait_healthy(self, timeout: float = 300) -> "Container":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            state = container_cli("inspect", "--format", "{{.State.Status}}", self.name).stdout.strip()
            assert state == "running", f"the container stopped ({state}):\n{self.logs()[-4000:]}"
            time.sleep(1)
        raise AssertionError(f"not healthy within {timeout} s:\n{self.logs()[-4000:]}")

    def logs(self) -> str:
        done = container_cli("logs", self.name, check=False)
        return done.stdout + done.stderr

    def client(self):
        from llama_stack_client import LlamaStackClient

        return LlamaStackClient(base_url=self.base_url)

    def remove(self) -> None:
        container_cli("rm", "-f", "-v", "-t", "10", self.name, check=False)


@pytest.fixture(scope="module")
def built():
    started = time.monotonic()
    done = subprocess.run(["bash", str(IMAGE_SH), "build"], capture_output=True, text=True, timeout=3600,
                          env={**os.environ, "IMAGE": IMAGE})  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    print(f"image built (or found in the layer cache) in {time.monotonic() - started:.0f} s")
    return IMAGE


@pytest.fixture(scope="module")
def volume(built):
    name = f"lsm-test-{uuid.uuid4().hex[:8]}"
    container_cli("volume", "create", name)
    yield name
    container_cli("volume", "rm", "-f", name, check=False)


@pytest.fixture(scope="module")
def embedded(volume):
    container = Container(volume)
    started = time.monotonic()
    container.start()
    print(f"embedded default healthy {time.monotonic() - started:.1f} s after `run`")
    yield container
    container.remove()


def test_the_image_healthcheck_says_healthy(embedded):
    inspected = json.loads(container_cli("image", "inspect", IMAGE).stdout)[0]
    # docker: Config.Healthcheck; podman: Healthcheck at the top level
    health = (inspected.get("Config") or {}).get("Healthcheck") or inspected.get("Healthcheck")
    assert health and "/v1/health" in " ".join(health["Test"])
    kind, *command = health["Test"]
    command = command if kind == "CMD" else ["sh", "-c", command[0]]
    assert container_cli("exec", embedded.name, *command, check=False).returncode == 0
    closed_port = str(free_port())  # the same check where nothing answers: it fails
    assert container_cli("exec", "-e", f"PORT={closed_port}", embedded.name, *command, check=False).returncode != 0


@pytest.mark.alone
def test_the_tutorial_runs_against_the_container_and_survives_a_restart(embedded, docs_server):
    completed = subprocess.run(
        [sys.executable, str(REPO / "examples" / "tutorial_as_written.py")], capture_output=True, text=True,
        timeout=900, cwd=REPO,
        env={**os.environ, "INFERENCE_MODEL": "", "LLAMA_STACK_URL": embedded.base_url,
             "DOCS_BASE_URL": docs_server.base_url},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:] + embedded.logs()[-3000:]
    assert GQA.search(completed.stdout.split("Response: ", 1)[1]), completed.stdout
    client = embedded.client()
    (vector_db_id,) = [db.identifier for db in client.vector_dbs.list()]  # the tutorial names it test-vector-db-<uuid>
    before = sorted(c.chunk_id for c in all_chunks(client, vector_db_id))
    assert len(before) >= len(TUTORIAL_PAGES)
    container_cli("restart", "-t", "20", embedded.name, timeout=180)
    embedded.wait_healthy()
    client = embedded.client()
    assert [db.identifier for db in client.vector_dbs.list()] == [vector_db_id]
    assert sorted(c.chunk_id for c in all_chunks(client, vector_db_id)) == before
    hits = client.vector_io.query(vector_db_id=vector_db_id, query=QUESTION, params={"max_chunks": 3}).chunks
    assert any("grouped-query attention" in str(c.content) for c in hits)


def test_the_server_runs_as_the_non_root_user_and_writes_only_under_data(embedded):
    uids = container_cli("exec", embedded.name, "sh", "-c", "grep '^Uid:' /proc/1/status").stdout.split()
    assert uids[1:] == [NON_ROOT_UID] * 4, uids
    changed = [line for line in container_cli("diff", embedded.name).stdout.splitlines() if line.strip()]
    # The volume on /data is not part of the container's layer; "C /etc" is the engine's own
    # (it mounts hosts, hostname and resolv.conf there).
    assert [line for line in changed if line != "C /etc"] == [], changed
    listed = container_cli("exec", embedded.name, "ls", "/data").stdout.split()
    assert "milvus.db" in listed


def test_the_server_config_against_a_milvus_server_on_the_host(built, own_milvus, tmp_path):
    name = f"lsm-test-{uuid.uuid4().hex[:8]}"
    container_cli("volume", "create", name)
    container = Container(name, {"RUN_CONFIG": "run-configs/milvus-server.yaml", "MILVUS_URI": own_milvus.uri,
                                 "MILVUS_TOKEN": ROOT_TOKEN})  # fmt: skip
    try:
        container.start()
        client = container.client()
        client.vector_dbs.register(vector_db_id="on-the-server", embedding_model="all-MiniLM-L6-v2",
                                   embedding_dimension=384)  # fmt: skip
        client.vector_io.insert(vector_db_id="on-the-server", chunks=[
            {"content": "Milvus standalone serves collections over gRPC on port 19530.",
             "metadata": {"document_id": "milvus-ports"}},
        ])  # fmt: skip
        hits = client.vector_io.query(vector_db_id="on-the-server", query="which port does Milvus serve on").chunks
        assert "19530" in str(hits[0].content)
        from pymilvus import MilvusClient

        from llama_stack_milvus.core.milvus.records import collection_name

        on_server = MilvusClient(uri=own_milvus.uri, token=ROOT_TOKEN)
        counted = on_server.query(collection_name("on-the-server"), filter="", output_fields=["count(*)"],
                                  consistency_level="Strong")  # fmt: skip
        assert counted[0]["count(*)"] == 1
    finally:
        container.remove()
        container_cli("volume", "rm", "-f", name, check=False)
