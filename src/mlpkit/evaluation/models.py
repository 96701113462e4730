"""What :func:`~mlpkit.evaluation.evaluate` scores: a model, its task, its labels and its rows.

A model is one of three things, all with an ``mk.Sequential`` behind them:

* an ``mk.Sequential`` (its preprocessor, labels and target scaling live inside it);
* a fitted ``MLPClassifier``/``MLPRegressor``: its ``network_`` is scored (the same predictions
  as the estimator's);
* a fitted scikit-learn ``Pipeline`` whose final step is one of those estimators: the pipeline's
  own ``predict_proba`` (classification) or ``predict`` (regression) is scored, the classes are
  its ``classes_``, and the final step's ``network_`` gives the task, the labels' encoding and
  the architecture;
* an ``Ensemble`` of those estimators (``mk.search.auto``'s ``result.ensemble_``): its weighted
  mean ``predict_proba`` or ``predict`` is scored, in its ``classes_``; its first member's
  network gives the task and the labels' encoding, which every member shares.

:class:`ScoredModel` holds the three answers the evaluation needs from any of them: the outputs
for X, the rows the model keeps, and the network behind it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.pipeline import Pipeline

from .._validation import n_rows, take_rows
from ..ensemble import Ensemble
from ..exceptions import ConfigError, NotFittedError
from ..layers.activations import activation_name
from ..network import Sequential
from ..targets import Target

TASKS = ("binary", "multiclass", "multilabel", "regression")


@dataclass(frozen=True)
class ScoredModel:
    """A model as the evaluation sees it.

    Attributes:
        model: the object passed in (a network, an estimator, a Pipeline or an Ensemble).
        network: the ``mk.Sequential`` behind it (task, target, loss units, architecture).
        outputs: ``X -> (n_kept, n_units)`` float64: probabilities with the last column of the
            positive class for a binary task (one sigmoid column, or ``predict_proba``'s two),
            class probabilities in ``classes`` order, or values in the target's own units.
        row_mask: ``X -> bool (n_samples,)`` of the rows the model keeps, or None (all kept).
        classes: the class labels in output order (None for a regression or a network that
            never learned labels).
    """

    model: object
    network: Sequential
    outputs: Callable[[object], np.ndarray]
    row_mask: Callable[[object], np.ndarray | None]
    classes: np.ndarray | None


def scored_model(model) -> ScoredModel:
    """The :class:`ScoredModel` of a network, a fitted mlpkit estimator, a fitted Pipeline
    ending in one, or an ``Ensemble`` of them.

    Raises:
        NotFittedError: an mlpkit estimator (or a Pipeline ending in one) before ``fit``.
        TypeError: any other object, e.g. a Pipeline ending in another library's estimator.
    """
    if isinstance(model, Pipeline):
        return _pipeline_model(model)
    if isinstance(model, Ensemble):
        return _ensemble_model(model)
    net = network_of(model)
    predict = _as_2d(net.predict)
    return ScoredModel(model, net, predict, _preprocessor_mask(net), net.classes_)


def network_of(model) -> Sequential:
    """The ``mk.Sequential`` behind ``model``: the network itself, a fitted
    ``MLPClassifier``/``MLPRegressor``'s ``network_`` (the whole model: preprocessor, labels and
    target scaling inside), or the ``network_`` of a fitted Pipeline's final step."""
    if isinstance(model, Sequential):
        return model
    if isinstance(model, Pipeline):
        return network_of(_final_step(model))
    network = getattr(model, "network_", None)
    if isinstance(network, Sequential):
        return network
    if isinstance(model, (str, bytes, os.PathLike)):
        raise TypeError(
            f"evaluate takes a model object, not the path {os.fsdecode(model)!r}; load the model "
            f"file first: mk.evaluate(mk.load({os.fsdecode(model)!r}), X, y)."
        )
    if _is_mlpkit(model):
        raise NotFittedError(
            f"This {type(model).__name__} is not fitted yet; call fit(X, y) before evaluating it."
        )
    raise TypeError(
        f"evaluate takes an mk.Sequential, a fitted MLPClassifier or MLPRegressor, or a fitted "
        f"scikit-learn Pipeline whose final step is one of them; got {type(model).__name__}."
    )


def _final_step(pipeline: Pipeline):
    name, step = pipeline.steps[-1]
    if isinstance(step, Sequential) or not _is_mlpkit(step):
        raise TypeError(
            f"evaluate takes a Pipeline whose final step is an MLPClassifier or MLPRegressor; "
            f"this one ends in {name!r} ({type(step).__name__})."
        )
    if not isinstance(getattr(step, "network_", None), Sequential):
        raise NotFittedError(
            f"This Pipeline is not fitted yet: its final step {name!r} "
            f"({type(step).__name__}) has no network_. Call pipeline.fit(X, y) before "
            f"evaluating it."
        )
    return step


def _is_mlpkit(model) -> bool:
    return type(model).__module__.split(".")[0] == "mlpkit"


def _pipeline_model(pipeline: Pipeline) -> ScoredModel:
    net = network_of(pipeline)
    if net.task == "regression":
        outputs = _as_2d(pipeline.predict)
    else:
        outputs = _as_2d(pipeline.predict_proba)
    return ScoredModel(
        pipeline, net, outputs, lambda X: _pipeline_mask(pipeline, net, X), pipeline.classes_
    )


def _ensemble_model(ensemble: Ensemble) -> ScoredModel:
    net = network_of(ensemble.members[0])
    mean = ensemble.predict if ensemble.classes_ is None else ensemble.predict_proba
    return ScoredModel(ensemble, net, _as_2d(mean), _preprocessor_mask(net), ensemble.classes_)


def _as_2d(predict) -> Callable:
    def outputs(X) -> np.ndarray:
        output = np.asarray(predict(X), dtype=np.float64)
        return output.reshape(len(output), -1)

    return outputs


def _preprocessor_mask(net: Sequential) -> Callable:
    def row_mask(X):
        if net.preprocessor is None:
            return None
        return np.asarray(net.preprocessor.row_mask(X), dtype=bool)

    return row_mask


def _pipeline_mask(pipeline: Pipeline, net: Sequential, X) -> np.ndarray | None:
    """The rows a Pipeline keeps: each step with a ``row_mask`` (a ``Preprocessor`` under
    "drop") removes rows of what it receives, and so may the final network's preprocessor."""
    steps = [step for _, step in pipeline.steps[:-1] if step not in (None, "passthrough")]
    if not any(hasattr(step, "row_mask") for step in steps) and net.preprocessor is None:
        return None
    kept = np.ones(n_rows(X), dtype=bool)
    for step in steps:
        if hasattr(step, "row_mask"):
            kept[kept] = np.asarray(step.row_mask(X), dtype=bool)
        X = step.transform(X)
    if net.preprocessor is not None:
        kept[kept] = np.asarray(net.preprocessor.row_mask(X), dtype=bool)
    return kept


def scored_rows(scored: ScoredModel, X, y):
    """(X, y, notes): the rows the model keeps (all, unless a preprocessor drops some), with a
    note in words on the rows left out."""
    if len(y) != n_rows(X):
        raise ValueError(f"X has {n_rows(X)} rows but y has {len(y)}; they must match.")
    kept = scored.row_mask(X)
    if kept is None or kept.all():
        return X, y, []
    rows = np.flatnonzero(kept)
    note = (
        f"{len(kept) - rows.size:,} of {len(kept):,} rows have missing values in columns the "
        f"preprocessor drops rows for ('drop'); they are left out of the scores."
    )
    return take_rows(X, rows), take_rows(y, rows), [note]


def resolve_task(net: Sequential, task: str) -> str:
    """``task`` itself, or the network's (``net.task``) for "auto"."""
    if task == "auto":
        return net.task
    if task not in TASKS:
        raise ConfigError(
            f"evaluate task must be 'auto' or one of {TASKS}; received task={task!r}."
        )
    return task


def is_classifier(net: Sequential) -> bool:
    """Whether the network ends in a sigmoid or softmax layer."""
    output = net.output_activation
    return output is not None and activation_name(output) in ("sigmoid", "softmax")


# -- labels --------------------------------------------------------------------------------------
def classes_of(scored: ScoredModel, task: str, n_outputs: int) -> np.ndarray:
    """The class labels in output order: the model's ``classes_``, or the unit indices for a
    network built by hand and never fitted."""
    if scored.classes is not None:
        return np.asarray(scored.classes)
    return np.arange(2 if task == "binary" else n_outputs)


def target_of(net: Sequential, classes: np.ndarray, task: str) -> Target:
    """The network's :class:`~mlpkit.targets.Target` (``net.target``); for a network that never
    learned labels, one whose classes are the unit indices ``classes``."""
    if net.target is not None and net.target.classification:
        return net.target
    output = "softmax" if task == "multiclass" else "sigmoid"
    n_units = 1 if task == "binary" else len(classes)
    return Target(output).fit(classes, n_units, classes=classes)


def unit_indices(target: Target, y) -> np.ndarray:
    """The output-unit index of each row's label (``classes_[index] == label``), by
    ``target.encode`` (labels match by value: ``1``, ``1.0`` and ``True`` are one label; an
    unknown or a missing label is the error ``fit`` gives); one-hot rows give their column.

    Raises:
        ValueError: for a label the model does not know, a missing label, one-hot rows of the
            wrong width, or probabilities instead of labels.
    """
    classes = target.classes_
    shape = np.shape(y)
    if len(shape) == 2 and shape[1] not in (1, len(classes)):
        raise ValueError(
            f"y has shape {shape}; pass one label per row (n_samples,) or one-hot rows "
            f"(n_samples, {len(classes)})."
        )
    encoded = np.asarray(target.encode(y))
    if encoded.ndim == 2:  # one-hot rows: encode passes them through
        return encoded.argmax(axis=1)
    if encoded.dtype.kind == "f" and not np.all(encoded == np.round(encoded)):
        raise ValueError(
            "y holds probabilities; pass each row's label (or one-hot rows) to evaluate."
        )
    return encoded.astype(np.intp)


def names_of(classes) -> list:
    """The class labels as plain Python values (for messages, tables and pictures)."""
    return [label.item() if isinstance(label, np.generic) else label for label in classes]


def label_text(label) -> str:
    """A class label in a sentence: text quoted (``'>50K'``), numbers and booleans as they are
    (``1``, not ``1.0``)."""
    if isinstance(label, str):
        return repr(label)
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return str(int(label))
    return str(label)


def as_array(y) -> np.ndarray:
    """y (a list, an array, a Series or a DataFrame) as a NumPy array."""
    return np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)


__all__ = [
    "TASKS",
    "ScoredModel",
    "as_array",
    "classes_of",
    "is_classifier",
    "label_text",
    "names_of",
    "network_of",
    "resolve_task",
    "scored_model",
    "scored_rows",
    "target_of",
    "unit_indices",
]
