"""The check of an exported file: what the model itself predicts, and how far the file is.

:func:`expected` asks the model through its own API (``predict_proba`` and ``predict`` of a
classifier, ``predict`` of a regressor, ``predict``/``predict_classes`` of a network), or runs
the network's layers on features when the file leaves the preprocessor out. :func:`compare`
measures numbers by |a − b| and |a − b|/max(1, |b|) (absolute for probabilities, relative for
values in large units) and counts labels that differ, except on rows whose probabilities sit
within the tolerance of a decision boundary, where float rounding may tip either side.
"""

from __future__ import annotations

import warnings

import numpy as np


def expected(model, net, rows, include_preprocessor: bool) -> dict:
    """The model's own outputs on ``rows``, under the names of the file's outputs
    (:mod:`.onnx_model`): arrays (n, k), labels (n,) or (n, k)."""
    classification = net.target is not None and net.target.classification
    with warnings.catch_warnings():  # unseen probe categories warn; both sides give zeros
        warnings.simplefilter("ignore")
        if include_preprocessor:
            return _predicted(model, net, rows, classification)
        output = net.forward(np.asarray(rows, dtype=net.dtype))
    output = output if net.target is None else net.target.decode(output)
    labels = {"label": net.target.labels(output)} if classification else {}
    if model is not net and classification:
        proba = np.hstack([1 - output, output]) if output.shape[1] == 1 else output
        return {"probabilities": proba, **labels}
    return {"output": output, **labels}


def _predicted(model, net, rows, classification: bool) -> dict:
    if model is net:
        labels = {"label": net.predict_classes(rows)} if classification else {}
        return {"output": net.predict(rows), **labels}
    if classification:
        return {"probabilities": model.predict_proba(rows), "label": model.predict(rows)}
    values = np.asarray(model.predict(rows))
    return {"output": values.reshape(len(values), -1)}


def compare(got: dict, expected: dict, tolerance: float) -> dict:
    """Compare onnxruntime's outputs ``got`` with the model's ``expected``, name by name.

    Returns:
        ``{"agrees", "max_abs_difference", "max_relative_difference", "label_mismatches",
        "tolerance", "probe_rows"}``.
    """
    worst_abs, worst_rel = 0.0, 0.0
    for name, want in expected.items():
        if name != "label":
            diff = _difference(np.asarray(got[name]), np.asarray(want, dtype=np.float64))
            worst_abs = max(worst_abs, float(diff.max(initial=0.0)))
            scaled = diff / np.fmax(1, np.abs(want))  # fmax: NaN in want counts as 1
            worst_rel = max(worst_rel, float(scaled.max(initial=0.0)))
    mismatches = _label_mismatches(got, expected, tolerance)
    return {
        "agrees": worst_rel <= tolerance and mismatches == 0,
        "max_abs_difference": worst_abs,
        "max_relative_difference": worst_rel,
        "label_mismatches": mismatches,
        "tolerance": tolerance,
        "probe_rows": len(next(iter(expected.values()))),
    }


def _difference(have: np.ndarray, want: np.ndarray) -> np.ndarray:
    """|have − want| with NaN = NaN counted as 0 and NaN against a number as infinite."""
    have = have.astype(np.float64).reshape(want.shape)
    diff = np.where(np.isnan(want) & np.isnan(have), 0.0, np.abs(have - want))
    return np.where(np.isnan(diff), np.inf, diff)


def _label_mismatches(got: dict, expected: dict, tolerance: float) -> int:
    """Labels that differ, not counting those within ``tolerance`` of a decision boundary."""
    if "label" not in expected:
        return 0
    want = np.asarray(expected["label"])
    differ = np.asarray(got["label"]).astype(str).reshape(want.shape) != want.astype(str)
    proba = np.asarray(expected.get("probabilities", expected.get("output")), dtype=np.float64)
    return int(np.sum(differ & (_margin(proba, want.ndim == 2) > tolerance)))


def _margin(proba: np.ndarray, multilabel: bool) -> np.ndarray:
    """How far each decision is from its boundary: |p − ½| for one unit (or each of several
    sigmoids), else the gap between the two most probable classes."""
    if multilabel or proba.shape[1] == 1:
        margin = np.abs(proba - 0.5)
        return margin if multilabel else margin[:, 0]
    top = np.sort(proba, axis=1)
    return top[:, -1] - top[:, -2]
