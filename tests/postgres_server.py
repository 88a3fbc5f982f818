"""A throwaway PostgreSQL (Debian's postgresql package) on a free loopback port, for the replica tests.

PostgreSQL refuses to run as root: when the tests run as root, initdb and postgres run as the
`postgres` user (setpriv execs, so signals reach postgres itself) in a folder that user owns.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from servers import free_port, spawn, stop_process, wait_until_ready

USER = "llamastack"
DATABASE = "llamastack"


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL is not installed: scripts/test.sh installs Debian's postgresql package")
    return Path(initdb).resolve().parent


class PostgresServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="llsm-postgres-"))
        self.port = free_port()
        self.password = "replica-" + os.urandom(6).hex()
        self.process: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        """The POSTGRES_* variables run-configs/milvus-server-postgres.yaml reads."""
        return {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(self.port), "POSTGRES_DB": DATABASE,
                "POSTGRES_USER": USER, "POSTGRES_PASSWORD": self.password}  # fmt: skip

    def _as_postgres(self, command: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return command
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", *command]

    def start(self, timeout: float = 60) -> "PostgresServer":
        bin_dir = _bin_dir()
        (self.root / "password").write_text(self.password)
        (self.root / "socket").mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            for path in self.root.iterdir():
                shutil.chown(path, "postgres", "postgres")
        subprocess.run(
            self._as_postgres(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.root / "data"),
                    "-U",
                    USER,
                    "-E",
                    "UTF8",
                    "--auth=scram-sha-256",
                    f"--pwfile={self.root / 'password'}",
                ]
            ),  # fmt: skip
            check=True,
            capture_output=True,
        )
        command = [str(bin_dir / "postgres"), "-D", str(self.root / "data"), "-p", str(self.port),
                   "-k", str(self.root / "socket"), "-c", "listen_addresses=127.0.0.1"]  # fmt: skip
        self.process = spawn(self._as_postgres(command), self.root / "postgres.log", dict(os.environ), cwd=self.root)
        wait_until_ready(self.process, self._create_database, timeout, "PostgreSQL", 0.3)
        return self

    def _create_database(self) -> bool:
        import psycopg2

        try:
            connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=USER, password=self.password,
                                          dbname="postgres")  # fmt: skip
        except psycopg2.OperationalError:
            return False
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE {DATABASE}")
        connection.close()
        return True

    def stop(self) -> None:
        stop_process(self.process, term_grace=15)
        shutil.rmtree(self.root, ignore_errors=True)
