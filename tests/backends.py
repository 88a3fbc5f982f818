"""The Milvus backends every behaviour test runs against, and how a stack is pointed at each."""

from dataclasses import dataclass, field
from pathlib import Path

from milvus_servers import ROOT_TOKEN, LiteTcpServer, MilvusStandalone
from servers import RUN_CONFIGS

BACKENDS = ["lite-file", "lite-tcp", "milvus-2.3"]


@dataclass
class Backend:
    name: str
    config: Path
    provider_type: str
    keyword_search: bool
    env: dict[str, str] = field(default_factory=dict)
    server: MilvusStandalone | LiteTcpServer | None = None

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def start_backend(name: str, root: Path) -> Backend:
    if name == "lite-file":
        return Backend(name, RUN_CONFIGS / "milvus-lite.yaml", "inline::milvus", keyword_search=True)
    if name == "lite-tcp":
        server = LiteTcpServer(root / "lite-tcp" / "milvus.db").start()
        env = {"MILVUS_URI": server.uri, "MILVUS_TOKEN": ROOT_TOKEN}
        return Backend(name, RUN_CONFIGS / "milvus-server.yaml", "remote::milvus", True, env, server)
    if name == "milvus-2.3":
        server = MilvusStandalone(root / "milvus-2.3").start()
        env = {"MILVUS_URI": server.uri, "MILVUS_TOKEN": ROOT_TOKEN}
        return Backend(name, RUN_CONFIGS / "milvus-server.yaml", "remote::milvus", False, env, server)
    raise ValueError(name)
