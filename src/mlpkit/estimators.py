"""MLPClassifier and MLPRegressor: scikit-learn estimators over Sequential and its trainer.

A thin façade: the constructor stores scikit-learn-style hyperparameters, and ``fit`` turns them
into an ``mk.Sequential`` (``network_``) trained by the same loop as everywhere else. Defaults
aim at tabular data out of the box: inputs standardised inside the estimator, Adam, He
initialisation for ReLU, and early stopping on a 10% validation split that restores the best
weights.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import callbacks, initializers, layers, optim, regularizers, serialization
from ._checks import check_fraction, check_integer, check_positive
from .exceptions import ConfigError
from .network import Sequential


class _MLP(BaseEstimator):
    """Shared parameters and training of the two estimators (see their docstrings)."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        optimizer="adam",
        alpha=1e-4,
        l1_ratio=0.0,
        l1=0.0,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        dropout=0.0,
        batch_norm=False,
        kernel_initializer=None,
        clip_norm=None,
        lr_schedule=None,
        scale_inputs=True,
        callbacks=None,
        dtype="float64",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.l1 = l1
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.kernel_initializer = kernel_initializer
        self.clip_norm = clip_norm
        self.lr_schedule = lr_schedule
        self.scale_inputs = scale_inputs
        self.callbacks = callbacks
        self.dtype = dtype

    # -- building ------------------------------------------------------------------------------
    def _check_params(self) -> None:
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, (int, np.integer)) else tuple(sizes)
        for size in sizes:
            check_integer("hidden_layer_sizes entry", size, low=1)
        check_positive("alpha", self.alpha, allow_zero=True)
        check_fraction("l1_ratio", self.l1_ratio, interval="[0, 1]")
        check_positive("l1", self.l1, allow_zero=True)
        check_positive("learning_rate_init", self.learning_rate_init)
        check_integer("max_iter", self.max_iter, low=1)
        check_positive("tol", self.tol, allow_zero=True)
        check_fraction("validation_fraction", self.validation_fraction, interval="(0, 1)")
        check_integer("n_iter_no_change", self.n_iter_no_change, low=1)
        check_fraction("dropout", self.dropout, interval="[0, 1)")
        if self.batch_size != "auto":
            check_integer("batch_size", self.batch_size, low=1)
        self._hidden = sizes

    def _activations(self) -> list:
        if isinstance(self.activation, (list, tuple)):
            if len(self.activation) != len(self._hidden):
                raise ConfigError(
                    f"activation lists {len(self.activation)} names for "
                    f"{len(self._hidden)} hidden layers; give one per layer or a single name."
                )
            return list(self.activation)
        return [self.activation] * len(self._hidden)

    def _build_network(self, n_outputs: int, output_activation: str) -> Sequential:
        stack = []
        for units, activation in zip(self._hidden, self._activations()):
            if self.batch_norm:
                stack += [
                    layers.Dense(units, kernel_initializer=self._init(activation)),
                    layers.BatchNorm(),
                    layers.activations.get(activation),
                ]
            else:
                stack.append(
                    layers.Dense(
                        units, activation=activation, kernel_initializer=self._init(activation)
                    )
                )
            if self.dropout:
                stack.append(layers.Dropout(self.dropout))
        stack.append(layers.Dense(n_outputs, activation=output_activation))
        l1 = self.alpha * self.l1_ratio + self.l1
        l2 = self.alpha * (1 - self.l1_ratio) / 2
        penalty = regularizers.Regularizer(l1=l1, l2=l2) if l1 or l2 else None
        return Sequential(
            stack, random_state=_seed(self.random_state), regularizer=penalty, dtype=self.dtype
        )

    def _init(self, activation):
        if self.kernel_initializer is not None:
            return self.kernel_initializer
        # the hidden activation's default, also when BatchNorm stands between Dense and it
        name = layers.activations.activation_name(layers.activations.get(activation))
        return initializers.default_for_activation(name)

    def _make_optimizer(self):
        lr = self.lr_schedule if self.lr_schedule is not None else self.learning_rate_init
        name = self.optimizer if isinstance(self.optimizer, str) else None
        if name is None:
            return optim.get(self.optimizer)
        arguments = {
            "adam": {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon},
            "adamw": {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon},
            "sgd": {"momentum": self.momentum},
            "rmsprop": {"epsilon": self.epsilon},
        }.get(name, {})
        return optim.get({"name": name, "learning_rate": lr, **arguments})

    # -- training ------------------------------------------------------------------------------
    def _train(self, X, T, *, partial: bool, first: bool, weights=None) -> None:
        """Scale X, then fit the network: one epoch for ``partial_fit``, else up to
        ``max_iter`` epochs with early stopping (also on a ``warm_start`` refit)."""
        if self.scale_inputs:
            if first:
                self.input_scaler_ = StandardScaler()
            # partial_fit keeps running statistics over every chunk seen so far
            self.input_scaler_.partial_fit(X) if partial else self.input_scaler_.fit(X)
            X = self.input_scaler_.transform(X)
        else:
            self.input_scaler_ = None
        batch = min(200, X.shape[0]) if self.batch_size == "auto" else self.batch_size
        # with row weights the (unweighted) validation loss would judge a different objective,
        # so early stopping then watches the weighted training loss
        use_validation = (
            self.early_stopping
            and not partial
            and weights is None
            and int(round(X.shape[0] * self.validation_fraction)) >= 2
        )
        stop = (
            []
            if partial
            else [
                callbacks.EarlyStopping(
                    monitor="val_loss" if use_validation else "loss",
                    patience=self.n_iter_no_change - 1,
                    min_delta=self.tol,
                    restore_best_weights=use_validation,
                )
            ]
        )
        history = self.network_.fit(
            X,
            T,
            loss=self._loss,
            optimizer=self.optimizer_,
            batch_size=batch,
            epochs=1 if partial else self.max_iter,
            shuffle=self.shuffle,
            validation_split=self.validation_fraction if use_validation else 0.0,
            callbacks=[*stop, *(self.callbacks or [])],
            verbose=self.verbose,
            clip_norm=self.clip_norm,
            sample_weight=weights,
        )
        self.history_ = {k: list(v) for k, v in history.history.items()}
        previous = [] if first else list(getattr(self, "loss_curve_", []))
        self.loss_curve_ = previous + history.history.get("loss", [])
        self.n_iter_ = len(self.loss_curve_)
        self.stop_reason_ = history.stop_reason

    def _fit(self, X, y, *, partial: bool, classes=None, sample_weight=None):
        """Shared by fit and partial_fit. The network is built anew by ``fit`` (unless
        ``warm_start``) and by the first ``partial_fit``; later calls continue training it."""
        self._check_params()
        first = not hasattr(self, "network_") or not (partial or self.warm_start)
        X, y = validate_data(
            self, X, y, reset=first, multi_output=True, y_numeric=False, dtype=np.float64
        )
        T = self._targets(y, first=first, classes=classes)
        weights = self._row_weights(y, sample_weight, X)
        if first:
            self.network_ = self._build_network(self._n_outputs, self._output_activation)
            self.optimizer_ = self._make_optimizer()
        self._train(X, T, partial=partial, first=first, weights=weights)
        return self

    def _row_weights(self, y, sample_weight, X):
        """sample_weight times the class weights (classifier), or None when all are 1."""
        weights = None if sample_weight is None else _check_sample_weight(sample_weight, X)
        class_weight = getattr(self, "class_weight", None)
        if class_weight is not None and not self._multilabel:
            by_class = compute_sample_weight(class_weight, y.ravel())
            weights = by_class if weights is None else weights * by_class
        return weights

    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples, n_features) and y, rows weighted by ``sample_weight``
        (n_samples,) if given. Returns self."""
        return self._fit(X, y, partial=False, sample_weight=sample_weight)

    def _network_output(self, X) -> np.ndarray:
        check_is_fitted(self, "network_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        if self.input_scaler_ is not None:
            X = self.input_scaler_.transform(X)
        return self.network_.predict(X).astype(np.float64)

    def save(self, path) -> str:
        """Save the estimator — settings, label classes, scalers and the trained network — to
        one model file (no pickle); ``mk.load(path)`` returns the estimator."""
        check_is_fitted(self, "network_")
        return serialization.save(self.network_, path, estimator=self._state())

    def _state(self) -> dict:
        params = {}
        for name, value in self.get_params().items():
            if hasattr(value, "get_config"):
                value = value.get_config()
            elif isinstance(value, (np.random.RandomState, np.random.Generator)) or (
                name == "callbacks" and value
            ):
                warnings.warn(
                    f"The estimator's {name} is not saved (it holds code or state); "
                    f"set it again after loading.",
                    UserWarning,
                    stacklevel=3,
                )
                value = None
            elif isinstance(value, dict):  # class_weight: keep the labels' types
                value = {"__pairs__": [[_plain(k), _plain(v)] for k, v in value.items()]}
            params[name] = _plain(value)
        fitted = {name: _plain(getattr(self, name, None)) for name in _FITTED}
        for scaler in ("input_scaler_", "target_scaler_"):
            fitted[scaler] = _scaler_state(getattr(self, scaler, None))
        return {"class": type(self).__name__, "params": params, "fitted": fitted}


class MLPClassifier(ClassifierMixin, _MLP):
    """A multi-layer perceptron classifier with scikit-learn's interface.

    Binary labels use one sigmoid output with binary cross-entropy; more classes a softmax
    output with categorical cross-entropy; a 2-D 0/1 label matrix is multi-label (one sigmoid
    per label). Labels may be of any type (strings too): ``classes_`` maps them.

    Parameters follow ``sklearn.neural_network.MLPClassifier`` where it has them
    (``hidden_layer_sizes``, ``activation`` — here also a list, one per layer — ``alpha``,
    ``batch_size``, ``learning_rate_init``, ``max_iter``, ``shuffle``, ``random_state``, ``tol``,
    ``verbose``, ``warm_start``, ``momentum``, ``beta_1``, ``beta_2``, ``epsilon``,
    ``early_stopping``, ``validation_fraction``, ``n_iter_no_change``, and ``class_weight`` —
    None, "balanced" or ``{label: weight}`` — and ``sample_weight`` in ``fit``), with these
    differences and additions:

    - ``alpha`` is the strength of an elastic-net penalty α(r·Σ|w| + ½(1 − r)·Σw²) added to the
      mean batch loss, r = ``l1_ratio`` (0: pure L2, as scikit-learn; scikit-learn also divides
      by the batch size, mlpkit does not); ``l1`` adds a further λ₁·Σ|w| (lasso) on its own.
    - ``early_stopping=True`` by default: 10% of the rows are held out and the weights of the
      best validation epoch are restored; with it off, or with sample or class weights (the
      validation loss is unweighted), training stops when the training loss has not improved
      by ``tol`` for ``n_iter_no_change`` epochs.
    - ``optimizer`` ("adam", "adamw", "sgd", "rmsprop", "adagrad", "adadelta", or an
      ``mk.optim`` object), ``dropout``, ``batch_norm``, ``kernel_initializer``, ``clip_norm``,
      ``lr_schedule`` (an ``mk.schedules`` schedule), ``scale_inputs`` (standardise X with
      training statistics, default True), ``callbacks`` and ``dtype`` ("float64" by default, as
      scikit-learn computes; "float32" trains about twice as fast).

    Attributes:
        classes_, n_features_in_, feature_names_in_, network_ (the ``mk.Sequential``),
        history_, loss_curve_, n_iter_, stop_reason_.
    """

    def _targets(self, y, *, first: bool, classes=None) -> np.ndarray:
        if y.ndim == 2 and y.shape[1] > 1:
            if type_of_target(y) != "multilabel-indicator":
                raise ValueError("A 2-D y must be a 0/1 multi-label indicator matrix.")
            if first:
                self.classes_ = np.arange(y.shape[1])
                self._setup(y.shape[1], "sigmoid", "binary_cross_entropy", multilabel=True)
            return y.astype(np.float64)
        if y.ndim == 2:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; it is "
                "used as y.ravel().",
                DataConversionWarning,
                stacklevel=4,
            )
            y = y.ravel()
        check_classification_targets(y)
        if first:
            encoder = LabelEncoder().fit(classes if classes is not None else y)
            self.classes_ = encoder.classes_
            if self.classes_.size < 2:
                raise ValueError(
                    f"The classifier needs samples of at least 2 classes; y has 1 class: "
                    f"{self.classes_}."
                )
            binary = self.classes_.size == 2
            self._setup(
                1 if binary else self.classes_.size,
                "sigmoid" if binary else "softmax",
                "binary_cross_entropy" if binary else "categorical_cross_entropy",
                multilabel=False,
            )
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y has labels {unknown.tolist()} not among classes_ {self.classes_.tolist()}."
            )
        return np.searchsorted(self.classes_, y)

    def _setup(self, n_outputs, output_activation, loss, *, multilabel):
        self._n_outputs, self._output_activation = n_outputs, output_activation
        self._loss, self._multilabel = loss, multilabel

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
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        output = self._network_output(X)
        if self._multilabel or output.shape[1] > 1:
            return output
        return np.hstack([1 - output, output])

    def predict_log_proba(self, X) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)
        if self._multilabel:
            return (proba > 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _MLP):
    """A multi-layer perceptron regressor with scikit-learn's interface.

    Single or multi-output y; the target is standardised with training statistics
    (``scale_target=True``, the default) and predictions come back in its units. Parameters as
    :class:`MLPClassifier`. Loss: mean squared error (``loss="mse"``, or "mae", "huber").
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="mse",
        scale_target=True,
        **kwargs,
    ):
        super().__init__(hidden_layer_sizes, activation, **kwargs)
        self.loss = loss
        self.scale_target = scale_target

    def _targets(self, y, *, first: bool, classes=None) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        self._single_output = y.ndim == 1
        y = y.reshape(len(y), -1)
        if first:
            self.target_scaler_ = StandardScaler().fit(y) if self.scale_target else None
            self._n_outputs, self._output_activation, self._loss = y.shape[1], "linear", self.loss
        return self.target_scaler_.transform(y) if self.target_scaler_ is not None else y

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch on this batch of data, continuing from the current weights."""
        return self._fit(X, y, partial=True, sample_weight=sample_weight)

    def predict(self, X) -> np.ndarray:
        output = self._network_output(X)
        if self.target_scaler_ is not None:
            output = self.target_scaler_.inverse_transform(output)
        return output.ravel() if self._single_output else output

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _declare_parameters(cls, **extra) -> None:
    """scikit-learn reads an estimator's parameters from ``__init__``'s signature and refuses
    ``**kwargs``: declare the shared parameters plus ``extra`` (name=default) as its signature."""
    shared = inspect.signature(_MLP.__init__)
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
        for name, default in extra.items()
    ]
    cls.__init__.__signature__ = shared.replace(parameters=[*shared.parameters.values(), *added])


_declare_parameters(MLPRegressor, loss="mse", scale_target=True)
_declare_parameters(MLPClassifier, class_weight=None)


_FITTED = (
    "classes_",
    "n_features_in_",
    "feature_names_in_",
    "history_",
    "loss_curve_",
    "n_iter_",
    "stop_reason_",
    "_n_outputs",
    "_output_activation",
    "_loss",
    "_multilabel",
    "_single_output",
    "_hidden",
)


def _seed(random_state):
    """An int, None or Generator as it is; a legacy ``RandomState`` (scikit-learn's tools pass
    them) gives one seed drawn from it."""
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    return random_state


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value.item() if hasattr(value, "item") else value


def _scaler_state(scaler) -> dict | None:
    if scaler is None:
        return None
    return {
        "mean_": scaler.mean_.tolist(),
        "scale_": scaler.scale_.tolist(),
        "var_": scaler.var_.tolist(),
        "n_samples_seen_": _plain(scaler.n_samples_seen_),
    }


def _restore_scaler(state: dict | None):
    if state is None:
        return None
    scaler = StandardScaler()
    for name, value in state.items():
        setattr(scaler, name, np.asarray(value, dtype=np.float64))  # arrays, as fit leaves them
    scaler.n_samples_seen_ = scaler.n_samples_seen_[()]  # a NumPy scalar when it was one
    scaler.n_features_in_ = scaler.mean_.size
    return scaler


def restore_estimator(document: dict, network: Sequential):
    """Rebuild a saved MLPClassifier/MLPRegressor around its loaded network."""
    classes = {"MLPClassifier": MLPClassifier, "MLPRegressor": MLPRegressor}
    params = {
        name: dict(value["__pairs__"])
        if isinstance(value, dict) and "__pairs__" in value
        else value
        for name, value in document["params"].items()
    }
    estimator = classes[document["class"]](**params)
    fitted = dict(document["fitted"])
    for name in ("input_scaler_", "target_scaler_"):
        setattr(estimator, name, _restore_scaler(fitted.pop(name)))
    for name, value in fitted.items():
        if value is None and name in ("feature_names_in_", "history_"):
            continue
        if name in ("classes_", "feature_names_in_"):
            value = np.asarray(value, dtype=object if name == "feature_names_in_" else None)
        if name == "_hidden":
            value = tuple(value)
        setattr(estimator, name, value)
    estimator.network_, estimator.optimizer_ = network, network.optimizer
    return estimator
