"""What MLPClassifier and MLPRegressor share: their parameters, the network they build (with
its preprocessor and target inside), training, and their model-file document."""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .. import callbacks, initializers, layers, modelfile, regularizers
from .._validation import check_sample_weight, n_rows
from ..data.preprocessor import Preprocessor
from ..exceptions import ConfigError
from ..network import Sequential
from ..training import streamed
from . import hyperparameters, solvers
from .class_weights import row_class_weights
from .inputs import not_numeric
from .lbfgs import fit_lbfgs
from .parameters import decode, encode


class MLPBase(BaseEstimator):
    """Shared parameters and training of the two estimators (see their docstrings)."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        optimizer=None,
        alpha=1e-4,
        l1_ratio=0.0,
        l1=0.0,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=3e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        batch_norm=False,
        kernel_initializer="glorot_uniform",
        clip_norm=None,
        lr_schedule=None,
        scale_inputs=True,
        preprocessor=None,
        callbacks=None,
        dtype="float64",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.optimizer = optimizer
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.l1 = l1
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.kernel_initializer = kernel_initializer
        self.clip_norm = clip_norm
        self.lr_schedule = lr_schedule
        self.scale_inputs = scale_inputs
        self.preprocessor = preprocessor
        self.callbacks = callbacks
        self.dtype = dtype

    # -- building ------------------------------------------------------------------------------
    def check_params(self) -> None:
        """Check every hyperparameter without data (``fit`` does it first).

        Raises:
            ConfigError: naming the parameter, the value received and what is allowed, e.g.
                ``MLPClassifier beta_1 must be in [0, 1); received beta_1=1.5.``
        """
        hyperparameters.check_params(self)

    def _check_params(self) -> None:
        self._hidden = hyperparameters.check_params(self)

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
            stack,
            random_state=seed(self.random_state),
            regularizer=penalty,
            dtype=self.dtype,
            preprocessor=self._make_preprocessor(),
            target_scaler=self._target_scaler(),
        )

    def _layers_config(self, y, classes) -> list:
        return self._build_network(*self._output_layer(y, classes)).get_config()["layers"]

    def _continued_classes(self, y, classes, partial: bool):
        """The ``classes`` that the network being continued was built for (the classifier
        checks y against its ``classes_``); a regressor has none."""
        return classes

    def _make_preprocessor(self):
        """The network's preprocessor: numeric columns standardised (``preprocessor=None``,
        ``scale_inputs=True``), raw tables (``"auto"``: medians and most frequent values for
        missing cells, one-hot text columns), a copy of the one given, or none."""
        scaler = "standard" if self.scale_inputs else None
        if self.preprocessor is None:
            return Preprocessor(categorical=None, scaler=scaler) if scaler else None
        if isinstance(self.preprocessor, str):
            if self.preprocessor != "auto":
                raise ConfigError(
                    f"preprocessor must be None, 'auto' or an mk.data.Preprocessor; received "
                    f"preprocessor={self.preprocessor!r}."
                )
            return Preprocessor(missing="auto", scaler=scaler)
        return clone(self.preprocessor)

    def _target_scaler(self):
        return None

    def _validate_X(self, X, *, reset: bool):
        """Numeric arrays are checked by scikit-learn; with a preprocessor, raw tables go to
        it as they are (only their width and column names are recorded here)."""
        if self.preprocessor is None:
            try:
                return validate_data(self, X, reset=reset, dtype=np.float64)
            except ValueError as error:  # numpy's words for text or ragged rows: ours instead
                raise not_numeric(self, X, error) from None
        if not hasattr(X, "columns"):  # arrays: 2-D and dense, any dtype, gaps allowed
            X = check_array(X, dtype=None, ensure_all_finite=False)
        validate_data(self, X, reset=reset, skip_check_array=True)
        return X

    def _init(self, activation):
        if self.kernel_initializer is not None:
            return self.kernel_initializer
        # the hidden activation's default, also when BatchNorm stands between Dense and it
        name = layers.activations.activation_name(layers.activations.get(activation))
        return initializers.default_for_activation(name)

    # -- training ------------------------------------------------------------------------------
    def _fit(self, X, y, *, partial: bool, classes=None, sample_weight=None):
        """Shared by fit and partial_fit. The network is built anew by ``fit`` (unless
        ``warm_start``) and by the first ``partial_fit``; later calls continue training it.
        A file source (``partial_fit`` only) is :meth:`_partial_fit_stream`."""
        if streamed.is_stream(X):
            return self._partial_fit_stream(X, y, partial, classes, sample_weight)
        self._check_params()
        first = not hasattr(self, "network_") or not (partial or self.warm_start)
        X = self._validate_X(X, reset=first)
        y = self._check_targets(y)
        known = classes if first else getattr(self, "classes_", None)  # a batch may lack some
        weights = self._row_weights(y, sample_weight, X, known)
        if first:
            self.network_ = self._build_network(*self._output_layer(y, classes))
            self.optimizer_ = None if self.solver == "lbfgs" else solvers.make_optimizer(self)
        else:
            self._check_continued(y, self._continued_classes(y, classes, partial))
            if partial and self.network_.preprocessor is not None:
                self.network_.preprocessor.partial_fit(X)  # running statistics over every chunk
        self._train(X, y, partial=partial, first=first, weights=weights, classes=classes)
        return self

    def _check_continued(self, y, classes) -> None:
        """A fit that continues ``network_`` (warm_start, a later partial_fit) needs the
        layers the parameters ask for now to be those of the network fitted before."""
        if self._layers_config(y, classes) != self.network_.get_config()["layers"]:
            raise ConfigError(
                f"warm_start/partial_fit continue the network fitted before, but the layers the "
                f"parameters ask for now (hidden_layer_sizes={self.hidden_layer_sizes!r}, "
                f"activation, dropout, batch_norm, outputs) differ from it. Set warm_start=False "
                f"(or call fit) to build a new network."
            )

    def _partial_fit_stream(self, X, y, partial: bool, classes, sample_weight):
        """``partial_fit`` over a file too large for memory (scikit-learn's out-of-core loop):
        one ``partial_fit`` per chunk of an ``mk.data.FileSource`` (or of the file ``X`` with
        target column ``y``), in file order, so one call is one pass over the file. As for any
        ``partial_fit``, a preprocessor learns its structure from the first chunk and its
        scaler's running statistics from every chunk; ``classes`` is needed on the first call
        of a classifier."""
        if not partial or sample_weight is not None:
            raise ConfigError(
                f"{type(self).__name__} takes a file source in partial_fit (one pass over the "
                f"file per call, without sample_weight); for epochs over a shuffled stream, use "
                f"mk.Sequential(...).fit(source, shuffle=True)."
            )
        for features, target in streamed.feature_chunks(streamed.as_source(X, y)):
            self._fit(features, target, partial=True, classes=classes)
        return self

    def _train(self, X, y, *, partial: bool, first: bool, weights=None, classes=None) -> None:
        """Fit the network: one epoch for ``partial_fit``, else up to ``max_iter`` epochs with
        early stopping (also on a ``warm_start`` refit); or L-BFGS (``solver="lbfgs"``)."""
        if self.solver == "lbfgs":
            if partial:
                raise ConfigError(
                    "partial_fit needs a stochastic solver ('adam' or 'sgd'); solver='lbfgs' "
                    "optimises over all rows at once. Use fit, or solver='adam'."
                )
            result = fit_lbfgs(
                self.network_,
                X,
                y,
                self._loss_name(),
                sample_weight=weights,
                classes=classes if first else None,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
            )
            self._record(result.loss_curve, {"loss": result.loss_curve}, first, result.message)
            return
        n = n_rows(X)
        batch = min(200, n) if self.batch_size == "auto" else self.batch_size
        # with row weights the (unweighted) validation loss would judge a different objective,
        # so early stopping then watches the weighted training loss
        use_validation = (
            solvers.early_stopping_on(self.early_stopping, n)
            and not partial
            and weights is None
            and int(round(n * self.validation_fraction)) >= 2
        )
        monitor = "val_loss" if use_validation else "loss"
        n_train = n - (int(round(n * self.validation_fraction)) if use_validation else 0)
        stop = (
            []
            if partial
            else [
                callbacks.EarlyStopping(
                    monitor=monitor,
                    patience=self.n_iter_no_change
                    + 1,  # scikit-learn stops on the (n + 1)-th bad epoch
                    min_delta=self.tol,
                    restore_best_weights=use_validation,
                )
            ]
        )
        rates = solvers.rate_callbacks(self, self.optimizer_, monitor=monitor, n_train=n_train)
        history = self.network_.fit(
            X,
            y,
            loss=self._loss_name(),
            optimizer=self.optimizer_,
            batch_size=batch,
            epochs=1 if partial else self.max_iter,
            shuffle=self.shuffle,
            validation_split=self.validation_fraction if use_validation else 0.0,
            callbacks=[*rates, *stop, *(self.callbacks or [])],
            verbose=self.verbose,
            clip_norm=self.clip_norm,
            sample_weight=weights,
            classes=classes if first else None,
        )
        curve = history.history.get("loss", [])
        self.t_ = (0 if first else getattr(self, "t_", 0)) + n_train * len(curve)
        self._record(curve, history.history, first, history.stop_reason)

    def _record(self, curve, history, first: bool, stop_reason) -> None:
        """The fitted attributes of one fit: ``history_``, ``loss_curve_`` (continued by
        ``warm_start`` and ``partial_fit``), ``n_iter_`` and ``stop_reason_``."""
        self.history_ = {k: list(v) for k, v in history.items()}
        previous = [] if first else list(getattr(self, "loss_curve_", []))
        self.loss_curve_ = previous + list(curve)
        self.n_iter_ = len(self.loss_curve_)
        self.stop_reason_ = stop_reason
        self._fitted_from_network()

    def _fitted_from_network(self) -> None:
        """Fitted attributes read off the network (nothing kept twice)."""

    def _row_weights(self, y, sample_weight, X, classes=None):
        """sample_weight times the class weights (classifier; ``classes``: every class, when
        y may lack some), or None when all are 1."""
        n = n_rows(X)
        weights = check_sample_weight(sample_weight, n, np.float64)
        class_weight = getattr(self, "class_weight", None)
        if class_weight is not None and not (y.ndim == 2 and y.shape[1] > 1):
            by_class = row_class_weights(class_weight, y.ravel(), type(self).__name__, classes)
            weights = by_class if weights is None else weights * by_class
        return weights

    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples, n_features) — a raw table with a ``preprocessor`` — and y,
        rows weighted by ``sample_weight`` (n_samples,) if given. Returns self."""
        return self._fit(X, y, partial=False, sample_weight=sample_weight)

    def _network_output(self, X) -> np.ndarray:
        check_is_fitted(self, "network_")
        X = self._validate_X(X, reset=False)
        return self.network_.predict(X).astype(np.float64)

    # -- model files ---------------------------------------------------------------------------
    def save(self, path, *, overwrite: bool = False) -> str:
        """Save the estimator — settings and the trained network with its preprocessor and
        labels — to one model file (no pickle); ``mk.load(path)`` returns the estimator. A
        file already there is a FileExistsError unless ``overwrite=True``. Returns the path."""
        return modelfile.save(self, path, overwrite=overwrite)

    def to_document(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The estimator as a JSON document and named arrays (its network's)."""
        check_is_fitted(self, "network_")
        network, arrays = self.network_.to_document()
        fitted = {name: encode(getattr(self, name, None), name) for name in FITTED}
        return {
            "class": type(self).__name__,
            "params": self._saved_params(),
            "fitted": fitted,
            "network": network,
        }, arrays

    def _saved_params(self) -> dict:
        return {name: encode(value, name) for name, value in self.get_params(deep=False).items()}

    @classmethod
    def from_document(cls, document: dict, arrays: dict[str, np.ndarray]):
        """Rebuild an estimator written by :meth:`to_document` around its network."""
        estimator = cls(**{name: decode(value) for name, value in document["params"].items()})
        for name, value in document["fitted"].items():
            value = decode(value)
            if value is None and name in ("feature_names_in_", "history_"):
                continue
            if name == "feature_names_in_":
                value = np.asarray(value, dtype=object)
            setattr(estimator, name, value)
        estimator._check_params()
        estimator.network_ = Sequential.from_document(document["network"], arrays)
        estimator.optimizer_ = estimator.network_.optimizer
        estimator._fitted_from_network()
        return estimator


def declare_parameters(cls, **extra) -> None:
    """scikit-learn reads an estimator's parameters from ``__init__``'s signature and refuses
    ``**kwargs``: declare the shared parameters plus ``extra`` (name=default) as its signature."""
    shared = inspect.signature(MLPBase.__init__)
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
        for name, default in extra.items()
    ]
    cls.__init__.__signature__ = shared.replace(parameters=[*shared.parameters.values(), *added])


FITTED = (
    "n_features_in_",
    "feature_names_in_",
    "history_",
    "loss_curve_",
    "n_iter_",
    "stop_reason_",
    "t_",
)


def seed(random_state):
    """An int, None or Generator as it is; a legacy ``RandomState`` (scikit-learn's tools pass
    them) gives one seed drawn from it."""
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    return random_state


def input_tags(estimator, tags):
    """With a preprocessor, the estimator takes what it takes (gaps, text columns)."""
    if estimator.preprocessor == "auto":
        tags.input_tags.allow_nan = tags.input_tags.string = True
    elif estimator.preprocessor is not None:
        inner = estimator.preprocessor.__sklearn_tags__().input_tags
        tags.input_tags.allow_nan, tags.input_tags.string = inner.allow_nan, inner.string
    return tags
