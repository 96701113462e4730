"""The schemas of the documents mlpkit writes into model files (see :mod:`.schema`).

:data:`NETWORK` is ``Sequential.to_document``'s, :data:`ESTIMATOR` that of an
``MLPClassifier``/``MLPRegressor`` (its network's inside), :data:`ENSEMBLE` that of an
``Ensemble`` (its members' inside), :func:`scaler_state` that of a fitted
scaler (the target's, the preprocessor's). Open parts — a layer's or optimizer's config, the
preprocessor's state — are checked here for their shape and then by the constructors that
take them (see :mod:`.plan`). Types, ranges and lengths only; what depends on several
fields (the parameter count, widths) is :mod:`.plan`'s.
"""

from __future__ import annotations

import numpy as np

from .errors import ModelFileError
from .schema import Anything, Bool, Int, Items, Mapping, OneOf, Optional, Real, Record, Text

#: Limits that no real model reaches and that keep a crafted one cheap to refuse.
MAX_LAYERS = 10_000
MAX_WIDTH = 2**40
UINT128 = 2**128 - 1
STREAMS = ("init", "shuffle", "dropout")
#: Per-feature statistics of a fitted scaler, with the least value each may take.
PER_FEATURE = {
    "mean_": None,
    "var_": 0.0,
    "scale_": 0.0,
    "min_": None,
    "data_min_": None,
    "data_max_": None,
    "data_range_": 0.0,
}


def scaler_state(value, field) -> None:
    """A fitted scaler's state: its kind, params, dtype and per-feature statistics, each of
    ``n_features_in_`` finite values (variances ≥ 0, scales > 0)."""
    Record(
        {
            "kind": Text(("standard", "minmax", "tanh")),
            "params": Record({}, extra=True),
            "fitted": Record({"n_features_in_": Int(1, MAX_WIDTH)}, extra=True),
            "dtype": Text(("float32", "float64")),
        },
        optional=("dtype",),
    )(value, field)
    fitted, where = value["fitted"], f"{field}.fitted"
    n = fitted["n_features_in_"]
    for name, low in PER_FEATURE.items():
        numbers = Real() if low is None else Real(low, inclusive=name != "scale_")
        Optional(Items(numbers, length=n))(fitted.get(name), f"{where}.{name}")
    names = fitted.get("feature_names_in_")
    Optional(Items(Text(), length=n))(names, f"{where}.feature_names_in_")
    seen = fitted.get("n_samples_seen_")
    OneOf(Real(0), Items(Real(0), length=n))(seen, f"{where}.n_samples_seen_")


def layer_entry(value, field) -> None:
    """``{"class": name, "config": {...}}``; a Residual's config lists its inner layers."""
    Record({"class": Text(max_length=100), "config": Record({}, extra=True)})(value, field)
    if value["class"] == "Residual":
        inner = value["config"].get("layers")
        Items(layer_entry, min_length=1, max_length=MAX_LAYERS)(inner, f"{field}.config.layers")


def _classes(value, field) -> None:
    Record({"values": Items(OneOf(Text(), Real(finite=False), Bool())), "dtype": Text()})(
        value, field
    )
    try:
        dtype = np.dtype(value["dtype"])
    except (TypeError, ValueError):
        problem = f"{value['dtype']!r} is not a dtype."
        raise ModelFileError(problem, field=f"{field}.dtype") from None
    if dtype.kind not in "biufUO" or dtype.itemsize > 4096 or dtype.names is not None:
        raise ModelFileError(f"{dtype} is not a dtype of class labels.", field=f"{field}.dtype")


PCG64_STATE = Record(
    {
        "bit_generator": Text(("PCG64",)),
        "state": Record({"state": Int(0, UINT128), "inc": Int(0, UINT128)}),
        "has_uint32": Int(0, 1),
        "uinteger": Int(0, 2**32 - 1),
    }
)

TARGET = Record(
    {
        "output": Optional(Text(("sigmoid", "softmax"))),
        "n_units": Int(1, MAX_WIDTH),
        "scaler": Anything(),
        "classes": Optional(_classes),
        "scaler_state": Optional(scaler_state),
        "multi_output": Bool(),
    }
)

OPTIMIZER = Record(
    {
        "config": Record({"name": Text(max_length=100)}, extra=True),
        "iterations": Int(0, 2**63),
        "epoch": Int(0, 2**63),
        "lr_factor": Real(0, inclusive=False),
    }
)

NETWORK = Record(
    {
        "class": Text(("Sequential",)),
        "config": Record(
            {
                "layers": Items(layer_entry, min_length=1, max_length=MAX_LAYERS),
                "random_state": Optional(Int(0, 2**128)),
                "dtype": Text(("float32", "float64")),
                "regularizer": Optional(Record({"name": Text(max_length=100)}, extra=True)),
                "target_scaler": Anything(),
                "parts": Anything(),
            },
            optional=("parts",),
        ),
        "n_features": Int(1, MAX_WIDTH),
        "frozen": Items(Int(0, 10 * MAX_LAYERS), max_length=10 * MAX_LAYERS),
        "epochs_trained": Int(0, 2**63),
        "loss": Optional(Record({"name": Text(max_length=100)}, extra=True)),
        "optimizer": Optional(OPTIMIZER),
        "preprocessor": Optional(Record({}, extra=True)),
        "target": Optional(TARGET),
        "random_streams": Mapping(STREAMS, PCG64_STATE),
        "split_seed": Int(0, 2**64 - 1),
        "feature_names_in": Items(Text(), max_length=MAX_WIDTH),
    },
    optional=("feature_names_in",),
)

FITTED = Record(
    {
        "n_features_in_": Int(1, MAX_WIDTH),
        "feature_names_in_": Optional(Items(Text())),
        "history_": Anything(),
        "loss_curve_": Optional(Items(Real(finite=False))),
        "n_iter_": Optional(Int(0, 2**63)),
        "stop_reason_": Optional(Text()),
        "t_": Optional(Int(0, 2**63)),
    },
    optional=("feature_names_in_", "history_", "loss_curve_", "n_iter_", "stop_reason_", "t_"),
)

ESTIMATOR = Record(
    {
        "class": Text(("MLPClassifier", "MLPRegressor")),
        "params": Record({}, extra=True),
        "fitted": FITTED,
        "network": NETWORK,
    }
)

#: The most members an ensemble file may hold.
MAX_MEMBERS = 1_000

ENSEMBLE = Record(
    {
        "class": Text(("Ensemble",)),
        "weights": Items(Real(0), min_length=1, max_length=MAX_MEMBERS),
        "trials": Items(Int(0, 2**63), min_length=1, max_length=MAX_MEMBERS),
        "members": Items(
            Record({"class": Text(("MLPClassifier", "MLPRegressor"))}, extra=True),
            min_length=1,
            max_length=MAX_MEMBERS,
        ),
    }
)
