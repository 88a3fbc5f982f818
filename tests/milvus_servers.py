"""Real Milvus servers for the backend suite, on free loopback ports, started and stopped by fixtures.

- MilvusStandalone: Milvus 2.3.5 standalone from the PyPI `milvus` package (a Python 3.11 venv
  made by scripts/test.sh), with authorization on. Its bundled binary is run directly with our own
  config: the package's wrapper silently moves to another port when one is busy.
- LiteTcpServer: the milvus-lite 2.5.1 binary serving one .db file over TCP.
"""

import lzma
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import grpc
import httpx
from pymilvus import MilvusClient
from pymilvus.exceptions import MilvusException
from servers import REPO, free_port, spawn, stop_process, wait_until_ready

MILVUS_VENV = Path(os.environ.get("MILVUS_SERVER_VENV", REPO / ".venv-milvus"))
ROOT_TOKEN = "root:Milvus"

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)(?:\((\w+)\))?(?::\s*([^}]*?))?\s*\}\}")
_PORT_KEYS = (
    "etcd_port",
    "root_coord_port",
    "proxy_port",
    "proxy_internal_port",
    "query_coord_port",
    "query_node_port",
    "index_coord_port",
    "index_node_port",
    "data_coord_port",
    "data_node_port",
)


def add_admin_user(uri: str, user: str, password: str, timeout_s: float = 60) -> None:
    """Create `user` with the admin role and wait until the server honours it.

    Milvus proxies refresh their privilege cache asynchronously: a request right after
    grant_role can still be refused with PERMISSION_DENIED (seen in CI). pymilvus raises that
    refusal as a bare grpc.RpcError, not a MilvusException: it never retries PERMISSION_DENIED."""
    admin = MilvusClient(uri=uri, token=ROOT_TOKEN)
    if user not in admin.list_users():
        admin.create_user(user_name=user, password=password)
    admin.grant_role(user_name=user, role_name="admin")
    probe = f"grant_probe_{user}"
    as_user = MilvusClient(uri=uri, token=f"{user}:{password}")
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                as_user.create_collection(probe, dimension=2)
                as_user.drop_collection(probe)
                return
            except (MilvusException, grpc.RpcError) as error:
                if "permission" not in str(error).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        as_user.close()
        admin.close()


def _unpacked_binaries(package: Path) -> Path:
    """The package's lzma-packed binaries, unpacked once (about 6 s of CPU each time otherwise).
    Workers racing here each unpack to a folder of their own; the first rename wins."""
    target = MILVUS_VENV / "milvus-bin"
    if (target / "milvus").exists():
        return target
    scratch = Path(tempfile.mkdtemp(dir=MILVUS_VENV, prefix="milvus-bin-"))
    for packed in (package / "data" / "bin").glob("*.lzma"):
        unpacked = scratch / packed.name[: -len(".lzma")]
        with lzma.open(packed) as source:
            unpacked.write_bytes(source.read())
        unpacked.chmod(0o755)
    try:
        scratch.rename(target)
    except OSError:  # unpacked by another worker meanwhile
        shutil.rmtree(scratch)
    return target


def _milvus_package_dir() -> Path:
    found = sorted(MILVUS_VENV.glob("lib/python3*/site-packages/milvus"))
    if not found:
        raise RuntimeError(
            f"the Milvus server package is not installed in {MILVUS_VENV}: run ./scripts/test.sh, which makes it"
        )
    return found[0]


class MilvusStandalone:
    def __init__(self, root: Path, tls: tuple[Path, Path] | None = None, client_ca: Path | None = None) -> None:
        """tls: (server certificate, server key) for TLS; plain gRPC when None.
        client_ca: with tls, mutual TLS: clients must show a certificate signed by this CA."""
        self.root = root
        self.tls = tls
        self.client_ca = client_ca
        self.ports = {key: free_port() for key in _PORT_KEYS}
        self.metrics_port = free_port()
        self.etcd_peer_port = free_port()
        self.process: subprocess.Popen | None = None
        self.version = "2.3.5"

    @property
    def uri(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.ports['proxy_port']}"

    def _prepare(self) -> Path:
        package = _milvus_package_dir()
        bin_dir = self.root / "bin"
        if not (bin_dir / "milvus").exists():
            # Milvus finds its configs next to its executable (../configs): each server gets its own
            # bin/, linked to binaries unpacked once per venv.
            bin_dir.mkdir(parents=True, exist_ok=True)
            for unpacked in _unpacked_binaries(package).iterdir():
                try:
                    os.link(unpacked, bin_dir / unpacked.name)
                except OSError:  # another file system
                    shutil.copy2(unpacked, bin_dir / unpacked.name)
        values = {
            **{k: str(v) for k, v in self.ports.items()},
            "etcd_data_dir": str(self.root / "data" / "etcd.data"),
            "local_storage_dir": str(self.root / "data"),
            "rocksmq_data_dir": str(self.root / "data" / "rocksmq"),
            "system_log_path": str(self.root / "logs"),
            "etcd_log_path": str(self.root / "logs" / "etcd.log"),
            "etcd_log_level": "warn",
            "authorization_enabled": "true",
        }
        if self.tls:
            values.update(tls_mode="1", server_pem_path=str(self.tls[0]), server_key_path=str(self.tls[1]))
            if self.client_ca:
                values.update(tls_mode="2", ca_pem_path=str(self.client_ca))

        def render(match: re.Match) -> str:
            return values.get(match.group(1), (match.group(3) or "").strip())

        template = (package / "data" / "config.yaml.template").read_text()
        config = self.root / "configs" / "milvus.yaml"
        config.parent.mkdir(parents=True, exist_ok=True)
        # The embedded etcd's peer port is 2380 unless its own config file says otherwise: two
        # servers at once would collide there.
        client_url = f"http://127.0.0.1:{self.ports['etcd_port']}"
        peer_url = f"http://127.0.0.1:{self.etcd_peer_port}"
        etcd_config = self.root / "configs" / "etcd.yaml"
        etcd_config.write_text(
            f"name: default\ndata-dir: {values['etcd_data_dir']}\n"
            f"listen-client-urls: {client_url}\nadvertise-client-urls: {client_url}\n"
            f"listen-peer-urls: {peer_url}\ninitial-advertise-peer-urls: {peer_url}\n"
            f"initial-cluster: default={peer_url}\n"
        )
        template = template.replace(
            "    embed: true # Whether to enable embedded Etcd (an in-process EtcdServer).\n",
            f"    embed: true\n  config:\n    path: {etcd_config}\n",
        )
        config.write_text(_PLACEHOLDER.sub(render, template))
        # Milvus' C++ core reads configs/glog.conf and dies without it.
        (config.parent / "glog.conf").write_text((package / "data" / "glog.conf").read_text())
        (self.root / "logs").mkdir(exist_ok=True)
        return bin_dir / "milvus"

    def start(self, timeout: float = 240) -> "MilvusStandalone":
        executable = self._prepare()
        env = {
            **os.environ,
            "DEPLOY_MODE": "STANDALONE",
            "METRICS_PORT": str(self.metrics_port),
            "MILVUS_RUN_DIR": str(self.root / "run"),
            "LD_LIBRARY_PATH": str(executable.parent),
        }
        self.process = spawn([str(executable), "run", "standalone"], self.root / "logs" / "stdout.log", env, self.root)
        healthz = f"http://127.0.0.1:{self.metrics_port}/healthz"
        try:
            wait_until_ready(
                self.process, lambda: httpx.get(healthz, timeout=2).text.strip() == "OK", timeout, "Milvus", 1
            )
        except (RuntimeError, TimeoutError) as exc:
            self.stop()
            raise type(exc)(f"{exc}: see {self.root / 'logs'}") from None
        return self

    def stop(self) -> None:
        # SIGTERM hangs in this build; its data survives SIGKILL.
        stop_process(self.process, term_grace=3)

    def restart(self) -> "MilvusStandalone":
        self.stop()
        return self.start()


class LiteTcpServer:
    def __init__(self, db_file: Path) -> None:
        self.db_file = db_file
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.version = "Milvus Lite 2.5.1 over TCP"

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "LiteTcpServer":
        import milvus_lite

        lib = Path(milvus_lite.__file__).parent / "lib"
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        command = [str(lib / "milvus"), str(self.db_file), f"127.0.0.1:{self.port}", "ERROR"]
        self.process = spawn(command, self.db_file.with_suffix(".log"), {**os.environ, "LD_LIBRARY_PATH": str(lib)})

        def listening() -> bool:
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", self.port)) == 0

        wait_until_ready(self.process, listening, timeout, "milvus-lite over TCP", 0.1)
        return self

    def stop(self) -> None:
        stop_process(self.process, term_grace=5)

    def restart(self) -> "LiteTcpServer":
        self.stop()
        return self.start()
