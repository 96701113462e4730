"""Sequential: a feed-forward network, layers applied in order over one flat parameter buffer."""

from __future__ import annotations

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import optim, regularizers, serialization
from ._checks import check_integer
from ._validation import check_features, check_random_state
from .exceptions import ConfigError, NotFittedError
from .layers import Layer
from .layers.activations import Activation, activation_name
from .optim.clipping import check_clipping
from .params import ParamStore
from .regularizers import Penalty
from .training.callbacks import History
from .training.trainer import Trainer, check_fit_arguments, validation_rows


class Sequential:
    """A stack of layers: ŷ = f_L(… f_2(f_1(X))).

    Args:
        layers: the layers in order, e.g. ``[Dense(64, activation="relu"), Dense(1)]``.
        random_state: the one seed (int, None or ``numpy.random.Generator``) for initialisation,
            shuffling, validation splits and dropout; each gets its own child stream, and
            numpy's global random state is never touched. The same seed, data and calls give
            bit-identical weights.
        dtype: ``"float32"`` (default) or ``"float64"``, for parameters and computation.
        regularizer: an ``mk.regularizers`` penalty for every kernel (W) that has no
            ``kernel_regularizer`` of its own, e.g. ``mk.regularizers.L2(1e-4)``. Defaults to None.
        preprocessor: an ``mk.data.Preprocessor``. With one, ``fit``, ``predict`` and ``evaluate``
            take raw tables (DataFrames with missing values, text columns); it is fitted on the
            training rows of the first fit only, and ``predict`` returns a scaled regression
            target in the user's units. It is saved with the model. Defaults to None.

    Attributes:
        layers: the layers. After :meth:`build`, ``layers[i].W`` etc. are views into ``params``.
        params: all parameters, a 1-D array (``net.grads`` likewise for the gradients).
        optimizer, loss: those of the last ``fit`` (a later fit continues with them).
        epochs_trained: epochs completed over all fit calls.
    """

    def __init__(
        self,
        layers=None,
        *,
        random_state=None,
        dtype="float32",
        regularizer=None,
        preprocessor=None,
    ) -> None:
        self.layers: list[Layer] = []
        for layer in layers or []:
            self.add(layer)
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise ConfigError(f"dtype must be 'float32' or 'float64'; received dtype={dtype!r}.")
        self.dtype = np.dtype(dtype)
        self.random_state = random_state
        self.regularizer = regularizers.get(regularizer)
        self.preprocessor = preprocessor
        self._init_rng, self._shuffle_rng, split_rng, self.dropout_rng = check_random_state(
            random_state
        ).spawn(4)
        self._split_seed = int(split_rng.integers(2**63))  # the same held-out rows every fit
        self._store: ParamStore | None = None
        self.n_features: int | None = None
        self.optimizer: optim.Optimizer | None = None
        self.loss: losses_module.Loss | None = None
        self.epochs_trained = 0
        self.stop_training, self.stop_reason = False, None

    def add(self, layer: Layer) -> None:
        """Append a layer (before the network is built)."""
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential takes layers such as mk.layers.Dense(8); got "
                f"{type(layer).__name__} {layer!r}."
            )
        if getattr(self, "_store", None) is not None:
            raise ConfigError("Cannot add layers to a network that is already built.")
        in_use = {id(known) for known in _walk(self.layers)}
        if any(id(part) in in_use for part in _walk([layer])):
            raise ConfigError(
                f"This {layer.name} object is already in the network; a layer holds its own "
                f"weights and caches, so create a new one for each place it is used."
            )
        self.layers.append(layer)

    # -- building ------------------------------------------------------------------------------
    @property
    def built(self) -> bool:
        return self._store is not None

    def build(self, n_features: int) -> Sequential:
        """Allocate and initialise every parameter for inputs of ``n_features`` columns."""
        if not self.layers:
            raise ConfigError(
                "The network has no layers; pass a list such as [mk.layers.Dense(1)]."
            )
        check_integer("n_features", n_features, low=1)
        if self.built:
            if n_features != self.n_features:
                raise ConfigError(
                    f"The network is already built for {self.n_features} features; it cannot be "
                    f"rebuilt for {n_features}. Create a new network."
                )
            return self
        for layer in self.walk():
            if getattr(layer, "_network", self) is not self:
                raise ConfigError(
                    f"A {layer.name} layer object is already part of another network; create a "
                    f"new layer for this one."
                )
            layer._network = self
        widths, specs = [int(n_features)], []
        for layer in self.layers:
            width, layer_specs = layer.build(widths[-1])
            widths.append(width)
            specs.append(layer_specs)
        self._store = ParamStore(specs, self.dtype)
        for index, layer in enumerate(self.layers):
            layer.bind(*self._store.views(index))
            layer.needs_input_grad = index > 0
        for layer in self.walk():
            layer.rng = self.dropout_rng
        self._store.initialize(self._init_rng)
        self.n_features, self._widths = int(n_features), widths
        return self

    def walk(self):
        """Every layer, those nested in residual blocks included, in order."""
        return _walk(self.layers)

    # -- what has been learned -----------------------------------------------------------------
    def snapshot(self) -> dict[str, np.ndarray]:
        """A copy of everything learned: ``"params"`` and each layer's state arrays
        (``"state/<i>/<name>"``, e.g. BatchNorm's running statistics)."""
        snapshot = {"params": self.params.copy()}
        for index, layer in enumerate(self.walk()):
            for name, array in layer.state().items():
                snapshot[f"state/{index}/{name}"] = array.copy()
        return snapshot

    def restore(self, snapshot: dict[str, np.ndarray]) -> None:
        """Write a :meth:`snapshot` back, in place (layers keep their views)."""
        self._require_built().load(snapshot["params"])
        for index, layer in enumerate(self.walk()):
            for name, array in layer.state().items():
                array[...] = snapshot[f"state/{index}/{name}"]

    def is_finite(self) -> bool:
        """Whether every parameter and every layer state value is finite."""
        arrays = [self.params] + [a for layer in self.walk() for a in layer.state().values()]
        return all(np.isfinite(a).all() for a in arrays)

    def _require_built(self) -> ParamStore:
        if self._store is None:
            raise NotFittedError(
                "This network is not built yet. Call fit(X, y) or build(n_features) first."
            )
        return self._store

    @property
    def params(self) -> np.ndarray:
        """Every parameter in one 1-D array (writable; layers hold views into it)."""
        return self._require_built().values

    @property
    def grads(self) -> np.ndarray:
        """Every gradient from the last backward pass, aligned with ``params``."""
        return self._require_built().grads

    @property
    def output_activation(self) -> Activation | None:
        """The activation the network ends with (the last layer's, or the last layer itself)."""
        last = self.layers[-1]
        return last if isinstance(last, Activation) else getattr(last, "activation", None)

    @property
    def n_outputs(self) -> int:
        return self._widths[-1]

    # -- passes --------------------------------------------------------------------------------
    def forward(self, x: np.ndarray, *, training: bool = False, logits: bool = False) -> np.ndarray:
        """Run every layer; ``logits=True`` stops before the output layer's activation."""
        last = len(self.layers) - 1
        for index, layer in enumerate(self.layers):
            x = layer.forward(x, training=training, logits=logits and index == last)
        return x

    def backward(self, dy: np.ndarray, *, logits: bool = False) -> None:
        """Backpropagate dL/dŷ (or dL/dz with ``logits=True``), filling ``grads``."""
        last = len(self.layers) - 1
        for index in range(last, -1, -1):
            dy = self.layers[index].backward(dy, logits=logits and index == last)

    def predict(self, X) -> np.ndarray:
        """The network's output for X (n_samples, n_features): probabilities for a sigmoid or
        softmax output, raw values otherwise; shape (n_samples, n_outputs)."""
        self._require_built()
        if self.preprocessor is None:
            return self.forward(self._check_X(X), training=False)
        X = self.preprocessor.transform(X, allow_drop=False)[0]
        output = self.forward(self._check_X(X), training=False)
        return self.preprocessor.inverse_transform_target(output).astype(self.dtype)

    def evaluate(self, X, y, loss=None) -> dict[str, float]:
        """The loss (of the last fit, or ``loss``) on X, y, and the task's metrics:
        accuracy, auc, precision, recall and f1 for a sigmoid or softmax output; mse, rmse, mae
        and r2 otherwise (in the network's units: scaled, with a preprocessor's target scaler).
        For the full typed report of a model, use ``mk.evaluate``."""
        self._require_built()
        loss = self._resolve_loss(loss)
        if self.preprocessor is not None:  # the loss is in the network's (scaled) units
            X, y = self.preprocessor.transform(X, y)
        X, y = self._check_X_y(X, y, loss)
        names = TASK_METRICS["classification" if self._is_classifier() else "regression"]
        return self._scores(X, y, loss, names)

    def _is_classifier(self) -> bool:
        output = self.output_activation
        return output is not None and activation_name(output) in ("sigmoid", "softmax")

    def _scores(self, X, y, loss, metrics=(), *, with_loss=True) -> dict[str, float]:
        """The loss and the named metrics of (checked) X, y, from a single forward pass: the
        loss reads the logits when it is fused with the output activation, the metrics read
        the output itself."""
        logits = loss.logits_activation is not None
        z = self.forward(X, training=False, logits=logits)
        scores = {"loss": loss.value(z, y)} if with_loss else {}
        output = self.output_activation.forward(z) if logits else z
        for name in metrics:
            scores[name] = metrics_module.METRICS[name](output, y)
        return scores

    def _check_X(self, X, name: str = "X") -> np.ndarray:
        return check_features(X, dtype=self.dtype, n_features=self.n_features, name=name)

    def _check_X_y(self, X, y, loss, names=("X", "y")) -> tuple[np.ndarray, np.ndarray]:
        X = self._check_X(X, names[0])
        y = loss.prepare_targets(y, self.n_outputs, self.dtype)
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"{names[0]} has {X.shape[0]} rows but {names[1]} has {y.shape[0]}; "
                f"they must match."
            )
        return X, y

    # -- training ------------------------------------------------------------------------------
    def fit(
        self,
        X,
        y,
        *,
        loss=None,
        optimizer=None,
        batch_size=32,
        epochs=1,
        shuffle=True,
        validation_data=None,
        validation_split=0.0,
        callbacks=(),
        verbose=0,
        metrics=(),
        clip_value=None,
        clip_norm=None,
        sample_weight=None,
    ) -> History:
        """Train by mini-batch gradient descent; continue from the current weights and
        optimizer state when called again.

        Args:
            X: features, shape (n_samples, n_features).
            y: targets: (n_samples,) or (n_samples, n_outputs); class labels or one-hot rows
                for categorical_cross_entropy, 0/1 for binary_cross_entropy.
            loss: a name ("mse", "mae", "huber", "binary_cross_entropy",
                "categorical_cross_entropy") or an ``mk.losses`` object. Needed on the first
                fit; later fits keep the previous one.
            optimizer: an ``mk.optim`` object or a name. None (default) keeps the network's
                optimizer (``Adam()`` on the first fit); a name equal to the current
                optimizer's keeps it too, so its state carries on.
            batch_size: None = full batch, 1 = stochastic, k = mini-batches of k rows.
            epochs: passes over the data in this call.
            shuffle: reshuffle the rows every epoch (seeded); False keeps the row order.
            validation_data: ``(X_val, y_val)`` scored after every epoch as ``val_loss``.
            validation_split: or a fraction of the rows, picked at random (seeded) and held out.
            callbacks: ``mk.callbacks`` objects (see their protocol).
            verbose: 1 shows a progress bar on an interactive terminal and prints one line per
                epoch elsewhere (CI, pipes); 0 is silent.
            metrics: names of extra per-epoch scores on the training and validation data
                (``name`` and ``val_name``): "accuracy", "auc", "log_loss", "precision",
                "recall", "f1", "mse", "rmse", "mae", "r2", "regression_accuracy".
            clip_value, clip_norm: clip each gradient entry to [−clip_value, clip_value] and/or
                rescale the gradient to a global L2 norm of at most clip_norm, every step.
            sample_weight: a weight wᵢ ≥ 0 per row, shape (n_samples,): each batch's loss is
                the weighted mean Σwᵢℓᵢ/Σwᵢ of its rows' losses (validation stays unweighted).

        Returns:
            History: per-epoch ``history["loss"]`` (mean batch loss) and ``stop_reason``.
        """
        check_fit_arguments(batch_size, epochs)
        check_clipping(clip_value, clip_norm)
        metrics = metrics_module.check(metrics)
        if validation_split and validation_data is not None:
            raise ConfigError("Pass validation_data or validation_split, not both.")
        self.loss = self._resolve_loss(loss)
        self.optimizer = self._resolve_optimizer(optimizer)
        if sample_weight is not None and self.preprocessor is not None:
            raise ConfigError(
                "sample_weight with a preprocessor is not supported yet; apply "
                "the preprocessor first and fit on its arrays."
            )
        if self.preprocessor is not None:
            X, y, validation_data = self._preprocess(X, y, validation_data, validation_split)
            validation_split = 0.0
        X = check_features(X, dtype=self.dtype, n_features=self.n_features)
        if not self.built:
            self.build(X.shape[1])
        X, y = self._check_X_y(X, y, self.loss)
        weights = _check_sample_weight(sample_weight, X.shape[0], self.dtype)
        if validation_split:
            split_rng = np.random.default_rng(self._split_seed)
            train, val = validation_rows(X.shape[0], validation_split, split_rng)
            validation_data = (X[val], y[val])
            X, y = X[train], y[train]
            weights = None if weights is None else weights[train]
        elif validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ConfigError("validation_data must be a pair (X_val, y_val).")
            validation_data = self._check_X_y(*validation_data, self.loss, ("X_val", "y_val"))
        for layer in self.walk():
            layer.release_workspaces()
        penalty = Penalty(self._store.slots, self.layers, self.regularizer, self.dtype)
        trainer = Trainer(
            self,
            self.loss,
            self.optimizer,
            batch_size=batch_size,
            shuffle=shuffle,
            callbacks=callbacks,
            verbose=verbose,
            penalty=penalty,
            clip_value=clip_value,
            clip_norm=clip_norm,
            metrics=metrics,
        )
        return trainer.fit(
            X, y, epochs=epochs, validation_data=validation_data, sample_weight=weights
        )

    def _preprocess(self, X, y, validation_data, validation_split):
        """Raw tables to arrays: the validation rows are set apart *before* the preprocessor
        learns anything, and it learns from the training rows of the first fit only."""
        prep = self.preprocessor
        if validation_split:
            rng = np.random.default_rng(self._split_seed)
            train, val = validation_rows(_n_rows(X), validation_split, rng)
            validation_data = (_take_rows(X, val), _take_rows(y, val))
            X, y = _take_rows(X, train), _take_rows(y, train)
        X, y = prep.transform(X, y) if prep.state_ is not None else prep.fit_transform(X, y)
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ConfigError("validation_data must be a pair (X_val, y_val).")
            validation_data = prep.transform(*validation_data)
        return X, y, validation_data

    def _resolve_loss(self, loss) -> losses_module.Loss:
        if loss is None:
            if self.loss is None:
                raise ConfigError(
                    'No loss given. Pass loss= to fit, e.g. loss="mse" for regression or '
                    'loss="categorical_cross_entropy" for classification.'
                )
            return self.loss
        return losses_module.get(loss)

    def _resolve_optimizer(self, optimizer) -> optim.Optimizer:
        if optimizer is None:
            return self.optimizer or optim.Adam()
        if (
            isinstance(optimizer, str)
            and self.optimizer is not None
            and optimizer == self.optimizer.name
        ):
            return self.optimizer
        return optim.get(optimizer)

    # -- description ---------------------------------------------------------------------------
    def summary(self) -> str:
        """A table of the layers: type, output shape, parameter count, activation."""
        store = self._require_built()
        counts = [0] * len(self.layers)
        for slot in store.slots:
            counts[slot.layer] += slot.spec.size
        rows = [("Layer", "Output shape", "Params", "Activation")]
        for index, layer in enumerate(self.layers):
            activation = getattr(
                layer, "activation", layer if isinstance(layer, Activation) else None
            )
            rows.append(
                (
                    f"{index}: {layer.name}",
                    f"(None, {self._widths[index + 1]})",
                    f"{counts[index]:,}",
                    activation_name(activation) if activation else "-",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
        rule = "-" * len(lines[0])
        return "\n".join(
            [
                f"Sequential: {self.n_features} inputs, dtype {self.dtype}",
                rule,
                lines[0],
                rule,
                *lines[1:],
                rule,
                f"Total parameters: {store.size:,}",
            ]
        )

    def get_config(self) -> dict:
        return {
            "layers": [
                {"class": layer.name, "config": layer.get_config()} for layer in self.layers
            ],
            "random_state": self.random_state
            if isinstance(self.random_state, (int, type(None)))
            else None,
            "dtype": self.dtype.name,
            "regularizer": None if self.regularizer is None else self.regularizer.get_config(),
        }

    def save(self, path) -> str:
        """Write the network (architecture, weights, layer state, loss and optimizer state) to
        ``path`` (e.g. ``"model.mlpk"``) atomically; no pickle. Read it back with ``mk.load``."""
        self._require_built()
        return serialization.save(self, path)

    def __repr__(self) -> str:
        return f"Sequential({self.layers!r}, dtype={self.dtype.name!r})"


TASK_METRICS = {
    "classification": ("accuracy", "auc", "precision", "recall", "f1"),
    "regression": ("mse", "rmse", "mae", "r2"),
}


def _check_sample_weight(sample_weight, n: int, dtype):
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.shape != (n,):
        raise ValueError(
            f"sample_weight has shape {weights.shape}; it needs one weight per row: shape ({n},)."
        )
    if not np.all(np.isfinite(weights)) or weights.min() < 0 or weights.sum() <= 0:
        raise ValueError("sample_weight must be finite and non-negative, and not all zero.")
    return weights.astype(dtype)


def _n_rows(data) -> int:
    return len(data) if hasattr(data, "__len__") else np.asarray(data).shape[0]


def _take_rows(data, rows):
    """Rows of an array, a DataFrame or a Series, by position."""
    return data.iloc[rows] if hasattr(data, "iloc") else np.asarray(data)[rows]


def _walk(layers):
    """Every layer, nested ones included, in order."""
    for layer in layers:
        yield layer
        yield from _walk(layer.sublayers())
