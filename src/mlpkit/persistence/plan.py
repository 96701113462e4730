"""What a model document implies, checked before and after the model is rebuilt.

Before any array is read (:func:`check_document`): the document against its schema
(:mod:`.fields`), every part rebuilt on its own so that a bad one is named (each layer, the
regularizer, the loss, the optimizer's config, the preprocessor, the target, each random
stream's PCG64 state), and the arrays' declared shapes against the parameter count
P = Σ_layers Σ_specs prod(spec.shape), computed from the layers' ``build(n_in)`` (which
returns parameter specs and allocates nothing): ``params`` (P,), each ``optimizer/*`` (P,),
each ``state/*`` 1-D and at most the widest layer, in the document's dtype. So a file
declaring ``n_features = 10**12`` or a 2 GiB array is refused without allocating either.

After the arrays are read (:func:`check_arrays`): every value finite, variances ≥ 0. After the
model is built (:func:`check_built`): the preprocessor's output width, the target's units and
labels agree with the network.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from .. import losses, optim, regularizers
from ..data.preprocessor import Preprocessor
from ..layers import deserialize
from ..layers.base import build_layers, size_of
from ..network import check_parts
from ..targets import Target, check_target_scaler
from . import fields
from .errors import ModelFileError

#: What building a part from a crafted document may raise besides ModelFileError.
BUILD_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    IndexError,
    OverflowError,
    ZeroDivisionError,
    RecursionError,
    NotImplementedError,
)


@contextlib.contextmanager
def part(field: str):
    """Turn what building the part at ``field`` raises into a ModelFileError naming it."""
    try:
        yield
    except ModelFileError:
        raise
    except BUILD_ERRORS as error:
        raise ModelFileError(f"{type(error).__name__}: {error}", field=field) from None


def check_document(document: dict, shapes: dict, where: str = "model", prefix: str = "") -> None:
    """Refuse a document (ModelFileError naming the field) that does not fit its schema, whose
    parts cannot be built, or that does not match the arrays' declared ``shapes``
    (name → (dtype, shape)). ``where`` names the document in messages; ``prefix`` is the one
    its arrays' names carry in the archive (an ensemble member's)."""
    if document.get("class") in ("MLPClassifier", "MLPRegressor"):
        fields.ESTIMATOR(document, where)
        check_fitted(document, where)
        network, where = document["network"], f"{where}.network"
    else:
        fields.NETWORK(document, where)
        network = document
    widths, n_params = check_network(network, where)
    check_shapes(network, widths, n_params, shapes, where, prefix)


def check_ensemble(document: dict, shapes: dict) -> None:
    """An Ensemble's document: its schema, one weight and trial number per member, the weights
    not all 0, members of one estimator class, every array a member's, and each member as
    :func:`check_document` checks a file of its own."""
    fields.ENSEMBLE(document, "model")
    members = document["members"]
    for name in ("weights", "trials"):
        if len(document[name]) != len(members):
            raise ModelFileError(
                f"{len(document[name])} entries for {len(members)} members.", field=f"model.{name}"
            )
    if not sum(document["weights"]) > 0:
        raise ModelFileError("every weight is 0.", field="model.weights")
    for k, member in enumerate(members):
        if member["class"] != members[0]["class"]:
            raise ModelFileError(
                f"{member['class']!r}; member 0 is a {members[0]['class']!r}: an ensemble "
                f"averages one kind of model.",
                field=f"model.members[{k}].class",
            )
    owned = [member_entries(shapes, k) for k in range(len(members))]
    if sum(map(len, owned)) != len(shapes):
        prefixes = tuple(member_prefix(k) for k in range(len(members)))
        stray = next(name for name in shapes if not name.startswith(prefixes))
        raise ModelFileError("not an array of a member.", field=f"archive member {stray!r}")
    for k, member in enumerate(members):
        check_document(member, owned[k], f"model.members[{k}]", member_prefix(k))


def member_prefix(k: int) -> str:
    """The prefix of ensemble member k's array names in the archive."""
    return f"member{k}/"


def member_entries(named: dict, k: int) -> dict:
    """Member k's entries of ``named`` (arrays or their shapes), by the names its own file
    would give them."""
    prefix = member_prefix(k)
    return {name[len(prefix) :]: v for name, v in named.items() if name.startswith(prefix)}


def check_network(document: dict, where: str) -> tuple[list[int], int]:
    """Build every part of a network document on its own; returns the widths (the input's,
    then each layer's output) and the parameter count P."""
    config = document["config"]
    with part(f"{where}.config.regularizer"):
        regularizers.get(config["regularizer"])
    with part(f"{where}.config.target_scaler"):
        check_target_scaler(config["target_scaler"])
    if document["loss"] is not None:
        with part(f"{where}.loss"):
            losses.get(document["loss"])
    if document["optimizer"] is not None:
        with part(f"{where}.optimizer.config"):
            optim.get(document["optimizer"]["config"])
    for name, state in document["random_streams"].items():
        with part(f"{where}.random_streams.{name}"):
            np.random.PCG64().state = state
    _check_states(document, where)
    widths, count, n_params = layer_widths(config["layers"], document["n_features"], where)
    with part(f"{where}.config.parts"):
        check_parts(config.get("parts"), len(config["layers"]))
    frozen = document["frozen"]
    if any(index >= count for index in frozen):
        raise ModelFileError(f"an index past the {count} layers.", field=f"{where}.frozen")
    return widths, n_params


def _check_states(document: dict, where: str) -> None:
    if document["preprocessor"] is not None:
        steps = document["preprocessor"].get("steps")
        if isinstance(steps, dict) and steps.get("scale") is not None:
            fields.scaler_state(steps["scale"], f"{where}.preprocessor.steps.scale")
        with part(f"{where}.preprocessor"):
            Preprocessor.from_state(document["preprocessor"])
    if document["target"] is not None:
        with part(f"{where}.target"):
            Target.from_state(document["target"])


def layer_widths(entries: list, n_features: int, where: str) -> tuple[list[int], int, int]:
    """``(widths, n_layers, P)``: ``[n_features, width after each layer, ...]``, the number of
    layers nested ones included, and P = Σ prod(spec.shape) over every parameter spec."""
    layers = []
    for index, entry in enumerate(entries):
        with part(f"{where}.config.layers[{index}]"):
            layers.append(deserialize(entry))
    with part(f"{where}.config.layers"):
        sizes, specs = build_layers(layers, n_features)
    count = sum(1 + sum(1 for _ in _walk(layer.sublayers())) for layer in layers)
    n_params = sum(math.prod(spec.shape) for layer_specs in specs for spec in layer_specs)
    return [size_of(size) for size in sizes], count, n_params


def _walk(layers):
    for layer in layers:
        yield layer
        yield from _walk(layer.sublayers())


def check_shapes(
    document: dict, widths: list, n_params: int, shapes: dict, where: str, prefix: str = ""
) -> None:
    """The declared ``shapes`` against the network: params (P,), optimizer/* (P,), state/*
    1-D of at most the widest layer, in the network's dtype, and nothing else (names without
    the archive's ``prefix``)."""
    implied = f"{where}.n_features, {where}.config.layers and {where}.config.dtype imply"
    dtype = np.dtype(document["config"]["dtype"])
    for name, (found_dtype, shape) in shapes.items():
        field = f"archive member {prefix + name!r}"
        if name == "params" or name.startswith("optimizer/"):
            expected = f"shape ({n_params},)"
            fits = shape == (n_params,)
        elif name.startswith("state/"):
            expected = f"one dimension of at most {max(widths)}"
            fits = len(shape) == 1 and shape[0] <= max(widths)
        else:
            raise ModelFileError("not an array of a network.", field=field)
        if not fits or found_dtype != dtype:
            raise ModelFileError(
                f"the archive declares shape {shape} of {found_dtype}; {implied} {expected} "
                f"of {dtype}.",
                field=field,
            )
    if "params" not in shapes:
        raise ModelFileError("missing.", field=f"archive member '{prefix}params'")


def check_arrays(arrays: dict) -> None:
    """Every array finite; running variances ≥ 0."""
    for name, array in arrays.items():
        if not np.isfinite(array).all():
            raise ModelFileError("holds NaN or infinite values.", field=f"archive member {name!r}")
        if name.endswith("running_var") and (array < 0).any():
            raise ModelFileError("a variance below 0.", field=f"archive member {name!r}")


def check_built(net, where: str) -> None:
    """The rebuilt network's parts agree: the preprocessor's output width is ``n_features``,
    the target's units are the output width and its labels one per unit (softmax)."""
    if net.preprocessor is not None:
        with part(f"{where}.preprocessor"):
            width = len(net.preprocessor.get_feature_names_out())
        if width != net.n_features:
            raise ModelFileError(
                f"it makes {width} columns; the network takes n_features = {net.n_features}.",
                field=f"{where}.preprocessor",
            )
    target = net.target
    if target is None:
        return
    if target.n_units != net.widths[-1]:
        raise ModelFileError(
            f"{target.n_units} units; the network's output has {net.widths[-1]}.",
            field=f"{where}.target.n_units",
        )
    _check_labels(target, f"{where}.target.classes")
    scaler = getattr(target, "scaler_", None)
    if scaler is not None and scaler.n_features_in_ != target.n_units:
        raise ModelFileError(
            f"statistics of {scaler.n_features_in_} outputs for {target.n_units} units.",
            field=f"{where}.target.scaler_state",
        )


def _check_labels(target, field: str) -> None:
    """One label per softmax unit; two for a single sigmoid unit."""
    classes = target.classes_
    if classes is None:
        return
    expected = target.n_units
    if target.output == "sigmoid" and target.n_units == 1 and not target.multi_output:
        expected = 2
    if target.output in ("softmax", "sigmoid") and len(classes) != expected:
        raise ModelFileError(
            f"{len(classes)} labels for {target.n_units} {target.output} units; expected "
            f"{expected}.",
            field=field,
        )


def check_fitted(document: dict, where: str = "model") -> None:
    """An estimator's fitted attributes agree with each other: one feature name per input."""
    fitted = document["fitted"]
    names = fitted.get("feature_names_in_")
    if names is not None and len(names) != fitted["n_features_in_"]:
        raise ModelFileError(
            f"{len(names)} names for n_features_in_ = {fitted['n_features_in_']}.",
            field=f"{where}.fitted.feature_names_in_",
        )
