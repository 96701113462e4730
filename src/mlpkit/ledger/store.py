"""The Ledger: every trial of a search and every recorded fit, in SQLite or PostgreSQL.

One implementation over both backends: the SQL is written once, with ``?`` placeholders, and
the dialect object (:mod:`mlpkit.ledger.sqlite`, :mod:`mlpkit.ledger.postgres`) supplies what
differs. Every write is one short transaction, so many worker processes (or machines, with
PostgreSQL) can share one ledger:

- a search is created once (:meth:`Ledger.create_search`) with its folds;
- its trials are added as ``waiting`` (:meth:`Ledger.add_trials`, idempotent);
- a worker claims the lowest-numbered waiting trial (:meth:`Ledger.claim`: one atomic UPDATE,
  so two workers never get the same trial), beats its heartbeat while it runs, and finishes it
  (:meth:`Ledger.finish`) with its results;
- a trial whose worker died (no heartbeat for ``stale_after`` seconds) is put back to
  ``waiting`` with the same seed and counted lost (:meth:`Ledger.reap`).

Statuses: waiting → running → complete | pruned | failed | duplicate.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import socket
import uuid

import numpy as np

from .._checks import check_positive
from ..exceptions import ConfigError
from . import records, schema
from .database import Database
from .provenance import environment
from .schema import RUN_COLUMNS, RUNS, SEARCH_COLUMNS, SEARCHES, column_list, quoted, run_column
from .urls import backend_for

RESULT_FIELDS = (
    "score",
    "fold_scores",
    "oof",
    "history",
    "stop_reason",
    "error",
    "duration",
    "duplicate_of",
    "values",
    "environment",
    "fingerprint",
)
TRIAL_FIELDS = ("number", "config", "config_hash", "seed", "fingerprint")
FIT_FIELDS = (
    *("status", "config", "config_hash", "seed", "fingerprint", "environment", "history"),
    *("stop_reason", "score", "fold_scores", "values", "oof", "duration", "worker"),
    *("started", "finished", "error"),
)
RUN_SELECT = column_list(RUN_COLUMNS)


def open_ledger(url=None, *, create: bool = True) -> Ledger:
    """Open (and on first use create) the ledger at ``url``.

    Args:
        url: None — an in-memory SQLite database (this process only); a path or
            ``"sqlite:///path"`` — an SQLite file (WAL, safe for many processes on one
            machine); ``"postgresql://user:password@host:port/database"`` — PostgreSQL via
            psycopg 3 (for workers on many machines).
        create: False to open only a ledger that exists (reading never creates one).

    Raises:
        ConfigError: the URL is not one of these forms, the server cannot be reached, or the
            file is not a ledger (naming the URL or file, and what to do).
        FileNotFoundError: ``create=False`` and no SQLite file is at the path.
    """
    backend = backend_for(url)
    if not create and not backend.exists():
        raise FileNotFoundError(
            f"No ledger at {url!r} ({backend.url}): reading a ledger never creates one. Give "
            f"the file a search or a fit wrote (its ledger url)."
        )
    return Ledger(backend)


class Ledger:
    """The experiment record over one backend; open it with :func:`open_ledger`.

    A Ledger holds one database connection. It may be used from several threads (calls are
    serialised); in a forked child process it opens a connection of its own on first use (an
    in-memory ledger cannot be shared). It cannot be pickled: give other processes its URL.

    Attributes:
        url: where it is, for messages and display: ``sqlite:///<absolute path>`` or the
            PostgreSQL URL with its password shown as ``***``.
        backend: the dialect object (``ledger.sqlite.SQLite`` or ``ledger.postgres.PostgreSQL``).
    """

    #: Trial numbers per query of :meth:`trials` (well below any database's bound parameters).
    NUMBERS_PER_QUERY = 500

    def __init__(self, backend) -> None:
        self.backend = backend
        self.url = backend.url
        self.database = Database(backend)

    def close(self) -> None:
        """Close the connection (a later call raises a ConfigError saying so)."""
        self.database.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Ledger({self.url!r})"

    def __copy__(self) -> Ledger:
        return self

    def __deepcopy__(self, memo) -> Ledger:
        """A ledger is a handle on a database: a copy is the same handle (so that estimators
        holding a ledger callback can be cloned)."""
        return self

    def __reduce__(self):
        raise TypeError(
            f"A Ledger holds a database connection and cannot be pickled; pass the URL it "
            f"was opened with ({self.url!r}) to the other process and open it there."
        )

    # -- searches ------------------------------------------------------------------------------
    def create_search(self, search_id: str, spec: dict, folds) -> bool:
        """Record a search: its specification (JSON) and folds (the fold index of every
        training row, an integer array). Returns False, changing nothing, if it existed."""
        check_id(search_id)
        folds = np.asarray(folds)
        if folds.ndim != 1 or folds.dtype.kind not in "iu":
            raise ConfigError(
                f"folds must be a 1-D integer array (the fold of each row); received an array "
                f"of shape {folds.shape} and dtype {folds.dtype}."
            )
        blob = records.encode_array(folds, "folds")
        values = (
            search_id,
            records.to_json(spec, f"the spec of search {search_id!r}"),
            blob,
            hashlib.sha256(blob).hexdigest()[:16],
        )
        names = column_list(SEARCH_COLUMNS)
        sql = (
            f"INSERT INTO {SEARCHES} ({names}) VALUES (?, ?, ?, ?, {self.backend.now}) "
            f"ON CONFLICT (search_id) DO NOTHING"
        )
        with self.database.write() as writer:
            return writer.execute(sql, values).rowcount == 1

    def search_spec(self, search_id: str) -> dict | None:
        """The specification the search was created with, or None if there is no such search."""
        rows = self.database.read(f"SELECT spec FROM {SEARCHES} WHERE search_id = ?", (search_id,))
        return records.from_json(rows[0][0]) if rows else None

    def search_folds(self, search_id: str) -> np.ndarray:
        """The search's folds (the fold index of every training row)."""
        row = self._search_row(search_id, "folds")
        return records.decode_array(row, f"the folds of search {search_id!r} in {self.url}")

    def searches(self) -> list[str]:
        """The ids of the searches recorded, oldest first."""
        rows = self.database.read(f"SELECT search_id FROM {SEARCHES} ORDER BY created, search_id")
        return [search_id for (search_id,) in rows]

    def _search_row(self, search_id: str, column: str):
        rows = self.database.read(
            f"SELECT {quoted(column)} FROM {SEARCHES} WHERE search_id = ?", (search_id,)
        )
        if not rows:
            raise ConfigError(
                f"The ledger {self.url} has no search {search_id!r}; create it first "
                f"(create_search). Searches recorded: {self.searches()[:10]}."
            )
        return rows[0][0]

    # -- trials --------------------------------------------------------------------------------
    def add_trials(self, search_id: str, rows) -> int:
        """Add trials as ``waiting``: each row a dict of ``number``, ``config``, and optionally
        ``config_hash`` (computed if absent), ``seed``, ``fingerprint``. A number already there
        is left as it is (so adding the same batch twice is harmless). Returns how many were
        new."""
        folds_id = self._search_row(search_id, "folds_id")
        names = ("run_id", "search_id", "number", "status", "config", "config_hash", "seed")
        names += ("fingerprint", "folds_id", "lost_count", "created")
        sql = (
            f"INSERT INTO {RUNS} ({column_list(names)}) VALUES "
            f"({', '.join(['?'] * (len(names) - 1))}, {self.backend.now}) "
            f"ON CONFLICT (search_id, number) DO NOTHING"
        )
        params = [self._trial_params(search_id, row, folds_id) for row in rows]
        if not params:
            return 0
        with self.database.write() as writer:
            return writer.executemany(sql, params)

    def _trial_params(self, search_id, row, folds_id) -> tuple:
        unknown = sorted(set(row) - set(TRIAL_FIELDS))
        if unknown or "number" not in row or "config" not in row:
            raise ConfigError(
                f"A trial row of add_trials has the keys {sorted(row)}; it needs 'number' and "
                f"'config', and may have {list(TRIAL_FIELDS[2:])}"
                + (f" (unknown: {unknown})." if unknown else ".")
            )
        number = records.check_int64(row["number"], "number")
        where = f" of trial {number}"
        config = records.encode("json", row["config"], "config" + where)
        config_hash = row.get("config_hash") or records.config_hash(row["config"])
        return (
            f"{search_id}/{number}",
            search_id,
            number,
            schema.WAITING,
            config,
            records.encode("text", config_hash, "config_hash" + where),
            records.encode("int", row.get("seed"), "seed" + where),
            records.encode("text", row.get("fingerprint"), "fingerprint" + where),
            folds_id,
            0,
        )

    def claim(self, search_id: str, worker: str) -> dict | None:
        """Make the lowest-numbered waiting trial ``running`` for ``worker`` and return it (as
        :meth:`trials` does), or None if no trial waits. Atomic: one UPDATE of the row chosen
        by a sub-query, in a ``BEGIN IMMEDIATE`` transaction (SQLite) or with ``FOR UPDATE
        SKIP LOCKED`` (PostgreSQL), so two workers never get the same trial."""
        now = self.backend.now
        sql = (
            f"UPDATE {RUNS} SET status = ?, worker = ?, started = {now}, heartbeat = {now} "
            f"WHERE run_id = (SELECT run_id FROM {RUNS} WHERE search_id = ? AND status = ? "
            f"ORDER BY number LIMIT 1{self.backend.lock_rows}) AND status = ? "
            f"RETURNING {RUN_SELECT}"
        )
        params = (schema.RUNNING, check_worker(worker), search_id, schema.WAITING, schema.WAITING)
        with self.database.write() as writer:
            rows = writer.execute(sql, params).fetchall()
        return self._decode(list(RUN_COLUMNS), rows[0]) if rows else None

    def heartbeat(self, search_id: str, number: int, worker: str) -> bool:
        """Say that ``worker`` still runs the trial. False if the trial is no longer its own
        (it was reaped, and maybe claimed by another worker): the worker should drop it."""
        sql = (
            f"UPDATE {RUNS} SET heartbeat = {self.backend.now} "
            f"WHERE search_id = ? AND number = ? AND worker = ? AND status = ?"
        )
        with self.database.write() as writer:
            cursor = writer.execute(sql, (search_id, int(number), worker, schema.RUNNING))
            return cursor.rowcount == 1

    def finish(self, search_id: str, number: int, worker: str, status: str, **results) -> bool:
        """Record the end of a running trial of ``worker``.

        Args:
            status: "complete", "pruned", "failed" or "duplicate".
            results: any of ``score`` (float), ``fold_scores`` (list), ``oof`` (array of
                out-of-fold predictions), ``history`` (dict of per-epoch lists),
                ``stop_reason``, ``error`` (text), ``duration`` (seconds; default: since the
                claim), ``duplicate_of`` (a trial number), ``values`` (list, the objectives),
                ``environment`` (default: this process's, see ``provenance.environment``),
                ``fingerprint``.

        A trial is finished by the worker that claimed it, while it runs; a ``duplicate`` may
        also be a waiting trial, finished without a claim (the driver recognises a
        configuration tried before; ``worker`` then names the driver).

        Returns:
            True if recorded; False if the trial was not this worker's to finish (it was
            reaped and put back, or is finished already): its result is then not recorded, the
            re-run's will be.
        """
        if status not in schema.FINISHED:
            raise ConfigError(
                f"finish: status must be one of {list(schema.FINISHED)}; received "
                f"status={status!r}."
            )
        check_fields(results, RESULT_FIELDS, "finish")
        results.setdefault("environment", environment())
        duration = results.pop("duration", None)
        where = f" of trial {number} of search {search_id!r}"
        names = sorted(results)
        values = [records.encode(RUN_COLUMNS[k], results[k], k + where) for k in names]
        values.append(records.encode("float", duration, "duration" + where))
        now = self.backend.now
        assignments = "".join(f"{quoted(name)} = ?, " for name in names)
        owned, owner = "(status = ? AND worker = ?)", [schema.RUNNING, check_worker(worker)]
        if status == "duplicate":  # decided without running it: a waiting trial too
            owned, owner = f"({owned} OR status = ?)", [*owner, schema.WAITING]
        sql = (
            f"UPDATE {RUNS} SET {assignments}duration = COALESCE(?, {now} - started), "
            f"status = ?, worker = ?, finished = {now}, heartbeat = {now} "
            f"WHERE search_id = ? AND number = ? AND {owned}"
        )
        params = (*values, status, worker, search_id, int(number), *owner)
        with self.database.write() as writer:
            return writer.execute(sql, params).rowcount == 1

    def reap(self, search_id: str, stale_after: float) -> list[int]:
        """Put back the running trials whose heartbeat is older than ``stale_after`` seconds
        (their worker died): status ``waiting``, ``lost_count`` + 1, the seed, configuration and
        folds unchanged, so the re-run repeats the same trial. Returns their numbers."""
        stale_after = check_positive("stale_after", stale_after, allow_zero=True)
        sql = (
            f"UPDATE {RUNS} SET status = ?, lost_count = lost_count + 1, worker = NULL, "
            f"started = NULL, heartbeat = NULL "
            f"WHERE search_id = ? AND status = ? AND heartbeat < {self.backend.now} - ? "
            f"RETURNING number"
        )
        params = (schema.WAITING, search_id, schema.RUNNING, stale_after)
        with self.database.write() as writer:
            rows = writer.execute(sql, params).fetchall()
        return sorted(number for (number,) in rows)

    def trials(self, search_id: str, columns=None, numbers=None) -> list[dict]:
        """Every trial of the search, ordered by number: every column (see
        :data:`~mlpkit.ledger.schema.RUN_COLUMNS`), JSON decoded and ``oof`` as an array; or
        only ``columns`` (a driver polling statuses need not decode predictions); or only the
        trials ``numbers`` (read in queries of at most :attr:`NUMBERS_PER_QUERY`)."""
        where, order = {"search_id": [search_id]}, [("number", False)]
        if numbers is None:
            return self.select(where, order_by=order, columns=columns)
        numbers, step = sorted(int(n) for n in numbers), self.NUMBERS_PER_QUERY
        return [
            t
            for at in range(0, len(numbers), step)
            for t in self.select(
                {**where, "number": numbers[at : at + step]}, order_by=order, columns=columns
            )
        ]

    # -- plain fits ----------------------------------------------------------------------------
    def record_fit(self, record: dict) -> str:
        """Record a plain fit (no search) and return its run id (``"fit-<uuid>"``).

        ``record`` may hold: ``status`` (default "complete"), ``config`` (``config_hash`` is
        computed from it if not given), ``seed``, ``fingerprint``, ``environment`` (default
        this process's), ``history``, ``stop_reason``, ``score``, ``fold_scores``, ``values``,
        ``oof``, ``duration``, ``worker`` (default host:pid), ``started``, ``finished``
        (default now), ``error``.
        """
        record = dict(record)
        check_fields(record, FIT_FIELDS, "record_fit")
        status = record.setdefault("status", "complete")
        if status not in schema.FINISHED:
            raise ConfigError(
                f"record_fit: status must be one of {list(schema.FINISHED)}; received "
                f"status={status!r}."
            )
        records.to_json(record.get("config"), "config of the fit")
        if record.get("config") is not None and not record.get("config_hash"):
            record["config_hash"] = records.config_hash(record["config"])
        record.setdefault("environment", environment())
        record.setdefault("worker", f"{socket.gethostname()}:{os.getpid()}")
        finished = records.encode("float", record.pop("finished", None), "finished of the fit")
        run_id = f"fit-{uuid.uuid4().hex}"
        names = sorted(record)
        values = [records.encode(RUN_COLUMNS[k], record[k], f"{k} of the fit") for k in names]
        now = self.backend.now
        sql = (
            f"INSERT INTO {RUNS} ({column_list(['run_id', 'lost_count', *names])}, created, "
            f"finished) VALUES (?, 0, {', '.join(['?'] * len(names))}, {now}, "
            f"COALESCE(?, {now}))"
        )
        with self.database.write() as writer:
            writer.execute(sql, (run_id, *values, finished))
        return run_id

    # -- queries -------------------------------------------------------------------------------
    def select(self, where=None, order_by=(), limit=None, columns=None) -> list[dict]:
        """Runs (decoded as by :meth:`trials`) matching every condition of ``where``.

        Args:
            where: ``{column: [accepted values]}``; None among the values matches NULL.
            order_by: ``[(column, descending), ...]``; missing values sort last.
            limit: at most this many rows.
            columns: the columns to read (default: all).
        """
        names = list(RUN_COLUMNS) if columns is None else list(columns)
        check_fields(dict.fromkeys(names), RUN_COLUMNS, "select columns")
        clauses, params = [], []
        for column, accepted in (where or {}).items():
            kind = run_column(column, "filter by")
            accepted = list(accepted)
            tests = [f"{quoted(column)} IS NULL"] if None in accepted else []
            present = [records.encode(kind, v, column) for v in accepted if v is not None]
            if present:
                tests.append(f"{quoted(column)} IN ({', '.join(['?'] * len(present))})")
            clauses.append(f"({' OR '.join(tests)})" if tests else "(1 = 0)")
            params += present
        order = []
        for column, descending in order_by:
            run_column(column, "order by")
            order.append(f"({quoted(column)} IS NULL), {quoted(column)}{' DESC' * descending}")
        sql = f"SELECT {', '.join(quoted(name) for name in names)} FROM {RUNS}"
        sql += f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql += f" ORDER BY {', '.join(order)}" if order else ""
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [self._decode(names, row) for row in self.database.read(sql, params)]

    def _decode(self, names: list[str], row) -> dict:
        where = f"run {row[0]!r}" if names[0] == "run_id" else "a run"
        return {
            name: records.decode(RUN_COLUMNS[name], value, f"{name} of {where} in {self.url}")
            for name, value in zip(names, row)
        }


def check_id(search_id) -> str:
    if not isinstance(search_id, str) or not search_id:
        raise ConfigError(f"search_id must be a non-empty string; received {search_id!r}.")
    return search_id


def check_worker(worker) -> str:
    if not isinstance(worker, str) or not worker:
        raise ConfigError(f"worker must be a non-empty string (its name); received {worker!r}.")
    return worker


def check_fields(given: dict, allowed, where: str) -> None:
    unknown = [name for name in given if name not in allowed]
    if unknown:
        close = difflib.get_close_matches(unknown[0], allowed, n=3)
        hint = f" Did you mean {close}?" if close else ""
        raise ConfigError(
            f"{where} got the unknown field(s) {unknown}; it takes {list(allowed)}.{hint}"
        )
