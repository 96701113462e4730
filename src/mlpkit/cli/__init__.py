"""The ``mlpkit`` command (also ``python -m mlpkit``): the whole workflow without writing Python.

    mlpkit init-config --data train.csv --target failure > run.toml
    mlpkit check run.toml
    mlpkit train run.toml
    mlpkit predict results/model.mlpk new.csv -o predictions.csv
    mlpkit evaluate results/model.mlpk test.csv

Commands, by family (one module each): the workflow driven by a configuration file
(:mod:`.workflow`: ``init-config``, ``check``, ``train``, ``search``), one saved model
(:mod:`.models`: ``evaluate``, ``predict``, ``report``, ``summary``), the training doctor
(:mod:`.diagnostics`: ``doctor``, ``explain``), the experiment ledger (:mod:`.runs`),
``export onnx`` (:mod:`.export`), ``demo`` (:mod:`.demo`) and ``completion``
(:mod:`.completion`). What they share (exit codes, stdout/stderr, ``--json``, ``--quiet``,
``--debug``, ``--force``) is in :mod:`.conventions`.

Exit codes: 0 done, 1 failure, 2 bad usage or configuration, 65 bad data, 130 interrupted.
"""

from __future__ import annotations

import sys

from . import completion, demo, diagnostics, export, models, runs, workflow
from .conventions import BAD_DATA, FAILURE, OK, USAGE, CommandError, Parser, run
from .demo import DEMO_DIR

DESCRIPTION = (
    "mlpkit: train, evaluate, search and use neural networks on tables, from the shell. "
    "Exit codes: 0 done, 1 failure, 2 bad usage or configuration, 65 bad data."
)


def build_parser() -> Parser:
    """The ``mlpkit`` parser with every command."""
    from .._version import __version__

    parser = Parser(
        prog="mlpkit",
        description=DESCRIPTION,
        epilog="`mlpkit COMMAND --help` shows a command's options and an example.",
    )
    parser.add_argument("--version", action="version", version=f"mlpkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    workflow.register(commands)
    models.register(commands)
    diagnostics.register(commands)
    runs.register(commands)
    export.register(commands)
    demo.register(commands)
    completion.register(commands, parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``mlpkit`` command line ``argv`` (default ``sys.argv[1:]``) and return its exit
    code; bad usage or configuration leaves by ``SystemExit(2)``, as argparse does (and
    ``--help``/``--version`` by ``SystemExit(0)``)."""
    args = build_parser().parse_args(argv)
    return run(args.handler, args, args.command_parser)


__all__ = ["BAD_DATA", "DEMO_DIR", "FAILURE", "OK", "USAGE", "CommandError", "main"]

if __name__ == "__main__":
    sys.exit(main())
