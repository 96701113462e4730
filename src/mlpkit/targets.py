"""The target, as the model sees it: class labels ↔ output units, values ↔ scaled values.

A network trains on numbers: one-hot rows or 0/1 for a classification, values for a regression.
Users have labels (``">50K"``, ``"A"``–``"Z"``, ``True``/``False``, ``3``/``7``) and units
(dollars). :class:`Target` is the one place that maps between the two, learned on the first
``fit`` and saved with the model:

- **classification** (a cross-entropy loss): ``classes_`` holds the labels in output-unit order.
  Labels may be of any type. Integer labels that already lie in 0..k−1 for k output units keep
  their meaning (label j is unit j, also when a class is absent from the rows seen), as do 0/1
  (or probability) targets of a sigmoid; any other labels are sorted (``numpy.unique``) and label
  ``classes_[j]`` becomes unit j. A 2-D one-hot or multi-label 0/1 matrix names its columns 0..k−1.
- **regression**: an optional scaler (``"standard"``, ``"minmax"``, ``"tanh"``) is fitted per
  target column on the training rows; predictions come back through its exact inverse, so they
  are in the target's own units, while the loss is computed in the scaled units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validation import reads_as_number
from .data.scaling import fit_scaler, make_scaler, scaler_from_state, scaler_state
from .exceptions import ConfigError

TARGET_SCALERS = ("auto", "standard", "minmax", "tanh", None)

#: A numeric target with at most this many distinct integer values is a set of classes.
MAX_CLASSES = 20


def detect_task(y) -> str:
    """ "classifier" for text, boolean or category labels and for a few distinct integers (at
    most :data:`MAX_CLASSES`, also when stored as floats), else "regressor".

    Unlike scikit-learn's ``type_of_target``, which calls any whole-valued floats classes,
    house prices in whole dollars (1,165 distinct values) are a regression here.
    """
    y = pd.Series(np.asarray(y).ravel() if not isinstance(y, pd.Series) else y).dropna()
    if not pd.api.types.is_numeric_dtype(y.dtype) or pd.api.types.is_bool_dtype(y.dtype):
        return "classifier"
    values = y.to_numpy(dtype=np.float64)
    integral = bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))
    return "classifier" if integral and len(np.unique(values)) <= MAX_CLASSES else "regressor"


def check_target_scaler(scaler) -> None:
    """A ``target_scaler`` name must be one of :data:`TARGET_SCALERS`."""
    if scaler not in TARGET_SCALERS:
        raise ConfigError(
            f"target_scaler must be one of 'auto', 'standard', 'minmax', 'tanh' or None; "
            f"received target_scaler={scaler!r}."
        )


class Target:
    """How a model maps the user's y to the network's targets and its outputs back.

    Args:
        output: "softmax" or "sigmoid" for a classification (the output activation its
            cross-entropy is fused with), None for a regression.
        scaler: for a regression, "standard", "minmax", "tanh" or None (values as they are).

    Attributes (after :meth:`fit`):
        classes_: the labels in output-unit order (classification), else None.
        scaler_: the fitted scikit-learn-style scaler of the target (regression), or None.
        multi_output: whether targets are 2-D (one-hot, multi-label or several values).
    """

    def __init__(self, output: str | None, scaler=None) -> None:
        if output not in ("softmax", "sigmoid", None):
            raise ConfigError(
                f"Target output must be 'softmax', 'sigmoid' or None; got {output!r}."
            )
        if scaler == "auto":
            raise ConfigError("Target takes a resolved scaler; the model turns 'auto' into one.")
        check_target_scaler(scaler)
        self.output, self.scaler = output, scaler
        self.classes_: np.ndarray | None = None
        self.n_units = 0
        self.scaler_ = None
        self.multi_output = False

    # -- learning ------------------------------------------------------------------------------
    def fit(self, y, n_outputs: int, classes=None, sample_weight=None) -> Target:
        """Learn the labels (or the scaler) from the training targets y, (n,) or (n, k); the
        scaler's statistics weighted by ``sample_weight`` if given."""
        y = _as_array(y)
        self.multi_output, self.n_units = y.ndim == 2 and y.shape[1] > 1, int(n_outputs)
        if self.classification:
            check_no_missing(y)
            self.classes_ = self._learn_classes(
                y if classes is None else _as_array(classes), n_outputs
            )
        elif self.scaler is not None:
            values = as_values(y)
            columns = values.reshape(len(values), -1)
            self.scaler_ = fit_scaler(make_scaler(self.scaler), columns, sample_weight)
        return self

    def _learn_classes(self, y: np.ndarray, n_outputs: int) -> np.ndarray:
        if y.ndim == 2 and y.shape[1] > 1:  # one-hot or multi-label columns
            return np.arange(y.shape[1])
        labels = unique_labels(y.ravel())
        if _is_unit_index(labels, n_outputs):
            return np.arange(max(n_outputs, 2)).astype(_index_dtype(labels))
        wanted = 2 if n_outputs == 1 else n_outputs
        if labels.size != wanted:
            raise ValueError(
                f"y has {labels.size} class{'es' if labels.size != 1 else ''} "
                f"{show_labels(labels)}, but the output layer has {n_outputs} unit(s), which "
                f"predict {wanted} classes"
                + (" (one sigmoid unit: two classes)" if n_outputs == 1 else "")
                + ". Make the output layer match the number of classes (integer labels "
                f"0..{max(n_outputs, 2) - 1} are read as the units' indices)."
            )
        return labels

    # -- applying ------------------------------------------------------------------------------
    def encode(self, y) -> np.ndarray:
        """The network's targets for y: unit indices (n,) or the 0/1 matrix (classification),
        scaled values (regression)."""
        y = _as_array(y)
        if not self.classification:
            values = as_values(y)
            if self.scaler_ is None:
                return values
            return self.scaler_.transform(values.reshape(len(values), -1)).reshape(values.shape)
        check_no_missing(y)
        if y.ndim == 2 and y.shape[1] > 1:
            return y
        flat = y.ravel()
        if self._identity() and _is_unit_index(unique_labels(flat), self.n_units):
            return flat  # 0/1 or probability targets of a sigmoid, indices of a softmax
        index = self._unit_index(flat)
        unknown = index < 0
        if unknown.any():
            raise ValueError(
                f"y has labels {show_labels(_distinct(flat[unknown]))} the model does not know; "
                f"its classes are {show_labels(self.classes_)} (learned in the first fit)."
            )
        return index

    def _unit_index(self, labels: np.ndarray) -> np.ndarray:
        """The output unit of each label, -1 for a label not in ``classes_``; labels of
        another type than the classes (text for integer classes) are unknown, not an error."""
        try:
            index = np.searchsorted(self.classes_, labels)
        except TypeError:  # no order between the two kinds: look each label up instead
            return pd.Index(self.classes_).get_indexer(labels)
        index = np.clip(index, 0, len(self.classes_) - 1)
        return np.where(self.classes_[index] == labels, index, -1)

    def decode(self, output: np.ndarray) -> np.ndarray:
        """Network outputs in the user's units: the inverse target scaling (regression);
        probabilities stay as they are."""
        if self.scaler_ is None:
            return output
        return self.scaler_.inverse_transform(output.astype(np.float64, copy=False))

    def labels(self, proba: np.ndarray, threshold: float = 0.5) -> np.ndarray:
        """The predicted labels for probabilities ``proba`` (n, units): ``classes_[1]`` where a
        single sigmoid exceeds ``threshold``, the most probable class for a softmax, and a 0/1
        matrix for several sigmoids (multi-label)."""
        if not self.classification:
            raise ConfigError("predict_classes needs a classification (a cross-entropy loss).")
        if proba.shape[1] == 1:
            return self.classes_[(proba[:, 0] > threshold).astype(np.intp)]
        if self.output == "sigmoid":  # several sigmoids: one yes/no per label
            return (proba > threshold).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def _identity(self) -> bool:
        return self.classes_.dtype.kind in "iubf" and np.array_equal(
            self.classes_, np.arange(len(self.classes_))
        )

    @property
    def classification(self) -> bool:
        return self.output is not None

    @property
    def units(self) -> str | None:
        """What the network's loss is measured in, when that is not the user's units."""
        if self.scaler_ is None:
            return None
        return {"standard": "standardised", "minmax": "min-max scaled", "tanh": "tanh-scaled"}[
            self.scaler
        ] + " target units"

    # -- persistence ---------------------------------------------------------------------------
    def get_state(self) -> dict:
        """JSON-compatible: the kind, the labels with their dtype, or the scaler's state."""
        classes = None
        if self.classes_ is not None:
            classes = {"values": self.classes_.tolist(), "dtype": self.classes_.dtype.str}
        return {
            "output": self.output,
            "n_units": self.n_units,
            "scaler": self.scaler,
            "classes": classes,
            "scaler_state": None if self.scaler_ is None else scaler_state(self.scaler_),
            "multi_output": self.multi_output,
        }

    @classmethod
    def from_state(cls, state: dict) -> Target:
        target = cls(state["output"], state["scaler"])
        target.n_units = state["n_units"]
        if state["classes"] is not None:
            dtype = np.dtype(state["classes"]["dtype"])
            if dtype.kind == "O":
                target.classes_ = np.empty(len(state["classes"]["values"]), dtype=object)
                target.classes_[:] = state["classes"]["values"]
            else:
                target.classes_ = np.asarray(state["classes"]["values"], dtype=dtype)
        if state["scaler_state"] is not None:
            target.scaler_ = scaler_from_state(state["scaler_state"])
        target.multi_output = state["multi_output"]
        return target


def _as_array(y) -> np.ndarray:
    if hasattr(y, "to_numpy"):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.ndim == 0 or y.ndim > 2:
        raise ValueError(
            f"y must be 1-D (n_samples,) or 2-D (n_samples, n_outputs); got shape {y.shape}."
        )
    if y.dtype.kind == "O":
        check_no_missing(y)
    return y


def check_no_missing(y: np.ndarray) -> None:
    """Refuse labels or values y, (n,) or (n, k), holding None, NaN or ``pandas.NA``, naming
    how many and the first row (a missing target is never a class, nor filled)."""
    if y.dtype.kind not in "Of":
        return
    missing = np.asarray(pd.isna(y), dtype=bool)
    if missing.any():
        raise ValueError(
            f"y has {int(missing.sum())} missing value(s) (None or NaN), first at row "
            f"{int(np.argmax(missing.ravel())) // (y.shape[1] if y.ndim == 2 else 1)}; drop "
            f"those rows (from X and y) first: targets are never filled."
        )


def as_values(y: np.ndarray) -> np.ndarray:
    """Regression targets as float64, or an error naming a value that is not a number."""
    try:
        values = y.astype(np.float64)
    except (TypeError, ValueError):
        sample = next((v for v in y.ravel() if not reads_as_number(v)), y.ravel()[0])
        raise TypeError(
            f"A regression needs numeric targets; y holds {sample!r}. For labels, use a "
            f"cross-entropy loss (or mk.MLPClassifier)."
        ) from None
    if not np.isfinite(values).all():
        row = int(np.argwhere(~np.isfinite(values))[0][0])
        raise ValueError(f"y contains NaN or infinity (first at row {row}); remove or fill it.")
    return values


def _is_unit_index(labels: np.ndarray, n_units: int) -> bool:
    """Whether sorted labels are already unit indices: numbers within 0..k−1 (k ≥ 2 classes),
    whole numbers for a softmax, any value in [0, 1] for one sigmoid (0/1 or probabilities)."""
    if labels.dtype.kind not in "iufb" or labels.size == 0:
        return False
    values = labels.astype(np.float64)
    if not np.isfinite(values).all():
        return False
    if n_units == 1:
        return bool(values.min() >= 0 and values.max() <= 1)
    return bool(
        values.min() >= 0 and values.max() <= n_units - 1 and np.all(values == np.round(values))
    )


def _index_dtype(labels: np.ndarray):
    """Unit-index labels keep their kind: booleans, floats (0.0/1.0) or integers."""
    return labels.dtype if labels.dtype.kind in "bf" else np.int64


def unique_labels(labels: np.ndarray) -> np.ndarray:
    """The sorted distinct labels; labels of kinds that do not sort together (text and
    numbers) are an error naming the kinds."""
    try:
        return np.unique(labels)
    except TypeError:
        kinds = sorted({type(v).__name__ for v in labels})
        raise ValueError(
            f"y mixes labels of different types ({', '.join(kinds)}), which have no order; "
            f"give every label the same type (e.g. all text: y.astype(str))."
        ) from None


def _distinct(labels: np.ndarray) -> np.ndarray:
    """The distinct labels, sorted when they sort (unknown labels may mix kinds)."""
    try:
        return np.unique(labels)
    except TypeError:
        return pd.unique(pd.Series(labels, dtype=object)).astype(object)


def show_labels(labels: np.ndarray) -> str:
    """Up to ten labels as a Python list, for messages."""
    shown = [v.item() if hasattr(v, "item") else v for v in labels[:10]]
    return repr(shown) + (" …" if labels.size > 10 else "")
