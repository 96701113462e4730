"""Ledger fixtures: a ledger URL per backend, and a real PostgreSQL server for the tests.

PostgreSQL comes from, in this order:
1. ``MLPKIT_TEST_POSTGRES_URL`` (``.ci/run`` starts a server and sets it); a server that cannot
   be reached then fails the tests rather than skipping them;
2. a throwaway server this fixture starts with the Debian package's binaries
   (``/usr/lib/postgresql/<version>/bin``): ``initdb`` in a temporary directory (as the user
   ``postgres`` when running as root, since initdb refuses root), ``pg_ctl start`` on 127.0.0.1
   and a free port, stopped and removed at the end of the session;
3. otherwise the PostgreSQL tests are skipped, saying so.
Each test gets a database of its own on that server when the user may create databases.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid

import pytest

POSTGRES_ENV = "MLPKIT_TEST_POSTGRES_URL"


def postgres_bin() -> str | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb, or None."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    found.sort(key=lambda path: int(path.split("/")[4]) if path.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayServer:
    """A PostgreSQL cluster in a temporary directory, on 127.0.0.1 and a free port."""

    def __init__(self, bin_dir: str) -> None:
        self.bin_dir = bin_dir
        self.dir = tempfile.mkdtemp(prefix="mlpkit-postgres-")
        self.as_postgres = []
        if os.geteuid() == 0:  # initdb refuses root: run the server as the user postgres
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.data = os.path.join(self.dir, "data")

    def run(self, program: str, *args: str) -> None:
        command = [*self.as_postgres, os.path.join(self.bin_dir, program), *args]
        subprocess.run(
            command,
            cwd=self.dir,
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def start(self) -> str:
        self.run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        log = os.path.join(self.dir, "server.log")
        self.run("pg_ctl", "-D", self.data, "-l", log, "-o", options, "-w", "start")
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "mlpkit")
        return f"postgresql://postgres@127.0.0.1:{self.port}/mlpkit"

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a PostgreSQL server's database (see the module docstring)."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        yield url
        return
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip(
            f"No PostgreSQL server: set {POSTGRES_ENV}=postgresql://user@host:port/database, "
            f"or install the Debian package postgresql (initdb under /usr/lib/postgresql)."
        )
    server = ThrowawayServer(bin_dir)
    try:
        url = server.start()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, KeyError) as error:
        server.stop()
        details = getattr(error, "stderr", b"") or b""
        pytest.skip(
            f"Could not start a throwaway PostgreSQL from {bin_dir} ({error}; "
            f"{details.decode(errors='replace').strip()[:300]}); set {POSTGRES_ENV} instead."
        )
    yield url
    server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh database on the server for this test (the server's own if not allowed)."""
    psycopg = pytest.importorskip("psycopg", reason="psycopg 3 talks to PostgreSQL")
    name = f"mlpkit_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(postgres_server, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.errors.InsufficientPrivilege:
        yield postgres_server
        return
    yield postgres_server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request, tmp_path):
    """A new ledger's URL: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    return request.getfixturevalue("postgres_url")
