"""The commands about one saved model: ``evaluate``, ``predict``, ``report``, ``summary``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .conventions import OK, as_bad_data, command, force_option, output_path
from .describe import evaluation_text, summary_of, summary_text
from .inputs import inputs_for, known_target, load_model
from .outputs import table_format, write_report, write_table


def register(commands) -> None:
    """Add the model commands to the ``mlpkit`` sub-command parsers."""
    evaluate_parser = command(
        commands,
        "evaluate",
        "score a saved model on a labelled table",
        "Score a saved model on a labelled table (CSV or Parquet) and print the metrics of "
        "its task, the confusion matrix and the per-class scores.",
        "mlpkit evaluate results/model.mlpk test.csv --target failure --json",
    )
    model_and_data(evaluate_parser)
    target_option(evaluate_parser)
    threshold_option(evaluate_parser)
    evaluate_parser.set_defaults(handler=evaluate)

    predict_parser = command(
        commands,
        "predict",
        "predict labels and probabilities (or values) for a table",
        "Predict with a saved model: one row per row of DATA with its label and the "
        "probability of each class (classification) or the predicted values (regression), "
        "after the row-id columns (--id) or the row number.",
        "mlpkit predict results/model.mlpk new.csv -o predictions.csv --id 'Product ID'",
    )
    model_and_data(predict_parser)
    predict_parser.add_argument(
        "-o",
        "--out",
        metavar="OUT",
        help="the file to write, .csv or .parquet (default: CSV on standard output)",
    )
    predict_parser.add_argument(
        "--id",
        action="append",
        default=[],
        metavar="COLUMN",
        help="a column of DATA to copy into the predictions (repeatable); default: a 'row' "
        "column with the row number (from 0)",
    )
    threshold_option(predict_parser)
    force_option(predict_parser, "an output file")
    predict_parser.set_defaults(handler=predict)

    report_parser = command(
        commands,
        "report",
        "write an HTML report of a saved model on a labelled table",
        "Write an HTML report of a saved model (a network or an estimator file; a raw table "
        "when the model has a preprocessor) scored on a labelled table, and print its "
        "absolute path.",
        "mlpkit report results/model.mlpk test.csv --target failure --out report.html",
    )
    model_and_data(report_parser)
    target_option(report_parser)
    report_parser.add_argument(
        "--out",
        default="report.html",
        help="the HTML file to write (default report.html in the working directory); its "
        "absolute path is printed",
    )
    force_option(report_parser, "a report file")
    report_parser.set_defaults(handler=report)

    summary_parser = command(
        commands,
        "summary",
        "describe a saved model",
        "Describe a saved model: its architecture, parameters, preprocessing and training history.",
        "mlpkit summary results/model.mlpk",
    )
    summary_parser.add_argument(
        "model", metavar="MODEL.mlpk", help="a model file (net.save or estimator.save)"
    )
    summary_parser.set_defaults(handler=summary)


def model_and_data(parser) -> None:
    parser.add_argument(
        "model", metavar="MODEL.mlpk", help="a model file (net.save, estimator.save, mlpkit train)"
    )
    parser.add_argument("data", metavar="DATA", help="a table: a CSV or Parquet file")
    parser.add_argument(
        "--separator", help="the CSV field separator (default: sniffed among , ; tab |)"
    )
    parser.add_argument(
        "--missing",
        action="append",
        metavar="TOKEN",
        help="a text that means 'missing' (repeatable; default: '', '?', 'NA', 'N/A', 'NaN', "
        "'null', 'None', ...)",
    )


def target_option(parser) -> None:
    parser.add_argument(
        "--target",
        help="the target column (default: the one column of DATA the model does not take)",
    )


def threshold_option(parser) -> None:
    parser.add_argument(
        "--threshold",
        type=probability,
        default=0.5,
        help="a binary prediction is the positive class above this probability (default 0.5)",
    )


def probability(text: str) -> float:
    """A probability strictly between 0 and 1 (an argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1; got {text!r}")
    return value


def reading(args) -> dict:
    return {"separator": args.separator, "missing": args.missing}


def evaluate(args, console) -> int:
    from mlpkit.evaluation import report_of

    found = inputs_for(args.model, args.data, target=args.target, ensemble=True, **reading(args))
    y = known_target(found.y, found.target, args.data)
    scored = as_bad_data(
        lambda: report_of(found.model, found.X, y, threshold=args.threshold),
        "the data cannot be scored by this model",
    )
    for warning in scored.warnings:
        console.warning(warning)
    where = {"model": args.model, "data": args.data, "target": found.target}
    console.emit({**where, **scored.to_dict()}, evaluation_text(scored, **where))
    return OK


def predict(args, console) -> int:
    if args.out is not None:  # refused before the model and the data are read
        output_path(args.out, force=args.force, what="predictions file")
        table_format(args.out)
    found = inputs_for(
        args.model, args.data, need_target=False, exclude=args.id, ensemble=True, **reading(args)
    )
    from .predictions import predictions_frame  # numpy, loaded when a command needs it

    frame = predictions_frame(found, args.id, args.threshold, args.data)
    if args.out is None:
        if console.json:
            console.emit(frame.to_dict(orient="records"))
        else:
            print(frame.to_csv(index=False), end="")
        return OK
    path = write_table(frame, args.out, force=args.force)
    console.emit(
        {"predictions": str(path), "rows": len(frame), "columns": list(frame.columns)},
        str(path),
    )
    return OK


def report(args, console) -> int:
    output_path(args.out, force=args.force, what="report")
    found = inputs_for(args.model, args.data, target=args.target, **reading(args))
    y = known_target(found.y, found.target, args.data)
    title = f"Report: {args.model} on {args.data}"
    path = write_report(found.model, found.X, y, args.out, force=args.force, title=title)
    path = Path(path).resolve()  # absolute, also for the default out in the working directory
    console.emit({"report": str(path)}, str(path))
    return OK


def summary(args, console) -> int:
    model = load_model(args.model)
    described = summary_of(model, args.model)
    console.emit(described, summary_text(model, described))
    return OK
