"""``mlpkit export onnx MODEL OUT``: a saved model as an ONNX file, checked before it is written.

The file is :func:`mlpkit.export.to_onnx`'s: the preprocessing's numeric part, the layers and
the outputs in one graph, run in onnxruntime on a probe batch beside the model's own
``predict``; it is written only when the two agree within the tolerance, and the measured
difference is printed (and kept in the file's metadata). An existing OUT is replaced only with
``--force``. Exit codes: 0 written, 1 refused (the model cannot be exported, or onnxruntime
disagrees with it: nothing is written), 2 bad usage (no model file, OUT a folder or existing).
"""

from __future__ import annotations

from .conventions import OK, CommandError, command, force_option, output_path, with_example
from .inputs import load_model, read_frame

SUMMARY = "export a saved model to run without mlpkit (ONNX)"


def register(commands) -> None:
    """Add ``export`` (with its format ``onnx``) to the ``mlpkit`` sub-command parsers."""
    parser = commands.add_parser(
        "export",
        help=SUMMARY,
        **with_example(
            "Export a saved model to a format that runs without mlpkit.",
            "mlpkit export onnx results/model.mlpk model.onnx",
        ),
    )
    formats = parser.add_subparsers(dest="format", required=True, metavar="FORMAT")
    onnx_parser = command(
        formats,
        "onnx",
        "an ONNX file that takes the table's columns, checked in onnxruntime",
        "Write a saved model (a network or an estimator file) as an ONNX file: the "
        "preprocessing's fills, one-hot categories and scaling, the layers, and the outputs "
        "(probabilities and labels, or values in the target's units) in one graph. It is run "
        "in onnxruntime on a probe batch beside the model's own predictions and written only "
        "when they agree within the tolerance; the difference is printed and kept in the "
        'file\'s metadata. Needs onnx and onnxruntime: pip install "mlpkit[onnx]".',
        "mlpkit export onnx results/model.mlpk model.onnx --dtype float32",
    )
    onnx_parser.add_argument("model", metavar="MODEL.mlpk", help="a model file (mlpkit train)")
    onnx_parser.add_argument("out", metavar="OUT.onnx", help="the ONNX file to write")
    onnx_parser.add_argument(
        "--dtype",
        choices=("float32", "float64"),
        help="the file's number type (default: the model's)",
    )
    onnx_parser.add_argument(
        "--tolerance",
        type=float,
        help="the largest difference allowed (default 1e-5 with float32, else 1e-9)",
    )
    onnx_parser.add_argument(
        "--probe",
        metavar="DATA",
        help="a table (CSV or Parquet) whose rows the file is checked on (default: 64 rows "
        "made from what the model learned)",
    )
    force_option(onnx_parser, "an ONNX file")
    onnx_parser.set_defaults(handler=export_onnx)


def export_onnx(args, console) -> int:
    """Write ``args.model`` as the ONNX file ``args.out`` and print the check."""
    from mlpkit.export import ExportMismatchError, to_onnx

    output_path(args.out, force=args.force, what="ONNX file")  # refused before any work
    model = load_model(args.model)
    probe = None if args.probe is None else read_frame(args.probe)
    options = {"dtype": args.dtype, "tolerance": args.tolerance, "probe_rows": probe}
    try:
        path = to_onnx(model, args.out, overwrite=args.force, **options)
    except (ExportMismatchError, ImportError, TypeError, ValueError) as error:
        raise CommandError(f"{args.model} was not exported: {error}") from error
    described = described_file(path)
    console.emit(described, text_of(described))
    return OK


def described_file(path: str) -> dict:
    """What :func:`~mlpkit.export.to_onnx` recorded in the file's metadata, with its path."""
    import json

    import onnx

    props = {p.key: p.value for p in onnx.load(path, load_external_data=False).metadata_props}
    numbers = ("max_abs_difference", "max_relative_difference", "tolerance")
    described = {"onnx": path, **{key: props[key] for key in ("dtype", "opset", "model")}}
    described.update({key: float(props[key]) for key in numbers})
    described["probe_rows"] = int(props["probe_rows"])
    for key in ("inputs", "outputs"):
        described[key] = [port["name"] for port in json.loads(props[key])]
    return described


def text_of(described: dict) -> str:
    return (
        f"{described['onnx']}: {described['model']} as ONNX (opset {described['opset']}, "
        f"{described['dtype']}); checked in onnxruntime on {described['probe_rows']} rows: max "
        f"|difference| {described['max_abs_difference']:.3g} (tolerance "
        f"{described['tolerance']:g}); inputs {', '.join(described['inputs'])}; outputs "
        f"{', '.join(described['outputs'])}"
    )
