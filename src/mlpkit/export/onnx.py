"""Export a trained model to an ONNX file that checks itself before it is written.

``to_onnx(model, path)`` builds the graph (:mod:`.onnx_model`: the preprocessing's numeric
part, the layers, the target's inverse scaling, probabilities and labels), runs it in
onnxruntime on a probe batch (:mod:`.probe`) beside the model's own ``predict``, and writes the
file only when every output agrees within the tolerance: |onnx − mlpkit| ≤ tol·max(1, |mlpkit|)
for numbers (absolute for probabilities, relative for values in large units), equality for
labels. The check is kept in the file's ``metadata_props``: ``max_abs_difference``,
``max_relative_difference``, ``tolerance``, ``probe_rows``, ``opset``, ``dtype``,
``mlpkit_version``, and ``inputs``/``outputs``/``classes`` as JSON.

onnx and onnxruntime are imported only here, when an export is asked for
(``pip install "mlpkit[onnx]"``).
"""

from __future__ import annotations

import json
import os

import numpy as np

from .._validation import check_features
from .._version import __version__
from ..modelfile import write_atomically
from ..persistence.atomic import refuse_existing
from . import onnx_model, probe, verify
from .steps import network_of
from .tables import input_spec

#: The default operator set: read by onnxruntime ≥ 1.14 (2023); the graph needs ≥ MIN_OPSET.
OPSET, MIN_OPSET = 18, 13
#: Default tolerance by the coarsest float type involved (the network's or the file's).
TOLERANCE = {"float32": 1e-5, "float64": 1e-9}
_ORT_TYPES = {"tensor(string)": object, "tensor(float)": np.float32, "tensor(double)": np.float64}


class ExportMismatchError(ValueError):
    """The exported graph disagrees with the model beyond the tolerance (nothing was written);
    ``report`` holds the measured differences."""

    def __init__(self, message: str, report: dict) -> None:
        super().__init__(message)
        self.report = report


def to_onnx(
    model,
    path,
    *,
    dtype=None,
    probe_rows=None,
    tolerance: float | None = None,
    opset: int = OPSET,
    include_preprocessor: bool = True,
    overwrite: bool = False,
) -> str:
    """Write ``model`` as an ONNX file at ``path`` after checking it in onnxruntime.

    Args:
        model: an ``mk.Sequential`` or a fitted ``MLPClassifier``/``MLPRegressor``.
        path: the file to write (e.g. ``"model.onnx"``).
        dtype: "float32" or "float64", the file's number type. Defaults to the network's.
        probe_rows: the rows to check on, as ``predict`` takes them (raw columns). Defaults to
            64 rows made from what the model learned (:func:`.probe.probe_rows`).
        tolerance: the largest difference allowed. Defaults to 1e-5 when float32 is involved,
            else 1e-9.
        opset: the ONNX operator set. Defaults to :data:`OPSET`.
        include_preprocessor: fold the preprocessor's fills, one-hot categories and scaling in
            (default); False: the file takes ``net.preprocessor.transform(X)``.
        overwrite: replace a file at ``path``. Defaults to False (an existing file is refused).

    Returns:
        ``path`` as a string; the file's inputs and outputs are described in
        :mod:`mlpkit.export.onnx_model` and in its metadata.

    Raises:
        ImportError: onnx or onnxruntime is not installed.
        TypeError: ``model`` is not a network or a fitted estimator, or ``path`` is no path.
        IsADirectoryError, FileExistsError, FileNotFoundError: ``path`` is a folder, exists
            (without ``overwrite``), or its folder does not exist.
        ValueError: the dtype is not float32/float64, or the preprocessor cannot be folded in.
        ExportMismatchError: onnxruntime disagrees with the model; no file is written.

    Example:
        >>> import os, tempfile, numpy as np, mlpkit as mk, onnxruntime
        >>> net = mk.Sequential([mk.layers.Dense(2, activation="softmax")], random_state=0)
        >>> _ = net.fit(np.eye(2), ["no", "yes"], loss="categorical_cross_entropy", epochs=1)
        >>> path = mk.export.to_onnx(net, os.path.join(tempfile.mkdtemp(), "net.onnx"))
        >>> session = onnxruntime.InferenceSession(path)
        >>> proba, labels = session.run(None, {"X": np.eye(2, dtype="float32")})
        >>> labels.tolist() == net.predict_classes(np.eye(2)).tolist()
        True
    """
    onnx, ort = _require()
    net = network_of(model, "to_onnx")
    path = _target(path, overwrite)
    dtype = _dtype(dtype, net)
    if not MIN_OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise ValueError(
            f"to_onnx opset must be from {MIN_OPSET} to {onnx.defs.onnx_opset_version()} (this "
            f"onnx); got opset={opset!r}."
        )
    spec = input_spec(net.preprocessor, "to_onnx", one_hot=True) if include_preprocessor else None
    proto, (inputs, outputs) = onnx_model.build(onnx, model, net, spec, dtype, opset)
    onnx.checker.check_model(proto)
    rows = probe_rows if probe_rows is not None else probe.probe_rows(net, spec, dtype)
    if spec is None:  # the file takes features: the width check predict makes, named here
        check_features(rows, dtype=dtype, n_features=net.n_features, name="to_onnx probe_rows")
    rows = probe.rounded(rows, spec, dtype)
    missing_text = spec.tokens[0] if spec is not None and spec.tokens else ""
    expected = verify.expected(model, net, rows, include_preprocessor)  # the model's own checks
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    got = session.run(None, probe.feed(rows, inputs, missing_text))
    tolerance = _tolerance(tolerance, dtype, net)
    report = verify.compare(dict(zip([p.name for p in outputs], got)), expected, tolerance)
    if not report["agrees"]:
        raise ExportMismatchError(_mismatch(report, path), report)
    props = _metadata(model, net, report, dtype, opset, inputs, outputs, missing_text)
    onnx.helper.set_model_props(proto, props)
    write_atomically(
        path, lambda stream: stream.write(proto.SerializeToString()), overwrite=overwrite
    )
    return path


def _require():
    try:
        import onnx
        import onnxruntime
    except ImportError as error:
        raise ImportError(
            f"to_onnx needs onnx and onnxruntime ({error.name} is missing): "
            f'pip install "mlpkit[onnx]"'
        ) from error
    return onnx, onnxruntime


def _target(path, overwrite: bool) -> str:
    """``path`` as a file to write, refused before anything is built (as ``net.save`` refuses a
    folder; an existing file only with ``overwrite=True``)."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise TypeError(
            f"path must be a file name (str or os.PathLike), such as 'model.onnx'; got "
            f"path={path!r} ({type(path).__name__})."
        ) from None
    if os.path.isdir(path):
        suggestion = os.path.join(path, "model.onnx")
        raise IsADirectoryError(f"{path} is a folder; export to a file in it, e.g. {suggestion!r}.")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {path!r}: the folder {folder!r} does not exist.")
    if not overwrite:
        refuse_existing(path)
    return path


def _dtype(dtype, net):
    name = np.dtype(net.dtype if dtype is None else dtype).name
    if name not in TOLERANCE:
        raise ValueError(f"to_onnx dtype must be 'float32' or 'float64'; got dtype={dtype!r}.")
    return np.dtype(name).type


def _tolerance(tolerance, dtype, net) -> float:
    if tolerance is not None:
        return float(tolerance)
    coarse = "float32" in (np.dtype(dtype).name, np.dtype(net.dtype).name)
    return TOLERANCE["float32" if coarse else "float64"]


def _mismatch(report: dict, path: str) -> str:
    return (
        f"to_onnx did not write {path}: onnxruntime disagrees with the model on the probe batch "
        f"of {report['probe_rows']} rows (max |difference| {report['max_abs_difference']:.3g}, "
        f"relative {report['max_relative_difference']:.3g}, tolerance {report['tolerance']:g}; "
        f"{report['label_mismatches']} label(s) differ). Try dtype='float64', or report this "
        f"model's layers as a bug."
    )


def _metadata(model, net, report, dtype, opset, inputs, outputs, missing_text) -> dict:
    """The ``metadata_props`` of the file: the check, and what the inputs and outputs are."""
    ports = lambda group: [  # noqa: E731
        {"name": p.name, "dtype": np.dtype(p.dtype).name, "columns": list(p.columns)} for p in group
    ]
    props = {
        "mlpkit_version": __version__,
        "model": type(model).__name__,
        "opset": str(opset),
        "dtype": np.dtype(dtype).name,
        "max_abs_difference": repr(report["max_abs_difference"]),
        "max_relative_difference": repr(report["max_relative_difference"]),
        "tolerance": repr(report["tolerance"]),
        "probe_rows": str(report["probe_rows"]),
        "inputs": json.dumps(ports(inputs)),
        "outputs": json.dumps(ports(outputs)),
        "missing_text": missing_text,
    }
    if net.classes_ is not None:
        props["classes"] = json.dumps([c.item() if hasattr(c, "item") else c for c in net.classes_])
    return props


# -- serving ------------------------------------------------------------------------------------
def onnx_feed(session, rows) -> dict:
    """The inputs of an exported file's onnxruntime ``session`` for ``rows`` (a DataFrame with
    the user's columns, or an array), as :func:`to_onnx` feeds its probe batch.

    Example (``session = onnxruntime.InferenceSession("model.onnx")``)::

        proba, labels = session.run(None, mk.export.onnx_feed(session, frame))
    """
    meta = session.get_modelmeta().custom_metadata_map
    columns = {p["name"]: tuple(p["columns"]) for p in json.loads(meta.get("inputs", "[]"))}
    ports = [
        onnx_model.Port(i.name, _ORT_TYPES[i.type], None, columns.get(i.name, ()))
        for i in session.get_inputs()
    ]
    return probe.feed(rows, ports, meta.get("missing_text", ""))
