"""A real PostgreSQL server for the team-mode tests and benchmarks: Debian's ``postgresql``
binaries (``make postgres-deps``), a private cluster in a temp folder, listening on a free
port of 127.0.0.1 only, its socket in the same folder. No mocks.

PostgreSQL refuses to run as root, so under root (CI containers) the cluster belongs to the
``postgres`` user the Debian package creates and is started through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def postgres_bin() -> Path | None:
    """The folder of ``initdb``/``postgres`` (the newest Debian version), None if absent."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One cluster; ``database()`` makes a fresh empty database and returns its DSN."""

    def __init__(self, folder: Path | None = None, *, durable: bool = False) -> None:
        bindir = postgres_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: run `make postgres-deps`")
        self.bindir = bindir
        self.folder = Path(folder or tempfile.mkdtemp(prefix="briefing-pg-")).resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.data = self.folder / "cluster"
        self.log = self.folder / "postgres.log"
        self.port = free_port()
        self.durable = durable  # benchmarks: fsync on, as a real server runs
        self.proc: subprocess.Popen[bytes] | None = None
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, "postgres")
            for parent in self.folder.parents:  # pytest's temp folders are private (0700)
                if parent == Path("/") or os.stat(parent).st_mode & 0o001:
                    break
                os.chmod(parent, os.stat(parent).st_mode | 0o711)

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://briefing@127.0.0.1:{self.port}/postgres"

    def dsn(self, database: str) -> str:
        return f"postgresql://briefing@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 60) -> PostgresServer:
        if not (self.data / "PG_VERSION").exists():
            subprocess.run(
                [*self._as, str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust",
                 "-U", "briefing", "-E", "UTF8", "--no-sync", "--locale=C"],
                check=True, capture_output=True,
            )  # fmt: skip
        settings = [
            "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={self.folder}",
            "-c", "max_connections=200",
            "-c", "shared_buffers=256MB",
        ]  # fmt: skip
        if not self.durable:
            settings += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [*self._as, str(self.bindir / "postgres"), "-D", str(self.data),
                 "-p", str(self.port), *settings],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited {self.proc.returncode}: {self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"postgres not ready after {timeout}s: {self.tail()}")
            time.sleep(0.1)
        return self

    def ready(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.admin_dsn, connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def database(self, name: str | None = None) -> str:
        """A new empty database; its DSN."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_dsn, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGINT)  # "fast" shutdown
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
