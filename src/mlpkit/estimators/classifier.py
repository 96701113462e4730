"""MLPClassifier: a multi-layer perceptron classifier with scikit-learn's interface."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from ..targets import check_no_missing, show_labels, unique_labels
from .base import MLPBase, declare_parameters, input_tags
from .inputs import as_target_array


class MLPClassifier(ClassifierMixin, MLPBase):
    """A multi-layer perceptron classifier with scikit-learn's interface.

    Binary labels use one sigmoid output with binary cross-entropy; more classes a softmax
    output with categorical cross-entropy; a 2-D 0/1 label matrix is multi-label (one sigmoid
    per label). Labels may be of any type (strings too): ``classes_`` maps them.

    Parameters follow ``sklearn.neural_network.MLPClassifier`` where it has them
    (``hidden_layer_sizes``, ``activation`` — here also a list, one per layer — ``solver``
    ("adam", "sgd", "lbfgs"), ``alpha``, ``batch_size`` ("auto" = min(200, n)),
    ``learning_rate`` ("constant", "invscaling", "adaptive"), ``learning_rate_init``,
    ``power_t``, ``max_iter``, ``shuffle``, ``random_state``, ``tol``, ``verbose``,
    ``warm_start``, ``momentum``, ``nesterovs_momentum``, ``beta_1``, ``beta_2``, ``epsilon``,
    ``early_stopping``, ``validation_fraction``, ``n_iter_no_change``, ``max_fun``, and
    ``class_weight`` — None, "balanced" or ``{label: weight}`` — and ``sample_weight`` in
    ``fit``), so scikit-learn code runs with the import swapped. How ``solver``, ``optimizer``
    and ``learning_rate`` combine: :mod:`mlpkit.estimators.solvers`. Differences and additions:

    - ``learning_rate_init=3e-3`` (scikit-learn: 1e-3): measured on the quality benchmark
      (benchmarks/bench_quality.py), it learns more per epoch on small tables.
    - ``alpha`` is the strength of an elastic-net penalty α(r·Σ|w| + ½(1 − r)·Σw²) added to the
      mean batch loss, r = ``l1_ratio`` (0: pure L2, as scikit-learn; scikit-learn also divides
      by the batch size, mlpkit does not); ``l1`` adds a further λ₁·Σ|w| (lasso) on its own.
    - ``early_stopping="auto"`` by default: from 10,000 rows on, 10% of the rows are held out and
      the weights of the best validation epoch are restored; below that (where a tenth of the
      rows is too few to judge by), with ``early_stopping=False``, or with sample or class
      weights (the validation loss is unweighted), training stops at the
      ``n_iter_no_change + 1``-th epoch in a row whose training loss has not improved by
      ``tol``, as scikit-learn's default.
      ``solver="lbfgs"`` ignores it and stops as scikit-learn's L-BFGS does.
    - ``kernel_initializer="glorot_uniform"`` by default for the hidden layers (Keras's default;
      scikit-learn's MLP draws Glorot-uniform weights too): on the 20 tasks of
      benchmarks/bench_quality.py it scored above He initialisation (the layers' own default
      for ReLU, which ``kernel_initializer=None`` selects) on 18, tied on one (read the table in
      benchmarks/README.md).
    - ``optimizer`` (None: ``solver`` decides; or "adam", "adamw", "sgd", "rmsprop", "adagrad",
      "adadelta", or an ``mk.optim`` object), ``dropout``, ``batch_norm``,
      ``kernel_initializer``, ``clip_norm``, ``lr_schedule`` (an ``mk.schedules`` schedule),
      ``scale_inputs`` (standardise X with training statistics, default True), ``preprocessor``
      (None: numeric arrays; ``"auto"``: raw tables — missing cells filled with the median or
      the most frequent value, text columns one-hot encoded; or an ``mk.data.Preprocessor``; it
      lives inside ``network_``), ``callbacks`` and ``dtype`` ("float64" by default, as
      scikit-learn computes; "float32" trains about twice as fast).

    Attributes:
        classes_, n_features_in_, feature_names_in_, network_ (the ``mk.Sequential``),
        history_, loss_curve_ (the training loss after each epoch, or each L-BFGS iteration),
        n_iter_, t_ (training rows seen, as scikit-learn's), stop_reason_.
    """

    def _check_targets(self, y) -> np.ndarray:
        y = as_target_array(y)
        if y.ndim == 2 and y.shape[1] > 1:
            if type_of_target(y) != "multilabel-indicator":
                raise ValueError("A 2-D y must be a 0/1 multi-label indicator matrix.")
            return y
        if y.ndim == 2:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; it is "
                "used as y.ravel().",
                DataConversionWarning,
                stacklevel=4,
            )
            y = y.ravel()
        check_no_missing(y)
        try:
            check_classification_targets(y)
        except TypeError:  # Python's words on labels that do not sort together: ours
            unique_labels(y)
            raise
        return y

    def _continued_classes(self, y, classes, partial: bool):
        """The classes of a fit that continues ``network_``: its ``classes_``, which the first
        fit fixed. A ``partial_fit`` chunk may hold any of them (a label outside them is an
        error naming it); a ``warm_start`` fit needs all of them, as scikit-learn's does;
        ``classes`` given again must be the same."""
        if y.ndim == 2:  # multi-label: the label columns are the classes
            return None
        known = self.classes_
        if classes is not None and not _same(unique_labels(np.asarray(classes)), known):
            raise ValueError(
                f"partial_fit received classes={show_labels(np.asarray(classes))}, but the "
                f"first partial_fit fixed them as {show_labels(known)}. Pass the same classes "
                f"(or none) on later calls, or call fit to start anew."
            )
        if partial:
            self.network_.target.encode(y)  # names any label outside classes_
        elif not _same(unique_labels(y), known):
            raise ValueError(
                f"warm_start=True continues the fitted network, whose classes are "
                f"{show_labels(known)}, but this y has {show_labels(unique_labels(y))}. With "
                f"warm_start, y must hold the same classes (as in scikit-learn); use partial_fit "
                f"for a batch lacking some, or warm_start=False to start anew."
            )
        return known

    def _output_layer(self, y, classes) -> tuple[int, str]:
        if y.ndim == 2:  # multi-label: one sigmoid per label
            return y.shape[1], "sigmoid"
        labels = np.unique(np.asarray(classes if classes is not None else y))
        if labels.size < 2:
            raise ValueError(
                f"The classifier needs samples of at least 2 classes; y has 1 class: {labels}."
            )
        return (1, "sigmoid") if labels.size == 2 else (labels.size, "softmax")

    def _loss_name(self) -> str:
        output = self.network_.output_activation
        return "categorical_cross_entropy" if output.name == "Softmax" else "binary_cross_entropy"

    def _fitted_from_network(self) -> None:
        self.classes_ = self.network_.classes_

    def __init__(
        self, hidden_layer_sizes=(100,), activation="relu", *, class_weight=None, **kwargs
    ):
        super().__init__(hidden_layer_sizes, activation, **kwargs)
        self.class_weight = class_weight

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch on this batch of data; the first call needs ``classes`` (all labels)."""
        if not hasattr(self, "network_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, partial=True, classes=classes, sample_weight=sample_weight)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order:
        ``network_.predict(X)``, with the complement column first for a binary task."""
        output = self._network_output(X)
        if output.shape[1] > 1:
            return output
        return np.hstack([1 - output, output])

    def predict_log_proba(self, X) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X) -> np.ndarray:
        """The predicted labels (``network_.predict_classes``); a 0/1 matrix for multi-label."""
        check_is_fitted(self, "network_")
        return self.network_.predict_classes(self._validate_X(X, reset=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return input_tags(self, tags)


declare_parameters(MLPClassifier, class_weight=None)


def _same(labels: np.ndarray, classes: np.ndarray) -> bool:
    """Whether sorted distinct labels are exactly ``classes`` (False for other kinds)."""
    if labels.shape != classes.shape:
        return False
    try:
        return bool(np.all(labels == classes))
    except TypeError:
        return False
