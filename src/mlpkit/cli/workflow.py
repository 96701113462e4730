"""The commands driven by a run configuration (``mlpkit.config``): ``init-config``, ``check``,
``train`` (:mod:`.training`) and ``search`` (:mod:`.searching`).

A configuration with problems exits 2 with one line per problem (file:line, key, value, what
was expected, a did-you-mean), before any data is read; data that cannot be used exits 65.
"""

from __future__ import annotations

import json
from pathlib import Path

from .conventions import OK, USAGE, CommandError, command, force_option, output_path
from .searching import search
from .training import train

#: The configuration ``init-config --example`` writes (in mlpkit.datasets, beside its data).
EXAMPLE = "machine_failure.toml"


def register(commands) -> None:
    """Add ``init-config``, ``check``, ``train`` and ``search``."""
    starter = command(
        commands,
        "init-config",
        "write a starter run configuration for a table",
        "Write a starter run configuration (TOML) for a table: the task detected from the "
        "target, identifier-like columns left out, and every key of every section written "
        "with its meaning and default. Printed on standard output unless -o is given. "
        "--example writes instead the configuration shipped with mlpkit for its "
        "machine-failure data (AI4I 2020).",
        "mlpkit init-config --data train.csv --target failure -o run.toml\n"
        "mlpkit init-config --example -o run.toml && mlpkit train run.toml",
        json=False,
    )
    starter.add_argument("--data", metavar="DATA", help="a CSV or Parquet table")
    starter.add_argument("--target", help="the column to predict")
    starter.add_argument(
        "--example",
        action="store_true",
        help="the shipped configuration for the machine-failure data (no --data, --target)",
    )
    starter.add_argument("-o", "--out", metavar="CONFIG", help="the file to write (run.toml)")
    starter.add_argument("--separator", help="the CSV field separator (default: sniffed)")
    starter.add_argument(
        "--missing", action="append", metavar="TOKEN", help="a text meaning 'missing' (repeatable)"
    )
    starter.add_argument(
        "--no-header", action="store_true", help="the file has no header line of column names"
    )
    force_option(starter, "a configuration file")
    starter.set_defaults(handler=init_config)

    check = command(
        commands,
        "check",
        "validate a run configuration and show every value's source",
        "Validate a run configuration without reading its data: print every value, resolved, "
        "with where it came from (the file's line, the default, or --set); exit 2 with one "
        "line per problem otherwise.",
        "mlpkit check run.toml --set model.alpha=1e-3",
    )
    config_arguments(check)
    check.set_defaults(handler=check_config)

    trainer = command(
        commands,
        "train",
        "train, evaluate, save and report a model from a run configuration",
        "Read the data, hold out the test split, train (a progress bar on a terminal), "
        "evaluate on the held-out rows, save the model, write the HTML report (and the test "
        "rows' predictions when [output] predictions is set), record the run in the ledger "
        "when [ledger] url is set, and print where everything went. Existing outputs are "
        "never replaced unless --force (or [output] force = true).",
        "mlpkit train run.toml --set model.max_iter=50",
    )
    config_arguments(trainer)
    force_option(trainer, "outputs")
    trainer.set_defaults(handler=train)

    searcher = command(
        commands,
        "search",
        "search hyperparameters over [search.space], every trial in the ledger",
        "Search [search.space] for the [model] of a run configuration on its data and print "
        "the result's report: the winner, its selection-corrected score and the denominators "
        "behind it. With [ledger] url every trial is recorded there, and running the same "
        "search again (same data and settings) continues it, repeating no finished trial.",
        "mlpkit search run.toml --trials 40 --workers 4",
    )
    config_arguments(searcher)
    searcher.add_argument("--trials", type=int, metavar="N", help="search.n_trials")
    searcher.add_argument("--workers", type=int, metavar="K", help="search.workers (processes)")
    searcher.add_argument(
        "--resume",
        action="store_true",
        help="continue this search from the ledger ([ledger] url must name an existing one)",
    )
    searcher.add_argument(
        "-o", "--out", metavar="MODEL.mlpk", help="save the winner, refitted, to this file"
    )
    force_option(searcher, "the winner's model file")
    searcher.set_defaults(handler=search)


def config_arguments(parser) -> None:
    parser.add_argument("config", metavar="CONFIG", help="a run configuration (TOML)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a key, e.g. --set model.alpha=1e-3 (a TOML value, else text; repeatable)",
    )


def init_config(args, console) -> int:
    if args.example and (args.data is not None or args.target is not None):
        raise CommandError("--example takes no --data or --target.", USAGE, usage=True)
    if args.out is not None:
        output_path(args.out, force=args.force, what="configuration file")
    text = example_config() if args.example else starter_text(args)
    text = text if text.endswith("\n") else text + "\n"
    if args.out is None:
        print(text, end="")
        return OK
    from mlpkit.modelfile import write_atomically

    write_atomically(str(args.out), lambda stream: stream.write(text.encode("utf-8")))
    console.result(str(Path(args.out).resolve()))
    console.note(f"next: mlpkit check {args.out}, then mlpkit train {args.out}")
    return OK


def example_config() -> str:
    """The shipped machine-failure configuration, its data path made absolute (the table
    stays where mlpkit is installed; the outputs go beside the written file)."""
    from importlib.resources import as_file, files

    shipped = files("mlpkit.datasets")
    text = (shipped / EXAMPLE).read_text(encoding="utf-8")
    with as_file(shipped / "ai4i2020.csv") as data:
        path = json.dumps(str(Path(data).resolve()))  # a TOML basic string
    return text.replace('path = "ai4i2020.csv"', f"path = {path}", 1)


def starter_text(args) -> str:
    from mlpkit.config import starter_config

    missing = [name for name in ("data", "target") if getattr(args, name) is None]
    if missing:
        raise CommandError(
            f"init-config needs --data and --target (or --example); "
            f"{' and '.join('--' + name for name in missing)} missing.",
            USAGE,
            usage=True,
        )
    read = {"header": not args.no_header}
    if args.separator is not None:
        read["separator"] = args.separator
    if args.missing:
        read["missing"] = list(args.missing)
    folder = Path(args.out).resolve().parent if args.out else Path.cwd()
    target = int(args.target) if args.no_header and args.target.isdigit() else args.target
    return starter_config(args.data, target, config_dir=folder, **read)


def check_config(args, console) -> int:
    from mlpkit.config import load_config

    config = load_config(args.config, args.set)
    console.emit(
        {"config": str(config.path), "values": config.values, "sources": config.sources},
        config.resolved_text().rstrip("\n"),
    )
    return OK
