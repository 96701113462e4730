"""The training doctor and explain mode on a saved model: ``doctor`` and ``explain``.

    mlpkit doctor results/model.mlpk train.csv --target failure --html doctor.html
    mlpkit explain results/model.mlpk train.csv --target failure --rows 2

``doctor`` runs ``mk.doctor`` (a short probe run of a copy of the model; the file is not
changed) and prints a verdict per rule; ``--strict`` exits 1 when a rule fails. ``explain``
prints every number of one training step on the first ``--rows`` rows (``mk.explain``), as
text, Markdown or HTML.
"""

from __future__ import annotations

from .conventions import (
    FAILURE,
    OK,
    CommandError,
    as_bad_data,
    command,
    force_option,
    output_path,
)
from .inputs import inputs_for, known_target
from .models import model_and_data, reading, target_option


def register(commands) -> None:
    """Add ``doctor`` and ``explain`` to the ``mlpkit`` sub-command parsers."""
    register_doctor(commands)
    register_explain(commands)


def register_doctor(commands) -> None:
    """``mlpkit doctor MODEL DATA``."""
    doctor_parser = command(
        commands,
        "doctor",
        "diagnose a saved model's training on a labelled table",
        "Train a copy of a saved model for a few epochs on a labelled table (the model file is "
        "not changed) and print a verdict per rule — vanishing or exploding gradients, dying "
        "ReLU, saturation, initialisation, learning rate, unscaled data, overfitting, the "
        "accuracy paradox — each with its numbers, threshold and fix.",
        "mlpkit doctor results/model.mlpk train.csv --target failure --html doctor.html",
    )
    model_and_data(doctor_parser)
    target_option(doctor_parser)
    loss_option(doctor_parser)
    doctor_parser.add_argument(
        "--epochs", type=int, default=20, help="epochs of the probe run (default 20)"
    )
    doctor_parser.add_argument(
        "--batch-size", type=int, default=32, help="the probe run's batch size (default 32)"
    )
    doctor_parser.add_argument("--html", metavar="OUT", help="also write the verdicts as HTML")
    doctor_parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a rule fails (default: exit 0)"
    )
    force_option(doctor_parser, "an HTML file")
    doctor_parser.set_defaults(handler=doctor)


def register_explain(commands) -> None:
    """``mlpkit explain MODEL DATA``."""
    explain_parser = command(
        commands,
        "explain",
        "print every number of one training step on a few rows",
        "Print every intermediate of one forward pass, one backward pass and one optimizer "
        "update of a saved model on the first rows of a labelled table, each gradient beside "
        "its finite-difference check (the model file is not changed).",
        "mlpkit explain results/model.mlpk train.csv --target failure --rows 2 --format markdown",
    )
    model_and_data(explain_parser)
    target_option(explain_parser)
    loss_option(explain_parser)
    explain_parser.add_argument(
        "--rows", type=int, default=2, help="how many rows, from the first (default 2)"
    )
    explain_parser.add_argument(
        "--optimizer", help="the update to show, e.g. sgd or adam (default: the model's)"
    )
    explain_parser.add_argument("--learning-rate", type=float, help="the optimizer's rate")
    explain_parser.add_argument(
        "--format", choices=("text", "markdown", "html"), default="text", help="(default text)"
    )
    explain_parser.add_argument("--out", metavar="OUT", help="write to this file, not stdout")
    force_option(explain_parser, "an output file")
    explain_parser.set_defaults(handler=explain)


def loss_option(parser) -> None:
    """``--loss NAME`` (default: the loss saved with the model)."""
    parser.add_argument(
        "--loss", help="the loss, e.g. mse or binary_cross_entropy (default: the model's)"
    )


def doctor(args, console) -> int:
    """Run ``mk.doctor`` on the model and the table; print (or ``--json``) the verdicts."""
    import mlpkit as mk

    if args.html is not None:
        output_path(args.html, force=args.force, what="HTML file")
    found = inputs_for(args.model, args.data, target=args.target, **reading(args))
    y = known_target(found.y, found.target, args.data)
    options = {"loss": args.loss, "epochs": args.epochs, "batch_size": args.batch_size}
    report = as_bad_data(
        lambda: mk.doctor(found.model, found.X, y, **options),
        "the data cannot be diagnosed by this model",
    )
    if args.html is not None:
        report.to_html(args.html, overwrite=args.force)
        console.note(f"verdicts written to {args.html}")
    where = {"model": args.model, "data": args.data, "target": found.target}
    console.emit({**where, **report.to_dict()}, str(report))
    return FAILURE if args.strict and report.status == "fail" else OK


def explain(args, console) -> int:
    """Run ``mk.explain`` on the first ``--rows`` rows; print or write the step."""
    import numpy as np

    import mlpkit as mk
    from mlpkit._validation import take_rows

    if args.out is not None:
        output_path(args.out, force=args.force, what="output file")
    if args.rows < 1:
        raise CommandError(f"--rows must be at least 1, got {args.rows}.", code=2, usage=True)
    found = inputs_for(args.model, args.data, target=args.target, **reading(args))
    y = known_target(found.y, found.target, args.data)
    rows = np.arange(min(args.rows, len(y)))
    optimizer = _optimizer(args)
    explanation = as_bad_data(
        lambda: mk.explain(
            found.model, take_rows(found.X, rows), y[rows], loss=args.loss, optimizer=optimizer
        ),
        "the data cannot be explained by this model",
    )
    text = {
        "text": str,
        "markdown": type(explanation).to_markdown,
        "html": type(explanation).to_html,
    }
    text = text[args.format](explanation)
    if args.out is not None:
        from mlpkit.html_report import write

        console.emit({"explanation": str(write(args.out, text))}, str(args.out))
        return OK
    console.emit(explanation.to_dict(), text)
    return OK


def _optimizer(args):
    """The ``--optimizer``/``--learning-rate`` as an optimizer config, or None (the model's)."""
    if args.optimizer is None and args.learning_rate is None:
        return None
    config = {"name": args.optimizer or "sgd"}
    if args.learning_rate is not None:
        config["learning_rate"] = args.learning_rate
    return config


__all__ = ["register"]
