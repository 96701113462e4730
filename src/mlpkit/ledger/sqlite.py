"""The SQLite backend: one file shared by many processes, or an in-memory database.

A file is opened in WAL mode (readers never block the writer and one writer does not block
readers) with ``synchronous=NORMAL`` (a committed transaction survives a crash of the process;
only a power cut may lose the last ones) and a busy timeout, so that a writer waits for another
instead of failing. Every write is a short ``BEGIN IMMEDIATE`` transaction: it takes the write
lock at its start, so two processes never both read a waiting trial and then both claim it.
WAL needs a local file system (not NFS); on one that refuses it SQLite keeps its default journal,
which is as safe and slower.

The dialect attributes read by the Ledger (``ledger.store``, ``ledger.database``): ``name``,
``url``, ``blob_type``, ``now`` (the current time as an SQL expression), ``lock_rows`` (the
claim query's row-locking clause: none here, the transaction holds the database's write lock),
``shareable``; and the methods ``connect``, ``sql``, ``transaction``, ``lock_schema``,
``tables``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time

from ..exceptions import ConfigError

BUSY_TIMEOUT = 60.0  # seconds a writer waits for the lock before failing


def _while_locked(statement, waited: float = 0.0):
    """Run ``statement``, retrying while another process holds the lock. Switching a new file
    to WAL needs it exclusively, and SQLite answers "database is locked" at once there instead
    of waiting out the busy timeout when several processes open the same new file."""
    while True:
        try:
            return statement()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or waited > BUSY_TIMEOUT:
                raise
        time.sleep(0.01)
        waited += 0.01


class SQLite:
    """SQLite at ``path`` (None: in memory, for this process only)."""

    name = "sqlite"
    blob_type = "BLOB"
    now = "((julianday('now') - 2440587.5) * 86400.0)"
    lock_rows = ""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.url = "sqlite:///:memory:" if path is None else f"sqlite:///{os.path.abspath(path)}"
        self.shareable = path is not None

    def __repr__(self) -> str:
        return f"SQLite({self.path!r})"

    def connect(self) -> sqlite3.Connection:
        """A connection in autocommit mode (transactions are explicit), WAL, busy timeout."""
        if self.path is not None:
            self.check_path()
        connection = sqlite3.connect(
            self.path or ":memory:",
            timeout=BUSY_TIMEOUT,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            if self.path is not None:
                _while_locked(lambda: connection.execute("PRAGMA journal_mode = WAL"))
                connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as error:
            connection.close()
            raise ConfigError(
                f"The ledger file {self.path} is not an SQLite database ({error}). Give the "
                f"path of a ledger, or of a file that does not exist yet to start one."
            ) from None
        return connection

    def exists(self) -> bool:
        """Whether the ledger is there to read: in memory always, a file when it is one."""
        return self.path is None or os.path.isfile(self.path)

    def check_path(self) -> None:
        if os.path.isdir(self.path):
            raise ConfigError(
                f"The ledger path {self.path} is a directory; give a file in it, e.g. "
                f"{os.path.join(self.path, 'runs.sqlite')}."
            )
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise ConfigError(
                f"The ledger file {self.path} cannot be created: the directory {folder} does "
                f"not exist. Create it first (os.makedirs)."
            )

    def sql(self, statement: str) -> str:
        """Statements are written with ``?`` placeholders, SQLite's own."""
        return statement

    @contextlib.contextmanager
    def transaction(self, connection: sqlite3.Connection):
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on any exception)."""
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def lock_schema(self, connection) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already serialises the creation of the tables."""

    def tables(self, connection) -> set[str]:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}
