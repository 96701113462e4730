"""The ONNX model of an mlpkit model: its inputs (the user's columns), the graph, its outputs.

Inputs. Without categorical columns the file takes one input ``"X"`` (n, n_columns) in the
export dtype T: the user's columns in the order of ``fit`` (the preprocessor's, or the network's
features without one). With categorical columns it takes one input per column, named after
it, of shape (n, 1): text categories as strings, every other column (numbers, numeric or
boolean categories as 0/1) in T. A missing number is NaN; a missing text is one of the
preprocessor's missing-value tokens (e.g. ``""``), matched exactly.

Outputs. A classifier: ``"probabilities"`` (n, n_classes), as ``predict_proba``, and
``"label"`` (n,), as ``predict``. A regressor or a network: ``"output"`` (n, n_outputs), as
``predict`` (in the target's units), and ``"label"`` as ``predict_classes`` when the network was
fitted for a classification ((n, n_outputs) 0/1 for several sigmoids).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import onnx_graph
from .onnx_graph import Graph
from .steps import network_steps
from .tables import target_scale


@dataclass(frozen=True)
class Port:
    """One input or output of the file: ``name``, NumPy ``dtype`` (object for text), width,
    and the user's ``columns`` it carries."""

    name: str
    dtype: object
    width: int | None
    columns: tuple = ()


def build(onnx, model, net, spec, dtype, opset: int):
    """The ``ModelProto`` of ``model`` and its ``(inputs, outputs)`` ports.

    Args:
        onnx: the onnx module.
        model, net: the model and its network (the same object for a network).
        spec: the :class:`~.tables.Inputs` of its preprocessor, or None to take its features.
        dtype: np.float32 or np.float64, the file's number type.
        opset: the ONNX operator set.
    """
    g = Graph(onnx, reserved=() if spec is None else [c.label for c in spec.columns])
    inputs, features = _inputs(g, net, spec, dtype)
    x = onnx_graph.layers(g, features, network_steps(net.layers, net.sizes), dtype)
    outputs = _outputs(g, model, net, x, dtype)
    graph = onnx.helper.make_graph(
        g.nodes,
        "mlpkit",
        [_value_info(onnx, port) for port in inputs],
        [_value_info(onnx, port) for port in outputs],
        g.constants,
    )
    imports = [onnx.helper.make_opsetid("", opset), onnx.helper.make_opsetid("ai.onnx.ml", 3)]
    proto = onnx.helper.make_model(graph, opset_imports=imports, producer_name="mlpkit")
    proto.ir_version = onnx.helper.find_min_ir_version_for(imports)  # older runtimes read it
    return proto, (inputs, outputs)


def _value_info(onnx, port: Port):
    shape = ["n"] if port.width is None else ["n", port.width]  # n rows, any number
    return onnx.helper.make_tensor_value_info(
        port.name, onnx_graph.tensor_type(onnx, port.dtype), shape
    )


# -- inputs -------------------------------------------------------------------------------------
def _inputs(g: Graph, net, spec, dtype) -> tuple[list[Port], str]:
    """The input ports and the network's features (n, n_features) in dtype."""
    if spec is None:
        return [Port("X", dtype, net.n_features)], "X"
    if spec.categorical:
        ports, features = _by_column(g, spec, dtype)
    else:
        labels = tuple(column.label for column in spec.columns)
        ports = [Port("X", dtype, len(labels), labels)]
        features = _numbers(g, g.cast("X", np.float64), spec.columns)
    if spec.scale is not None:
        features = onnx_graph.scale(g, features, spec.scale)
    return ports, g.cast(features, dtype)


def _numbers(g: Graph, x: str, columns) -> str:
    """Numeric columns x (n, k) float64 → filled, with their indicator columns appended."""
    gaps = onnx_graph.missing(g, x)
    x = onnx_graph.filled(g, x, gaps, [column.fill for column in columns])
    flagged = [i for i, column in enumerate(columns) if column.indicator]
    if not flagged:
        return x
    flags = g.op("Gather", g.cast(gaps, np.float64), g.const(flagged, np.int64), axis=1)
    return g.op("Concat", x, flags, axis=1)


#: The names of the file's outputs, which no input (column) may take.
OUTPUT_NAMES = ("output", "probabilities", "label")


def _by_column(g: Graph, spec, dtype) -> tuple[list[Port], str]:
    taken = [c.label for c in spec.columns if c.label in OUTPUT_NAMES]
    if taken:
        raise ValueError(
            f"to_onnx names each input after its column, and column {taken[0]!r} has the name "
            f"of an output ({', '.join(OUTPUT_NAMES)}); rename the column before fitting."
        )
    ports, pieces, flags = [], [], []
    for column in spec.columns:
        name = column.label
        if column.text:
            ports.append(Port(name, object, 1, (name,)))
            piece, gaps = onnx_graph.one_hot_text(g, name, column, spec.tokens)
        else:
            ports.append(Port(name, dtype, 1, (name,)))
            x = g.cast(name, np.float64)
            if column.categories is None:
                gaps = onnx_graph.missing(g, x)
                piece = onnx_graph.filled(g, x, gaps, [column.fill])
            else:
                piece, gaps = onnx_graph.one_hot_numbers(g, x, column)
        pieces.append(piece)
        if column.indicator:
            flags.append(g.cast(gaps, np.float64))
    return ports, g.op("Concat", *pieces, *flags, axis=1)


# -- outputs ------------------------------------------------------------------------------------
def _outputs(g: Graph, model, net, y: str, dtype) -> list[Port]:
    scale = target_scale(net, "to_onnx")
    if scale is not None:
        y = g.cast(onnx_graph.scale(g, g.cast(y, np.float64), scale, inverse=True), dtype)
    estimator = model is not net
    classifier = estimator and net.classes_ is not None
    if not classifier:
        ports = [Port("output", dtype, net.n_outputs)]
        g.op("Identity", y, output="output")
    else:
        proba = y
        if net.n_outputs == 1:  # predict_proba's two columns [1 − p, p]
            proba = g.op("Concat", g.op("Sub", g.const([[1]], dtype), y), y, axis=1)
        g.op("Identity", proba, output="probabilities")
        ports = [Port("probabilities", dtype, max(net.n_outputs, 2))]
    if net.target is not None and net.target.classification:
        ports.append(_labels(g, net, y, dtype))
    return ports


def _labels(g: Graph, net, proba: str, dtype) -> Port:
    """``predict_classes``: classes_[p > 0.5] for one unit, classes_[argmax] for a softmax, a
    0/1 matrix for several sigmoids."""
    if net.task == "multilabel" or net.n_outputs == 1:
        above = g.op("Greater", proba, g.const(0.5, dtype))
        if net.task == "multilabel":
            g.cast(above, np.int64, output="label")
            return Port("label", np.int64, net.n_outputs)
        index = g.op("Reshape", g.cast(above, np.int64), g.const([-1], np.int64))
    else:
        index = g.op("ArgMax", proba, axis=1, keepdims=0)
    values, kind = label_values(net.classes_)
    g.op("Gather", g.const(values, kind), index, axis=0, output="label")
    return Port("label", kind, None)


def label_values(classes) -> tuple[np.ndarray, object]:
    """``classes_`` as a tensor ONNX holds: text, int64, float64 or bool (and that dtype)."""
    kind = np.asarray(classes).dtype.kind
    if kind in "iu":
        return np.asarray(classes, dtype=np.int64), np.int64
    if kind in "fb":
        dtype = np.float64 if kind == "f" else np.bool_
        return np.asarray(classes, dtype=dtype), dtype
    return np.array([str(c) for c in classes], dtype=object), object
