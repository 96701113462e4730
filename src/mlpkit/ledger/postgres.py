"""The PostgreSQL backend (psycopg 3): one database shared by workers on many machines.

Differences from SQLite, all here: ``%s`` placeholders, ``BYTEA`` blobs, the server's clock
(``statement_timestamp()``) as the time of every event, the claim query's ``FOR UPDATE SKIP
LOCKED`` (two workers claiming at once lock different rows instead of waiting for each other),
and an advisory lock that serialises the creation of the tables when many workers open a new
ledger at once. The connection is in autocommit mode; multi-statement writes run in explicit
transactions. See :mod:`mlpkit.ledger.sqlite` for the attributes every dialect has.
"""

from __future__ import annotations

import urllib.parse

from ..exceptions import ConfigError

SCHEMA_LOCK = 7_201_107_111  # the advisory lock key held while the tables are created
CONNECT_TIMEOUT = 10  # seconds


def masked(url: str) -> str:
    """The URL with its password replaced by ``***`` (for messages)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class PostgreSQL:
    """PostgreSQL at ``url`` (``postgresql://user:password@host:port/database``)."""

    name = "postgresql"
    blob_type = "BYTEA"
    now = "CAST(EXTRACT(EPOCH FROM statement_timestamp()) AS DOUBLE PRECISION)"
    lock_rows = " FOR UPDATE SKIP LOCKED"
    shareable = True

    def __init__(self, url: str) -> None:
        self.connect_url = url
        self.url = masked(url)

    def __repr__(self) -> str:
        return f"PostgreSQL({self.url!r})"

    def exists(self) -> bool:
        """A server database is there to read once it can be reached (connect says if not)."""
        return True

    def connect(self):
        """An autocommit connection; a server that cannot be reached is a ConfigError."""
        try:
            import psycopg
        except ImportError:
            raise ConfigError(
                f"The ledger {self.url} is a PostgreSQL database, which needs psycopg 3: "
                f"pip install 'psycopg[binary]' (or mlpkit[postgres])."
            ) from None
        try:
            return psycopg.connect(
                self.connect_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT
            )
        except (psycopg.Error, ValueError) as error:
            reason = " ".join(line.strip() for line in str(error).splitlines()) or repr(error)
            raise ConfigError(
                f"Cannot open the PostgreSQL ledger {self.url} ({reason}). Check that the "
                f"server runs and accepts connections, and the URL's host, port, user, "
                f"password and database (create it with: createdb NAME)."
            ) from None

    def sql(self, statement: str) -> str:
        """Statements are written with ``?`` placeholders; psycopg's are ``%s``."""
        return statement.replace("?", "%s")

    def transaction(self, connection):
        return connection.transaction()

    def lock_schema(self, connection) -> None:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))

    def tables(self, connection) -> set[str]:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        return {name for (name,) in rows}
