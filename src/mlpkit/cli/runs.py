"""``mlpkit runs list|show|compare|export``: the experiment ledger (``mk.runs``) from the shell.

The ledger is ``--ledger URL`` (a SQLite file path or a database URL), else the environment
variable ``MLPKIT_LEDGER``, else ``runs.sqlite`` in the working directory. A SQLite file that
does not exist is bad usage: reading never creates a ledger.
"""

from __future__ import annotations

import datetime
import os

from .conventions import OK, USAGE, CommandError, command, with_example
from .describe import number, table

#: The ledger read when neither --ledger nor MLPKIT_LEDGER says which.
DEFAULT_LEDGER = "runs.sqlite"
#: The columns of ``runs list``.
LISTED = ("run_id", "status", "score", "duration", "stop_reason", "created")
#: Columns left out of ``runs show`` and ``compare`` (arrays, shown by their length).
ARRAYS = ("oof",)


def register(commands) -> None:
    parser = commands.add_parser(
        "runs",
        help="read the experiment ledger: list, show, compare, export",
        **with_example(
            "Read the experiment ledger: the runs of searches (trials) and of plain fits.",
            "mlpkit runs list --ledger results/runs.sqlite --sort=-score --limit 5",
        ),
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listed = command(
        actions,
        "list",
        "list runs",
        "List runs, one line each.",
        "mlpkit runs list --status complete",
    )
    ledger_option(listed)
    listed.add_argument("--search", metavar="ID", help="only the trials of this search")
    listed.add_argument(
        "--status",
        action="append",
        help="only runs of this status (repeatable): waiting, "
        "running, complete, pruned, failed, duplicate",
    )
    listed.add_argument(
        "--sort",
        metavar="COLUMN",
        help="a column or param.<name>; '-' first for descending, written --sort=-score",
    )
    listed.add_argument("--limit", type=int, metavar="N", help="at most N runs")
    listed.set_defaults(handler=list_runs)

    show = command(
        actions,
        "show",
        "show one run",
        "Show everything the ledger holds about one run.",
        "mlpkit runs show fit-3f2a",
    )
    ledger_option(show)
    show.add_argument("run", metavar="RUN", help="a run id, or a unique beginning of one")
    show.set_defaults(handler=show_run)

    compare = command(
        actions,
        "compare",
        "compare two runs",
        "Compare two runs: their parameters, scores and outcomes side by side, differences first.",
        "mlpkit runs compare 3f2a/0 3f2a/7",
    )
    ledger_option(compare)
    compare.add_argument("first", metavar="A", help="a run id (or a unique beginning of one)")
    compare.add_argument("second", metavar="B", help="another run")
    compare.set_defaults(handler=compare_runs)

    export = command(
        actions,
        "export",
        "export runs to MLflow",
        "Export runs to MLflow (each search a parent run, its trials child runs).",
        "mlpkit runs export --mlflow sqlite:///mlflow.db",
    )
    ledger_option(export)
    export.add_argument("--mlflow", required=True, metavar="URI", help="an MLflow tracking URI")
    export.add_argument("--experiment", default="mlpkit", help="the MLflow experiment (mlpkit)")
    export.add_argument("--search", metavar="ID", help="only this search's runs")
    export.set_defaults(handler=export_runs)


def ledger_option(parser) -> None:
    parser.add_argument(
        "--ledger",
        metavar="URL",
        help=f"a SQLite file or a database URL (default: $MLPKIT_LEDGER, else {DEFAULT_LEDGER})",
    )


def open_runs(url):
    """``mk.runs(url)`` of an existing ledger."""
    from mlpkit.ledger import runs

    url = url or os.environ.get("MLPKIT_LEDGER") or DEFAULT_LEDGER
    try:
        return runs(url)
    except FileNotFoundError as error:
        raise CommandError(
            f"{error} On the command line: pass --ledger with the file a search or `mlpkit "
            f"train` wrote (its [ledger] url).",
            USAGE,
        ) from None


def list_runs(args, console) -> int:
    selection = open_runs(args.ledger).search(
        search_id=args.search, status=args.status, order_by=args.sort, limit=args.limit
    )
    rows = [plain(row) for row in selection]
    text = (
        "no runs"
        if not rows
        else "\n".join(
            table([list(LISTED), *([cell(row, name) for name in LISTED] for row in rows)], "")
        )
    )
    console.emit(rows, text)
    return OK


def show_run(args, console) -> int:
    row = plain(find_run(open_runs(args.ledger), args.run))
    lines = []
    for name, value in row.items():
        if name in ("config", "history", "environment") and isinstance(value, dict):
            lines.append(f"{name}:")
            lines += [f"  {key}: {short(item)}" for key, item in flat(value).items()]
        elif value is not None:
            lines.append(f"{name}: {cell(row, name)}")
    console.emit(row, "\n".join(lines))
    return OK


def compare_runs(args, console) -> int:
    runs = open_runs(args.ledger)
    a, b = (plain(find_run(runs, ref)) for ref in (args.first, args.second))
    fields = {**outcome(a), **{f"param.{k}": v for k, v in flat(a.get("config") or {}).items()}}
    others = {**outcome(b), **{f"param.{k}": v for k, v in flat(b.get("config") or {}).items()}}
    names = list(dict.fromkeys([*fields, *others]))
    different = [n for n in names if fields.get(n) != others.get(n)]
    same = [n for n in names if n not in different]
    data = {
        "a": a["run_id"],
        "b": b["run_id"],
        "different": {n: [fields.get(n), others.get(n)] for n in different},
        "same": {n: fields.get(n) for n in same},
    }
    rows = [["", a["run_id"], b["run_id"]]]
    rows += [[n, short(fields.get(n)), short(others.get(n))] for n in different]
    text = "\n".join(table(rows, "", right=False))
    text += f"\n{len(same)} other field(s) equal" if same else ""
    console.emit(data, text)
    return OK


def export_runs(args, console) -> int:
    selection = open_runs(args.ledger).search(search_id=args.search)
    exported = selection.to_mlflow(args.mlflow, experiment=args.experiment)
    text = (
        f"exported {len(exported['runs'])} run(s) and {len(exported['searches'])} search(es) to "
        f"{args.mlflow} (experiment {args.experiment!r}, id {exported['experiment_id']})"
    )
    console.emit(exported, text)
    return OK


def find_run(runs, reference: str) -> dict:
    """The run whose id is ``reference``, or the one whose id begins with it."""
    exact = runs.search(run_id=reference).rows()
    if exact:
        return exact[0]
    found = [row for row in runs if str(row["run_id"]).startswith(reference)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise CommandError(
            f"no run {reference!r} in {runs.ledger.url}; `mlpkit runs list` shows the run ids.",
            USAGE,
        )
    ids = [row["run_id"] for row in found[:5]]
    raise CommandError(
        f"{len(found)} runs begin with {reference!r} (e.g. {ids}); give more of the id.", USAGE
    )


def outcome(row: dict) -> dict:
    """A run's outcome fields: status, score, stop reason, duration, epochs, final values."""
    found = {k: row.get(k) for k in ("status", "score", "stop_reason", "duration", "seed")}
    history = row.get("history") or {}
    for name, values in history.items():
        numeric = isinstance(values, list) and values and isinstance(values[-1], (int, float))
        if numeric and name not in ("epoch", "lr", "time"):
            found[f"last {name}"] = values[-1]
    found["epochs"] = len(history.get("epoch", [])) or None
    return found


def plain(row: dict) -> dict:
    """A ledger row for display and JSON: arrays as their length, times as ISO text."""
    shown = {}
    for name, value in row.items():
        if name in ARRAYS:
            shown[f"{name}_length"] = None if value is None else len(value)
        elif name in ("created", "started", "heartbeat", "finished") and value is not None:
            shown[name] = datetime.datetime.fromtimestamp(value).isoformat(timespec="seconds")
        else:
            shown[name] = value
    return shown


def flat(config: dict, prefix: str = "") -> dict:
    from mlpkit.ledger.records import flat_params

    return flat_params(config, prefix)


def cell(row: dict, name: str) -> str:
    value = row.get(name)
    if name == "duration" and value is not None:
        return f"{value:.1f}s"
    return number(value) if isinstance(value, float) else short(value)


def short(value, width: int = 60) -> str:
    text = "-" if value is None else (number(value) if isinstance(value, float) else str(value))
    return text if len(text) <= width else text[: width - 1] + "…"
