"""The preprocessor's numeric part, and the target's, as plain specs every exporter reads.

A fitted :class:`~mlpkit.data.Preprocessor` turns the user's columns into the network's
features: text tokens → missing, missing values → the learned fills, categories → one-hot
columns, ``<column>_missing`` indicators appended, then every feature scaled. What of that an
exported file can compute on its own is described here once:

- :func:`input_spec` → :class:`Inputs`: one :class:`Column` per user column (its fill, its
  one-hot categories, whether they are text, whether it has an indicator), the missing tokens,
  and the feature scaler as a :class:`Scale`;
- :func:`target_scale`: the inverse of a regression's target scaling, as a :class:`Scale`.

What depends on other rows cannot be folded into a file that sees one row at a time, and is
refused with the way out: forward fill ("previous") and dropping rows ("drop"). An exporter
that computes numbers only (PyTorch) also refuses one-hot categories and indicator columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.scaling import MinMaxScaler, StandardScaler, TanhScaler


@dataclass(frozen=True)
class Scale:
    """A fitted scaler, per column (n_columns,) in float64: ``kind`` "standard" (z = (x − mean)/
    scale), "minmax" (z = x·scale + min, clipped to ``clip`` or not) or "tanh"
    (z = tanh(k·(x − mean)/scale))."""

    kind: str
    arrays: dict
    clip: tuple | None = None
    k: float = 1.0


@dataclass(frozen=True)
class Column:
    """One user column: its ``label``, learned ``fill`` (None: none), one-hot ``categories``
    (None: a numeric column), whether they are ``text``, and whether it gets an ``indicator``
    (``<label>_missing``) column."""

    label: str
    fill: object = None
    categories: tuple | None = None
    text: bool = False
    indicator: bool = False


@dataclass(frozen=True)
class Inputs:
    """The user's columns, in order, the text cells that mean missing, and the feature scaler
    (None: the features go in as they are). ``named``: fitted on a table with column names."""

    columns: tuple
    tokens: tuple = ()
    scale: Scale | None = None
    named: bool = False

    @property
    def categorical(self) -> bool:
        return any(column.categories is not None for column in self.columns)

    @property
    def encodes(self) -> bool:
        """Whether the features differ from the columns (one-hot or indicator columns)."""
        return self.categorical or any(column.indicator for column in self.columns)


def input_spec(prep, exporter: str, *, one_hot: bool) -> Inputs | None:
    """The spec of a fitted mlpkit Preprocessor (None for no preprocessor).

    Args:
        prep: ``net.preprocessor``.
        exporter: the function's name, for the messages ("to_torch", "to_onnx").
        one_hot: whether the exporter can one-hot encode and add indicators.

    Raises:
        ValueError: the preprocessor cannot be folded in (not mlpkit's, forward fill, dropped
            rows, or categories/indicators where ``one_hot`` is False), saying what to do.
    """
    if prep is None:
        return None
    if not hasattr(prep, "numeric_scaling"):
        raise ValueError(_refusal(exporter, f"a {type(prep).__name__} has no numeric_scaling()"))
    steps = dict(prep.steps_)
    missing, categorical = steps["missing"], steps["categorical"]
    _refuse_row_dependent(missing.strategies_, exporter)
    if not one_hot and (categorical.categorical_columns_ or missing.indicator_columns_):
        what = (
            "it does more than scale numeric columns one to one (one-hot categories or "
            "missing-value indicator columns)"
        )
        raise ValueError(_refusal(exporter, what))
    columns = tuple(_column(label, missing, categorical) for label in missing.strategies_)
    scaler = steps.get("scale")
    return Inputs(
        columns=columns,
        tokens=tuple(str(token) for token in steps["clean"].missing_tokens or ()),
        scale=None if scaler is None else scale_spec(scaler, exporter),
        named=hasattr(prep, "feature_names_in_"),
    )


def _column(label, missing, categorical) -> Column:
    report = categorical.report_.get(label)
    categories = None if report is None else tuple(report["categories"])
    return Column(
        label=str(label),
        fill=missing.fills_.get(label),
        categories=categories,
        text=categories is not None and any(isinstance(c, str) for c in categories),
        indicator=label in missing.indicator_columns_,
    )


def _refuse_row_dependent(strategies: dict, exporter: str) -> None:
    unfoldable = {c: s for c, s in strategies.items() if s in ("previous", "drop")}
    if unfoldable:
        column, strategy = next(iter(unfoldable.items()))
        raise ValueError(
            f"{exporter} cannot fold the preprocessor's missing-value strategy {strategy!r} "
            f"(column {column!r}) into the exported model: it depends on other rows. Export "
            f"with include_preprocessor=False and apply net.preprocessor.transform first."
        )


def _refusal(exporter: str, what: str) -> str:
    return (
        f"{exporter} cannot export the network's preprocessor: {what}. Export the network "
        f"alone with {exporter}(model, include_preprocessor=False) and apply "
        f"net.preprocessor.transform to the inputs first."
    )


def target_scale(net, exporter: str) -> Scale | None:
    """The scaler a regression's outputs go back through to the target's units, or None."""
    scaler = None if net.target is None else net.target.scaler_
    return None if scaler is None else scale_spec(scaler, exporter)


def scale_spec(scaler, exporter: str) -> Scale:
    """A fitted StandardScaler, MinMaxScaler or TanhScaler as a :class:`Scale`.

    Raises:
        ValueError: another kind of scaler.
    """
    as64 = lambda values: np.asarray(values, dtype=np.float64).copy()  # noqa: E731
    if isinstance(scaler, StandardScaler):
        n = scaler.n_features_in_
        mean = scaler.mean_ if scaler.with_mean else np.zeros(n)
        scale = scaler.scale_ if scaler.with_std else np.ones(n)
        return Scale("standard", {"mean": as64(mean), "scale": as64(scale)})
    if isinstance(scaler, MinMaxScaler):
        clip = tuple(float(v) for v in scaler.feature_range) if scaler.clip else None
        return Scale("minmax", {"scale": as64(scaler.scale_), "min": as64(scaler.min_)}, clip)
    if isinstance(scaler, TanhScaler):
        arrays = {"mean": as64(scaler.mean_), "scale": as64(scaler.scale_)}
        return Scale("tanh", arrays, k=float(scaler.k))
    raise ValueError(
        f"{exporter} cannot export the scaler {type(scaler).__name__}: expected a "
        f"StandardScaler, MinMaxScaler or TanhScaler."
    )
