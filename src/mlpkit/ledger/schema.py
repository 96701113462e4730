"""The ledger's tables, written once for both backends; the dialect only names the blob type.

Three tables, their names prefixed so that a shared PostgreSQL database can hold them beside
others:

- ``mlpkit_meta`` (key, value): ``kind`` = "mlpkit ledger" and ``schema_version``, so a file
  that is not a ledger, or one written by a newer mlpkit, is recognised on open.
- ``mlpkit_searches``: one row per search: its id, its specification (JSON) and its folds (the
  fold index of every training row, fixed once per search, as ``np.save`` bytes) with their id.
- ``mlpkit_runs``: one row per run: a trial of a search (``search_id``, ``number``) or a plain
  fit (``search_id`` NULL). :data:`RUN_COLUMNS` lists every column with its kind.

Times are seconds since 1970 by the database's clock (one clock for every worker of a search,
whichever machine it runs on). Column kinds: ``text``, ``int`` (64-bit), ``float``, ``json``
(text holding JSON) and ``array`` (``np.save`` bytes, never pickle).
"""

from __future__ import annotations

import difflib

from ..exceptions import ConfigError

SCHEMA_VERSION = 1
LEDGER_KIND = "mlpkit ledger"
META, SEARCHES, RUNS = "mlpkit_meta", "mlpkit_searches", "mlpkit_runs"

WAITING, RUNNING = "waiting", "running"
FINISHED = ("complete", "pruned", "failed", "duplicate")
STATUSES = (WAITING, RUNNING, *FINISHED)

SEARCH_COLUMNS = {
    "search_id": "text",
    "spec": "json",
    "folds": "array",
    "folds_id": "text",
    "created": "float",
}

RUN_COLUMNS = {
    "run_id": "text",  # "<search_id>/<number>" for a trial, "fit-<uuid>" for a plain fit
    "search_id": "text",  # NULL for a plain fit
    "number": "int",  # the trial's number within its search
    "status": "text",  # one of STATUSES
    "config": "json",  # the configuration (flat dict of the active parameters)
    "config_hash": "text",
    "seed": "int",
    "fingerprint": "text",  # sha256 of the data (provenance.fingerprint)
    "environment": "json",  # versions: mlpkit, numpy, python, BLAS (provenance.environment)
    "folds_id": "text",  # the search's folds
    "history": "json",  # per-epoch values, {"loss": [...], ...}
    "stop_reason": "text",
    "fold_scores": "json",  # one score per fold
    "score": "float",
    "values": "json",  # the objectives of a multi-objective search
    "oof": "array",  # out-of-fold predictions
    "duration": "float",  # seconds
    "worker": "text",
    "created": "float",
    "started": "float",
    "heartbeat": "float",
    "finished": "float",
    "lost_count": "int",  # times its worker was lost (reap) and the trial put back
    "error": "text",
    "duplicate_of": "int",  # the number of the trial whose result a duplicate reuses
}

TYPES = {"text": "TEXT", "int": "BIGINT", "float": "DOUBLE PRECISION", "json": "TEXT"}


def quoted(name: str) -> str:
    """A column name as an SQL identifier (``values`` is a reserved word in both backends)."""
    return f'"{name}"'


def column_list(columns) -> str:
    return ", ".join(quoted(name) for name in columns)


CONSTRAINTS = {
    ("run_id", RUNS): " PRIMARY KEY",
    ("status", RUNS): " NOT NULL",
    ("lost_count", RUNS): " NOT NULL DEFAULT 0",
    ("search_id", SEARCHES): " PRIMARY KEY",
}


def create_statements(blob_type: str) -> list[str]:
    """The CREATE statements of the three tables and the claim index."""
    types = {**TYPES, "array": blob_type}

    def definitions(table, columns):
        return ", ".join(
            f"{quoted(name)} {types[kind]}{CONSTRAINTS.get((name, table), '')}"
            for name, kind in columns.items()
        )

    return [
        f"CREATE TABLE {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"CREATE TABLE {SEARCHES} ({definitions(SEARCHES, SEARCH_COLUMNS)})",
        f"CREATE TABLE {RUNS} ({definitions(RUNS, RUN_COLUMNS)}, UNIQUE (search_id, number))",
        f"CREATE INDEX {RUNS}_claim ON {RUNS} (search_id, status, number)",
    ]


def check_meta(meta: dict[str, str], where: str) -> None:
    """Refuse a database whose meta table is not a ledger's, or is a newer schema's."""
    if meta.get("kind") != LEDGER_KIND:
        raise ConfigError(
            f"{where} has a table {META} that is not an mlpkit ledger's (kind="
            f"{meta.get('kind')!r}). Use another file or database for the ledger."
        )
    version = int(meta.get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        raise ConfigError(
            f"The ledger {where} has schema version {version}, written by a newer mlpkit; this "
            f"mlpkit reads version {SCHEMA_VERSION}. Upgrade mlpkit to read it."
        )
    if version < 1:
        raise ConfigError(f"The ledger {where} has no valid schema_version in {META}.")


def run_column(column: str, purpose: str) -> str:
    """The kind of a runs column that can be filtered and ordered by (not JSON or arrays)."""
    kind = RUN_COLUMNS.get(column)
    if kind is None:
        close = difflib.get_close_matches(column, RUN_COLUMNS, n=3)
        hint = f" Did you mean {close}?" if close else ""
        raise ConfigError(
            f"Cannot {purpose} {column!r}: the ledger has no such column.{hint} Columns: "
            f"{list(RUN_COLUMNS)}; parameters as 'param.<name>'."
        )
    if kind in ("json", "array"):
        raise ConfigError(
            f"Cannot {purpose} {column!r}: it holds {kind} values. Filter by a parameter with "
            f"'param.<name>', or by the scalar columns."
        )
    return kind
