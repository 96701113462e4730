"""Which backend a ledger location names: a path, ``sqlite:///path``, ``postgresql://…``."""

from __future__ import annotations

import os

from ..exceptions import ConfigError
from .postgres import PostgreSQL
from .sqlite import SQLite

FORMS = (
    "None (in memory), a file path such as 'runs.sqlite', 'sqlite:///relative/path.sqlite', "
    "'sqlite:////absolute/path.sqlite', or 'postgresql://user:password@host:port/database'"
)


def backend_for(url) -> SQLite | PostgreSQL:
    """The dialect object for ``url`` (see :func:`mlpkit.ledger.open_ledger`)."""
    if url is None:
        return SQLite(None)
    if isinstance(url, os.PathLike):
        return SQLite(os.fspath(url))
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"A ledger location must be one of: {FORMS}; received {url!r}.")
    scheme, separator, rest = url.partition("://")
    if not separator:
        return SQLite(url)
    scheme = scheme.lower()
    if scheme == "sqlite":
        path = rest[1:] if rest.startswith("/") else rest
        if rest and not rest.startswith("/"):
            raise ConfigError(
                f"The SQLite URL {url!r} names a host; write sqlite:///relative/path or "
                f"sqlite:////absolute/path (three or four slashes)."
            )
        return SQLite(None if path in ("", ":memory:") else path)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return PostgreSQL("postgresql://" + rest)
    raise ConfigError(
        f"The ledger URL {url!r} has the scheme {scheme!r}, which mlpkit cannot store runs in. "
        f"Use one of: {FORMS}."
    )
