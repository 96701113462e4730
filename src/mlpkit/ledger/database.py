"""A process-safe connection to a ledger database, with its tables ensured on first open.

One connection per process: calls from several threads are serialised by a lock, and a
:class:`Database` used in a forked child opens a connection of its own there (the parent's is
kept referenced and never closed by the child: closing a PostgreSQL connection sends the server
a goodbye on the socket both processes share). An in-memory database cannot be shared.
"""

from __future__ import annotations

import contextlib
import os
import threading

from .._version import __version__
from ..exceptions import ConfigError
from . import schema


class Database:
    """The connection to ``backend`` (a dialect object of ``ledger.sqlite`` or
    ``ledger.postgres``); statements are written with ``?`` placeholders."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self.lock = threading.RLock()
        self.inherited = []  # connections of a parent process, never closed by this one
        self.connection, self.pid = None, None
        self.connect()

    def connect(self) -> None:
        connection = self.backend.connect()
        try:
            ensure_schema(self.backend, connection)
        except BaseException:
            connection.close()
            raise
        self.connection, self.pid = connection, os.getpid()

    def live(self):
        """The connection of this process (reconnecting in a forked child)."""
        if self.connection is None:
            raise ConfigError(
                f"The ledger {self.backend.url} is closed; open it again (open_ledger)."
            )
        if self.pid != os.getpid():
            if not self.backend.shareable:
                raise ConfigError(
                    "An in-memory ledger cannot be used by another process; give the search a "
                    "file path or a database URL as its ledger."
                )
            self.inherited.append(self.connection)
            self.connect()
        return self.connection

    def read(self, sql: str, params=()) -> list[tuple]:
        """The rows of one query (outside any transaction: readers never wait for writers)."""
        with self.lock:
            return self.live().execute(self.backend.sql(sql), params).fetchall()

    @contextlib.contextmanager
    def write(self):
        """A short write transaction; yields a :class:`Writer` to run statements in it."""
        with self.lock:
            connection = self.live()
            with self.backend.transaction(connection):
                yield Writer(connection, self.backend)

    def close(self) -> None:
        with self.lock:
            if self.connection is not None and self.pid == os.getpid():
                self.connection.close()
            self.connection = None


class Writer:
    """Runs statements inside one write transaction."""

    def __init__(self, connection, backend) -> None:
        self.connection, self.backend = connection, backend

    def execute(self, sql: str, params=()):
        return self.connection.execute(self.backend.sql(sql), params)

    def executemany(self, sql: str, rows) -> int:
        """Run ``sql`` once per row; returns the number of rows changed."""
        cursor = self.connection.cursor()
        cursor.executemany(self.backend.sql(sql), rows)
        return max(cursor.rowcount, 0)


def ensure_schema(backend, connection) -> None:
    """Check the meta table of an existing ledger (a read: opening one takes no lock); create
    the tables in an empty database (in a write transaction, checking again inside it, so
    that processes opening a new ledger at once create it once)."""
    if check_existing(backend, connection):
        return
    with backend.transaction(connection):
        backend.lock_schema(connection)
        if check_existing(backend, connection):
            return
        tables = backend.tables(connection)
        if tables and backend.name == "sqlite":
            raise ConfigError(
                f"The file {backend.path} is an SQLite database but not an mlpkit ledger (it "
                f"has the tables {sorted(tables)[:5]} and no {schema.META}). Give the ledger a "
                f"file of its own."
            )
        for statement in schema.create_statements(backend.blob_type):
            connection.execute(statement)
        meta = {
            "kind": schema.LEDGER_KIND,
            "schema_version": str(schema.SCHEMA_VERSION),
            "created_by": f"mlpkit {__version__}",
        }
        sql = backend.sql(f"INSERT INTO {schema.META} (key, value) VALUES (?, ?)")
        connection.cursor().executemany(sql, list(meta.items()))


def check_existing(backend, connection) -> bool:
    """True if the database holds a ledger this mlpkit reads (ConfigError if a newer one)."""
    if schema.META not in backend.tables(connection):
        return False
    sql = backend.sql(f"SELECT key, value FROM {schema.META}")
    schema.check_meta(dict(connection.execute(sql).fetchall()), backend.url)
    return True
