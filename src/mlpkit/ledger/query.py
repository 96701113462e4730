"""Reading the ledger back: ``mk.runs(url)`` and its filters, a DataFrame, MLflow.

>>> import mlpkit as mk
>>> from mlpkit.ledger import open_ledger
>>> ledger = open_ledger(None)
>>> ledger.create_search("s", {"strategy": "random"}, folds=[0, 1, 0, 1])
True
>>> ledger.add_trials("s", [{"number": i, "config": {"alpha": 10.0**-i}} for i in range(3)])
3
>>> runs = mk.ledger.runs(ledger)
>>> len(runs.search(search_id="s", status="waiting")), list(runs.to_frame()["param.alpha"])
(3, [1.0, 0.1, 0.01])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..exceptions import ConfigError
from .records import flat_params
from .schema import RUN_COLUMNS, STATUSES, run_column
from .store import Ledger, open_ledger

DEFAULT_ORDER = (("search_id", False), ("number", False), ("created", False))
LEADING = ("run_id", "search_id", "number", "status", "score")


def runs(url=None) -> Runs:
    """Every run in the ledger at ``url`` (a path, an SQLite or PostgreSQL URL, or an open
    :class:`~mlpkit.ledger.Ledger`), as a :class:`Runs` to filter, sort and export; None is
    an empty in-memory ledger. A path naming no file is a FileNotFoundError: reading never
    creates a ledger."""
    return Runs(url if isinstance(url, Ledger) else open_ledger(url, create=False))


class Runs:
    """A selection of the ledger's runs; the query runs when it is iterated, counted or
    exported, so it always shows the ledger as it is now.

    Iterating yields one dict per run with every column (``config`` a dict, ``oof`` an array;
    see :data:`~mlpkit.ledger.schema.RUN_COLUMNS`).
    """

    def __init__(self, ledger: Ledger, where=None, params=None, order=None, limit=None):
        self.ledger = ledger
        self.where = dict(where or {})  # column -> accepted values
        self.params = dict(params or {})  # parameter name -> required value
        self.order = order  # (name, descending), name a column or "param.<name>"
        self.limit = limit

    def search(self, search_id=None, status=None, order_by=None, limit=None, **equals) -> Runs:
        """The runs of this selection that also match every condition given.

        Args:
            search_id: a search's id, or a list of them (``[None]``: the plain fits).
            status: a status ("waiting", "running", "complete", "pruned", "failed",
                "duplicate"), or a list of them.
            order_by: a column or ``"param.<name>"``, descending with a leading "-" (e.g.
                "-score", best first for a score where larger is better); missing values last.
                Default: by search, then trial number, then time.
            limit: at most this many runs.
            equals: ``column=value`` (a list, tuple or set: any of them; None: missing), and
                ``**{"param.<name>": value}`` for a parameter of the configuration (nested
                configurations by dotted names, e.g. "param.optimizer.name").
        """
        where = {name: list(values) for name, values in self.where.items()}
        params = dict(self.params)
        if search_id is not None:
            equals["search_id"] = search_id
        if status is not None:
            equals["status"] = check_statuses(status)
        for name, value in equals.items():
            if name.startswith("param."):
                params[name[len("param.") :]] = plain_value(value)
                continue
            run_column(name, "filter by")
            accepted = list(value) if isinstance(value, (list, tuple, set)) else [value]
            where[name] = [v for v in where[name] if v in accepted] if name in where else accepted
        order = self.order if order_by is None else parse_order(order_by)
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                raise ConfigError(f"limit must be an integer >= 0; received limit={limit!r}.")
            limit = limit if self.limit is None else min(limit, self.limit)
        return Runs(self.ledger, where, params, order, self.limit if limit is None else limit)

    def rows(self) -> list[dict]:
        """The selected runs, decoded."""
        by_param = self.order is not None and self.order[0].startswith("param.")
        in_python = bool(self.params) or by_param
        order = list(DEFAULT_ORDER)
        if self.order is not None and not by_param:
            order.insert(0, self.order)
        rows = self.ledger.select(
            self.where, order_by=order, limit=None if in_python else self.limit
        )
        if self.params:
            rows = [row for row in rows if matches(flat_params(row["config"]), self.params)]
        if by_param:
            rows = sort_by_param(rows, self.order[0][len("param.") :], self.order[1])
        return rows[: self.limit] if in_python and self.limit is not None else rows

    def __iter__(self) -> Iterator[dict]:
        return iter(self.rows())

    def __len__(self) -> int:
        return len(self.rows())

    def __repr__(self) -> str:
        conditions = {**self.where, **{f"param.{k}": v for k, v in self.params.items()}}
        return f"Runs({self.ledger.url!r}, where={conditions}, order={self.order})"

    def to_frame(self):
        """A pandas DataFrame, one row per run: the columns of the ledger with the
        configuration expanded as ``param.<name>`` columns (nested ones by dotted names)."""
        import pandas as pd

        table, param_names = [], {}
        for row in self.rows():
            entry = {name: value for name, value in row.items() if name != "config"}
            for name, value in flat_params(row["config"]).items():
                param_names.setdefault(f"param.{name}", None)
                entry[f"param.{name}"] = value
            table.append(entry)
        rest = [name for name in RUN_COLUMNS if name not in LEADING and name != "config"]
        return pd.DataFrame(table, columns=[*LEADING, *param_names, *rest])

    def to_mlflow(self, tracking_uri: str, experiment: str = "mlpkit") -> dict:
        """Export the selected runs to MLflow and return the ids given to them.

        Each search becomes a parent run, each of its trials a child run (tag
        ``mlflow.parentRunId``), each plain fit a run of its own; see
        :func:`mlpkit.ledger.mlflow.export` for what is logged where. A run exported before
        (found by its tag ``mlpkit.run_id``) is not exported again.

        Returns:
            ``{"experiment_id": ..., "searches": {search_id: parent run id}, "runs": {run_id:
            MLflow run id}}``
        """
        from . import mlflow

        rows = self.rows()
        search_ids = sorted({row["search_id"] for row in rows if row["search_id"] is not None})
        specs = {search_id: self.ledger.search_spec(search_id) for search_id in search_ids}
        return mlflow.export(rows, specs, tracking_uri, experiment)


def check_statuses(status) -> list[str]:
    statuses = [status] if isinstance(status, str) else list(status)
    for value in statuses:
        if value not in STATUSES:
            raise ConfigError(
                f"status must be one of {list(STATUSES)} (or a list of them); received "
                f"status={value!r}."
            )
    return statuses


def parse_order(order_by: str) -> tuple[str, bool]:
    """``"-score"`` → ("score", True): a column or "param.<name>", "-" for descending."""
    if not isinstance(order_by, str) or not order_by.lstrip("-"):
        raise ConfigError(
            f"order_by must be a column name or 'param.<name>', with a leading '-' for "
            f"descending order; received order_by={order_by!r}."
        )
    descending = order_by.startswith("-")
    name = order_by[1:] if descending else order_by
    if not name.startswith("param."):
        run_column(name, "order by")
    return name, descending


def plain_value(value):
    """A parameter value as the ledger gives it back (tuples as lists)."""
    if isinstance(value, (tuple, list)):
        return [plain_value(item) for item in value]
    return value.item() if hasattr(value, "item") and hasattr(value, "dtype") else value


def matches(params: dict, required: dict) -> bool:
    return all(name in params and params[name] == value for name, value in required.items())


def sort_by_param(rows: Iterable[dict], name: str, descending: bool) -> list[dict]:
    """Rows sorted by a parameter's value; rows without it (or with None) last."""
    rows = list(rows)
    present = [row for row in rows if flat_params(row["config"]).get(name) is not None]
    missing = [row for row in rows if flat_params(row["config"]).get(name) is None]

    def key(row):
        return flat_params(row["config"])[name]

    try:
        present.sort(key=key, reverse=descending)
    except TypeError:
        raise ConfigError(
            f"Cannot order by param.{name}: its values are of types that cannot be compared "
            f"({sorted({type(key(row)).__name__ for row in present})})."
        ) from None
    return present + missing
