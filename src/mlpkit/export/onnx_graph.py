"""An ONNX graph built node by node with ``onnx.helper``: the preprocessing, the layers and the
outputs of a model, from the plain descriptions of :mod:`.steps` and :mod:`.tables`.

Numbers flow in the network's dtype T (float32 or float64) through the layers; the
preprocessing and the target's inverse scaling compute in float64, as scikit-learn and mlpkit
do. Two operators onnxruntime lacks in float64 are written out: artanh as ½·ln((1 + z)/(1 − z))
and erf (exact GELU) as its series 2/√π·e^(−u²)·Σₙ 2ⁿu^(2n+1)/(1·3···(2n+1)) over |u| ≤ 6, a
sum of positive terms (no cancellation) that reaches 1e-15 in :data:`ERF_TERMS` terms.

Samples on shaped layers are channels-first, as ONNX's: Reshape / Flatten → ``Reshape`` /
``Flatten``; Conv1D/2D → ``Conv`` (kernel Wᵀ reshaped to (filters, C, k…), the pads as
given, before and after); pooling → ``MaxPool``, ``AveragePool`` (``count_include_pad=1``) and,
for GlobalAveragePool, a ``MatMul`` of (n, C, S) by the column (1/S, …) (in any dtype);
SimpleRNN / LSTM / GRU → ``RNN`` / ``LSTM`` / ``GRU`` on the time-major sequence (``Transpose``
around them), with the gate blocks reordered from torch's to ONNX's (LSTM i, f, g, o → i, o,
f, c; GRU r, z, n → z, r, h with ``linear_before_reset=1``, torch's GRU). onnxruntime has
float32 kernels only for Conv, AveragePool and the recurrent ops (:data:`FLOAT32_ONLY`), so
those layers are written in float32 files only.
"""

from __future__ import annotations

import math

import numpy as np

from ..data.scaling import Z_MAX

#: Terms of the float64 erf series (enough for |u| ≤ 6; erf(6) is 1 in float64).
ERF_TERMS = 100
#: The unit index of a text cell that is a missing-value token (unknown categories get −1).
TOKEN = -2
#: The steps whose ONNX operators onnxruntime runs in float32 only, and those operators.
FLOAT32_ONLY = {"conv": "Conv", "avg_pool": "AveragePool", "recurrent": "RNN/LSTM/GRU"}
#: Torch's gate blocks in ONNX's order: LSTM (i, f, g, o) → (i, o, f, c), GRU (r, z, n) → (z,
#: r, h); a SimpleRNN has one block.
ONNX_GATES = {"lstm": (0, 3, 1, 2), "gru": (1, 0, 2), "simple_rnn": (0,)}


class Graph:
    """The nodes and constants of one graph; :meth:`op` adds a node and returns its output.

    Args:
        onnx: the ``onnx`` module (imported by the caller, so a missing one is said once).
        reserved: names the graph's own tensors never take (the inputs, named by the user).
    """

    def __init__(self, onnx, reserved=()) -> None:
        self.onnx, self.nodes, self.constants, self._names = onnx, [], [], 0
        self.reserved = set(reserved)

    def _name(self, stem: str) -> str:
        self._names += 1
        name = f"mlpkit/{stem}_{self._names}"
        return self._name(stem) if name in self.reserved else name

    def const(self, values, dtype=None) -> str:
        """A constant tensor (``values`` as an array of ``dtype``); returns its name."""
        array = np.asarray(values, dtype=dtype)
        name = self._name("c")
        self.constants.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def op(self, op_type: str, *inputs: str, output: str | None = None, domain: str = "", **attrs):
        """Add the node ``op_type(inputs, **attrs)``; returns its (one) output's name."""
        output = output or self._name(op_type.lower())
        node = self.onnx.helper.make_node(
            op_type, list(inputs), [output], domain=domain or None, **attrs
        )
        self.nodes.append(node)
        return output

    def cast(self, x: str, dtype, output: str | None = None) -> str:
        return self.op("Cast", x, output=output, to=tensor_type(self.onnx, dtype))


def tensor_type(onnx, dtype) -> int:
    """The ONNX element type of a NumPy dtype (float32, float64, int64, bool, or str)."""
    dtype = np.dtype(dtype)
    if dtype.kind in "OUS":
        return onnx.TensorProto.STRING
    return onnx.helper.np_dtype_to_tensor_dtype(dtype)


# -- the layers ---------------------------------------------------------------------------------
def layers(g: Graph, x: str, steps, dtype) -> str:
    """The steps of :func:`~.steps.network_steps` on x (n, n_in) in dtype; returns the output."""
    for step in steps:
        x = _step(g, x, step, dtype)
    return x


def _step(g: Graph, x: str, step, dtype) -> str:
    arrays = step.arrays
    if step.kind == "dense":
        z = g.op("MatMul", x, g.const(arrays["W"], dtype))
        return g.op("Add", z, g.const(arrays["b"], dtype)) if "b" in arrays else z
    if step.kind == "dropout":  # the identity at inference
        return x
    if step.kind == "batchnorm":  # as mlpkit: (x − μ)·γ/√(σ² + ε) + β, the scale in T
        # per channel on (n, C, *S): the vectors as (C, 1, …) to broadcast over positions
        shape = (-1,) + (1,) * step.options["rank"]
        typed = {name: values.astype(dtype).reshape(shape) for name, values in arrays.items()}
        scale = typed["gamma"] / np.sqrt(typed["running_var"] + dtype(step.options["epsilon"]))
        centred = g.op("Sub", x, g.const(typed["running_mean"]))
        return g.op("Add", g.op("Mul", centred, g.const(scale)), g.const(typed["beta"]))
    if step.kind == "residual":
        body = layers(g, x, step.body, dtype)
        skip = x
        if "projection" in arrays:
            skip = g.op("MatMul", x, g.const(arrays["projection"], dtype))
        return g.op("Add", body, skip)
    if step.kind == "activation":
        return activation(g, x, step, dtype)
    return shaped(g, x, step, dtype)


def shaped(g: Graph, x: str, step, dtype) -> str:
    """One step on shaped samples (or Flatten / Reshape) on x, channels-first."""
    if step.kind in FLOAT32_ONLY and np.dtype(dtype) != np.float32:
        raise ValueError(
            f"to_onnx cannot write a {step.kind!r} layer in a {np.dtype(dtype).name} file: "
            f"onnxruntime has float32 kernels only for ONNX {FLOAT32_ONLY[step.kind]}. "
            f"Pass dtype='float32'."
        )
    options = step.options
    if step.kind == "flatten":
        return g.op("Flatten", x, axis=1)
    if step.kind == "reshape":  # 0 keeps the batch axis
        return g.op("Reshape", x, g.const([0, *options["shape"]], np.int64))
    if step.kind == "conv":
        return _conv(g, x, step, dtype)
    if step.kind in ("max_pool", "avg_pool"):
        pads = [p for p, _ in options["pads"]] + [p for _, p in options["pads"]]
        window = {"kernel_shape": list(options["pool_size"]), "strides": list(options["stride"])}
        if step.kind == "max_pool":
            return g.op("MaxPool", x, pads=pads, **window)
        return g.op("AveragePool", x, pads=pads, count_include_pad=1, **window)
    if step.kind == "global_average_pool":
        return _global_average(g, x, step, dtype)
    if step.kind == "recurrent":
        return _recurrent(g, x, step, dtype)
    raise ValueError(f"Cannot export the step {step.kind!r} to ONNX.")


def _conv(g: Graph, x: str, step, dtype) -> str:
    options, W = step.options, step.arrays["W"]
    kernel = W.T.reshape(options["filters"], options["channels"], *options["kernel_size"])
    inputs = [x, g.const(kernel, dtype)]
    if "b" in step.arrays:
        inputs.append(g.const(step.arrays["b"], dtype))
    pads = options["pads"]
    return g.op(
        "Conv",
        *inputs,
        kernel_shape=list(options["kernel_size"]),
        strides=list(options["stride"]),
        dilations=list(options["dilation"]),
        pads=[before for before, _ in pads] + [after for _, after in pads],
    )


def _global_average(g: Graph, x: str, step, dtype) -> str:
    """(n, C, *S) → (n, C, S) · (1/S, …)ᵀ → (n, C): a MatMul, which runs in any dtype."""
    positions = int(np.prod(step.options["in_shape"][1:]))
    rows = g.op("Reshape", x, g.const([0, 0, positions], np.int64))
    mean = g.op("MatMul", rows, g.const(np.full((positions, 1), 1 / positions), dtype))
    return g.op("Flatten", mean, axis=1)


def _recurrent(g: Graph, x: str, step, dtype) -> str:
    """RNN / LSTM / GRU on x (n, T, F), as Transpose to (T, n, F), the op (Y (T, 1, n, H)),
    then (n, T, H) for every state or (n, H) for the last."""
    arrays, options, name = step.arrays, step.options, step.name
    order = ONNX_GATES[name]

    def onnx_order(a):  # the gate blocks of the last axis (G·H) in ONNX's order
        blocks = np.split(a, len(order), axis=-1)
        return np.concatenate([blocks[i] for i in order], axis=-1)

    # B = [Wb, Rb]: b, then GRU's b_rec (0 for the cells with one bias)
    b_rec = arrays.get("b_rec", np.zeros_like(arrays["b"]))
    bias = np.concatenate([onnx_order(arrays["b"]), onnx_order(b_rec)])[None]
    attrs = {"hidden_size": options["units"]}
    if name == "simple_rnn":
        attrs["activations"] = [options["activation"].capitalize()]
    if name == "gru":
        attrs["linear_before_reset"] = 1
    op = {"simple_rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}[name]
    sequence = g.op("Transpose", x, perm=[1, 0, 2])
    states = g.op(
        op,
        sequence,
        g.const(onnx_order(arrays["W"]).T[None], dtype),  # (1, G·H, F)
        g.const(onnx_order(arrays["U"]).T[None], dtype),  # (1, G·H, H)
        g.const(bias, dtype),
        **attrs,
    )
    if options["return_sequences"]:
        every = g.op("Squeeze", states, g.const([1], np.int64))
        return g.op("Transpose", every, perm=[1, 0, 2])
    last = g.op("Gather", states, g.const(options["time"] - 1, np.int64), axis=0)
    return g.op("Squeeze", last, g.const([0], np.int64))


def activation(g: Graph, z: str, step, dtype) -> str:
    """One activation step on z; the formulas are mlpkit's (see :mod:`mlpkit.layers`)."""
    name, options = step.name, step.options
    one = lambda value: g.const(value, dtype)  # noqa: E731
    simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}
    if name in simple:
        return g.op(simple[name], z)
    if name == "softmax":
        return g.op("Softmax", z, axis=1)
    positive = lambda: g.op("Greater", z, one(0))  # noqa: E731
    # slopes as constants in T: the attributes of LeakyRelu and Elu are float32
    if name == "leaky_relu":
        return g.op("Where", positive(), z, g.op("Mul", z, one(options["negative_slope"])))
    if name == "prelu":
        return g.op("PRelu", z, g.const(step.arrays["alpha"], dtype))
    if name == "elu":  # α(e^min(z, 0) − 1) below 0
        below = g.op("Sub", g.op("Exp", g.op("Min", z, one(0))), one(1))
        return g.op("Where", positive(), z, g.op("Mul", below, one(options["alpha"])))
    if name == "softplus":  # ln(1 + e^(−|z|)) + max(z, 0), which never overflows
        tail = g.op("Exp", g.op("Neg", g.op("Abs", z)))
        return g.op("Add", g.op("Log", g.op("Add", tail, one(1))), g.op("Relu", z))
    if name == "silu":
        return g.op("Mul", z, g.op("Sigmoid", z))
    if name == "step":
        return g.cast(positive(), dtype)
    if name == "gelu":
        return _gelu(g, z, options["approximate"], dtype)
    raise ValueError(f"Cannot export the activation {name!r} to ONNX.")


def _gelu(g: Graph, z: str, approximate: str, dtype) -> str:
    one = lambda value: g.const(value, dtype)  # noqa: E731
    if approximate == "tanh":  # ½z(1 + tanh(√(2/π)(z + 0.044715z³)))
        cube = g.op("Mul", g.op("Mul", z, z), z)
        inner = g.op("Add", z, g.op("Mul", cube, one(0.044715)))
        t = g.op("Tanh", g.op("Mul", inner, one(math.sqrt(2 / math.pi))))
    else:  # z·Φ(z) = ½z(1 + erf(z/√2))
        t = erf(g, g.op("Mul", z, one(1 / math.sqrt(2))), dtype)
    return g.op("Mul", g.op("Mul", z, one(0.5)), g.op("Add", t, one(1)))


def erf(g: Graph, u: str, dtype) -> str:
    """erf(u): onnxruntime's Erf in float32, the series of the module docstring in float64."""
    if np.dtype(dtype) == np.float32:
        return g.op("Erf", u)
    one = lambda value: g.const(value, dtype)  # noqa: E731
    a = g.op("Clip", g.op("Abs", u), one(0), one(6))
    t = g.op("Mul", g.op("Mul", a, a), one(2))  # 2u²
    total = one(1)
    for n in range(ERF_TERMS, 0, -1):  # Horner: 1 + 2u²/3·(1 + 2u²/5·(1 + …))
        total = g.op("Add", one(1), g.op("Mul", g.op("Mul", total, t), one(1 / (2 * n + 1))))
    gauss = g.op("Exp", g.op("Neg", g.op("Mul", a, a)))
    value = g.op("Mul", g.op("Mul", g.op("Mul", gauss, a), total), one(2 / math.sqrt(math.pi)))
    return g.op("Mul", value, g.op("Sign", u))


# -- scaling (float64) --------------------------------------------------------------------------
def scale(g: Graph, x: str, spec, *, inverse: bool = False) -> str:
    """x (n, k) float64 through a :class:`~.tables.Scale`, or through its inverse."""
    c = {name: g.const(values, np.float64) for name, values in spec.arrays.items()}
    if spec.kind == "standard":
        if inverse:
            return g.op("Add", g.op("Mul", x, c["scale"]), c["mean"])
        return g.op("Div", g.op("Sub", x, c["mean"]), c["scale"])
    if spec.kind == "minmax":
        if inverse:
            return g.op("Div", g.op("Sub", x, c["min"]), c["scale"])
        z = g.op("Add", g.op("Mul", x, c["scale"]), c["min"])
        if spec.clip is None:
            return z
        low, high = (g.const(bound, np.float64) for bound in spec.clip)
        return g.op("Clip", z, low, high)
    k = g.const(spec.k, np.float64)
    if not inverse:
        return g.op("Tanh", g.op("Div", g.op("Mul", g.op("Sub", x, c["mean"]), k), c["scale"]))
    z = g.op("Clip", x, g.const(-Z_MAX, np.float64), g.const(Z_MAX, np.float64))
    one = g.const(1.0, np.float64)
    ratio = g.op("Div", g.op("Add", one, z), g.op("Sub", one, z))
    artanh = g.op("Mul", g.op("Log", ratio), g.const(0.5, np.float64))
    return g.op("Add", c["mean"], g.op("Div", g.op("Mul", c["scale"], artanh), k))


# -- the user's columns (float64) ---------------------------------------------------------------
def missing(g: Graph, x: str) -> str:
    """True where x (float64) is NaN or ±inf, as mlpkit's missing-value mask."""
    return g.op("Or", g.op("IsNaN", x), g.op("IsInf", x))


def filled(g: Graph, x: str, gaps: str, fills) -> str:
    """x with each column's learned fill where ``gaps``; a column without fill keeps its gaps."""
    if all(value is None for value in fills):
        return x
    values = [np.nan if value is None else float(value) for value in fills]
    return g.op("Where", gaps, g.const([values], np.float64), x)


def one_hot_numbers(g: Graph, x: str, column) -> tuple[str, str]:
    """A numeric categorical column x (n, 1) float64 → (one-hot (n, k) float64, gaps)."""
    gaps = missing(g, x)
    x = filled(g, x, gaps, [_number(column.fill)])
    keys = [[_number(category) for category in column.categories]]
    return g.cast(g.op("Equal", x, g.const(keys, np.float64)), np.float64), gaps


def one_hot_text(g: Graph, x: str, column, tokens) -> tuple[str, str]:
    """A text column x (n, 1) string → (one-hot (n, k) float64, gaps): categories by exact
    text, a missing-value token becomes the learned fill, any other text all zeros."""
    categories = [str(c) for c in column.categories]
    tokens = [t for t in dict.fromkeys(tokens) if t not in categories]
    index = g.op(
        "LabelEncoder",
        x,
        domain="ai.onnx.ml",
        keys_strings=categories + tokens,
        values_int64s=list(range(len(categories))) + [TOKEN] * len(tokens),
        default_int64=-1,
    )
    gaps = g.op("Equal", index, g.const(TOKEN, np.int64))
    known = column.fill is not None and str(column.fill) in categories
    fill = categories.index(str(column.fill)) if known else -1
    index = g.op("Where", gaps, g.const(fill, np.int64), index)
    units = g.const([list(range(len(categories)))], np.int64)
    return g.cast(g.op("Equal", index, units), np.float64), gaps


def _number(value) -> float:
    return np.nan if value is None else float(value)
