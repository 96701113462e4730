"""Sequential: a feed-forward network, layers applied in order over one flat parameter buffer."""

from __future__ import annotations

import numpy as np

from . import inference, modelfile, optim, regularizers
from . import losses as losses_module
from . import metrics as metrics_module
from ._checks import check_integer
from ._validation import check_column_names, check_random_state, column_names, n_rows
from .data.preprocessor import Preprocessor
from .exceptions import ConfigError, NotFittedError
from .layers import Layer, deserialize
from .layers.activations import Activation, activation_name
from .layers.base import build_layers, shown, size_of
from .optim.clipping import check_clipping
from .overflow import check_outputs
from .params import ParamStore
from .regularizers import Penalty
from .targets import Target, check_target_scaler
from .training import preparation, streamed
from .training.callbacks import History
from .training.trainer import Trainer

#: The network's random streams, each its own child of ``random_state``.
STREAMS = ("init", "shuffle", "dropout")


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
        preprocessor: an ``mk.data.Preprocessor`` (or any scikit-learn transformer with
            ``row_mask``; only a Preprocessor can be saved in a model file). With one, ``fit``,
            ``predict`` and ``evaluate`` take raw tables
            (DataFrames with missing values, text columns); it learns from the training rows of
            the first fit only (unless it was fitted before) and is saved with the model.
        target_scaler: how a regression target is scaled for training: "standard", "minmax",
            "tanh" or None; "auto" (default) is "standard" when the network has a preprocessor
            (raw tables in, user units out) and None otherwise (your arrays are trained on as
            they are). Predictions and metrics are always in the target's own units; the loss
            is in the scaled units (:attr:`loss_units` says which).

    Attributes:
        layers: the layers. After :meth:`build`, ``layers[i].W`` etc. are views into ``params``.
        params: all parameters, a 1-D array (``net.grads`` likewise for the gradients).
        optimizer, loss: those of the last ``fit`` (a later fit continues with them).
        classes_: the class labels in output-unit order (after fitting a classification).
        target: the :class:`~mlpkit.targets.Target` learned on the first fit.
        input_columns: the column names of the first fit's DataFrame (without a
            preprocessor, which keeps its own); ``predict``, ``evaluate`` and later fits refuse
            a DataFrame whose names differ. None after a fit on an array (taken by position).
        epochs_trained: epochs completed over all fit calls.
        rngs: the random streams ``{"init", "shuffle", "dropout"}``; ``split_seed`` picks the
            validation rows of ``validation_split`` (the same rows every fit).

    Example:
        >>> import numpy as np, mlpkit as mk
        >>> net = mk.Sequential([mk.layers.Dense(2, activation="softmax")], random_state=0)
        >>> _ = net.fit(np.eye(2), ["no", "yes"], loss="categorical_cross_entropy", epochs=3)
        >>> net.classes_.tolist(), net.predict_classes(np.eye(2)).shape
        (['no', 'yes'], (2,))
    """

    def __init__(
        self,
        layers=None,
        *,
        random_state=None,
        dtype="float32",
        regularizer=None,
        preprocessor=None,
        target_scaler="auto",
        parts=None,
    ) -> None:
        self.layers: list[Layer] = []
        self._store: ParamStore | None = None
        for layer in layers or []:
            self.add(layer)
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise ConfigError(f"dtype must be 'float32' or 'float64'; received dtype={dtype!r}.")
        self.dtype = np.dtype(dtype)
        self.random_state = random_state
        self.regularizer = regularizers.get(regularizer)
        self.preprocessor = check_preprocessor(preprocessor)
        check_target_scaler(target_scaler)
        self.target_scaler = target_scaler
        self.parts = check_parts(parts)
        streams = check_random_state(random_state).spawn(len(STREAMS) + 1)
        self.rngs = dict(zip(STREAMS, streams))
        self.split_seed = int(streams[-1].integers(2**63))
        self.target: Target | None = None
        self.n_features: int | None = None
        self.input_columns: list[str] | None = None
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
        if self._store is not None:
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
        self._require_layers()
        check_integer("n_features", n_features, low=1)
        if self.built:
            if n_features != self.n_features:
                raise ConfigError(
                    f"The network is already built for {self.n_features} features; it cannot be "
                    f"rebuilt for {n_features}. Create a new network."
                )
            return self
        check_parts(self.parts, len(self.layers))
        for layer in self.walk():
            if layer.network not in (None, self):
                raise ConfigError(
                    f"A {layer.name} layer object is already part of another network; create a "
                    f"new layer for this one."
                )
            layer.network = self
        sizes, specs = build_layers(self.layers, int(n_features))
        self._store = ParamStore(specs, self.dtype)
        # dL/dx is needed below the first layer with parameters only (not in a Reshape's)
        first_learner = next((i for i, found in enumerate(specs) if found), len(specs))
        for index, layer in enumerate(self.layers):
            layer.bind(*self._store.views(index))
            layer.needs_input_grad = index > first_learner
        for layer in self.walk():
            layer.rng = self.rngs["dropout"]
        self._store.initialize(self.rngs["init"])
        self.n_features, self.sizes = int(n_features), sizes
        self.widths = [size_of(size) for size in sizes]
        return self

    def part(self, name: str) -> Sequential:
        """The named part (``parts={"encoder": (0, 3), ...}``) as a network of its own: its
        layers ``[start, stop)`` with copies of their weights and state, ready to ``predict``
        (an autoencoder's encoder for dimensionality reduction, its decoder to generate). The
        part that starts at layer 0 takes the preprocessor, the one that ends at the last
        layer the target (so its ``predict`` is in the target's units); a middle part gives
        its raw outputs. Later training of either network leaves the other unchanged.

        Raises:
            ConfigError: no part of that name, or the part starts where samples are shaped
                (a network's input is flat rows).
        """
        store = self._require_built()
        if name not in self.parts:
            known = ", ".join(repr(n) for n in self.parts) or "none (pass parts= to Sequential)"
            raise ConfigError(f"This network has no part {name!r}; its parts: {known}.")
        start, stop = self.parts[name]
        if not isinstance(self.sizes[start], int):
            raise ConfigError(
                f"Part {name!r} starts at layer {start}, whose inputs have shape "
                f"{shown(self.sizes[start])}; a network takes flat rows, so begin the part with "
                f"a layer that takes (n, features) (or put its Reshape inside the part)."
            )
        layers = [deserialize({"class": la.name, "config": la.get_config()}) for la in self.layers]
        net = Sequential(
            layers[start:stop],
            random_state=self.random_state if isinstance(self.random_state, int) else None,
            dtype=self.dtype,
            regularizer=self.regularizer,
            preprocessor=self.preprocessor if start == 0 else None,
            target_scaler=self.target_scaler,
        )
        net.build(self.sizes[start])
        if start == 0:
            net.input_columns = self.input_columns
        for index in range(start, stop):
            for key, values in store.views(index)[0].items():
                net._store.views(index - start)[0][key][...] = values
            copies = net.layers[index - start]
            for mine, theirs in zip(_walk([self.layers[index]]), _walk([copies])):
                theirs.trainable = mine.trainable
                for key, array in mine.state().items():
                    theirs.state()[key][...] = array
        if stop == len(self.layers):
            net.target, net.loss = self.target, self.loss
        return net

    def walk(self):
        """Every layer, those nested in residual blocks included, in order."""
        return _walk(self.layers)

    # -- the flat buffer, as the trainer, the penalty and the pictures read it -----------------
    @property
    def slots(self):
        """Where each parameter lives in the flat buffer (:class:`~mlpkit.params.Slot`)."""
        return self._require_built().slots

    def parameter_views(self, layer: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Top-level layer ``layer``'s parameters and their gradients: views into the flat
        buffers, keyed by parameter name in the layer's order (writing to one writes the
        network's buffer)."""
        return self._require_built().views(layer)

    def parameter_counts(self) -> list[int]:
        """The number of parameters of each top-level layer."""
        counts = [0] * len(self.layers)
        for slot in self.slots:
            counts[slot.layer] += slot.spec.size
        return counts

    def trainable_mask(self) -> np.ndarray:
        """A boolean array over ``params``: True where the optimizer may change a parameter
        (False for the parameters of frozen layers, ``layer.trainable = False``)."""
        mask = np.ones(self.params.size, dtype=bool)
        for slot in self.slots:
            if not self.layers[slot.layer].trains(slot.spec.name):
                mask[slot.offset : slot.stop] = False
        return mask

    def penalty(self, mask: np.ndarray | None = None) -> Penalty:
        """The weight penalty of the network over its flat buffer, nothing where ``mask``
        (default: :meth:`trainable_mask`) is False."""
        mask = self.trainable_mask() if mask is None else mask
        return Penalty(self.slots, self.layers, self.regularizer, self.dtype, mask)

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

    def _require_layers(self) -> None:
        if not self.layers:
            raise ConfigError(
                "The network has no layers; pass a list such as [mk.layers.Dense(1)]."
            )

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
        return self.widths[-1]

    @property
    def feature_names(self) -> list[str]:
        """The names of the network's inputs: the preprocessor's output features, the
        columns of the first fit's DataFrame (:attr:`input_columns`), or ``x0``, ``x1``, …"""
        if self.preprocessor is not None and preparation.is_fitted(self.preprocessor):
            return [str(name) for name in self.preprocessor.get_feature_names_out()]
        self._require_built()
        if self.input_columns is not None:
            return list(self.input_columns)
        return [f"x{i}" for i in range(self.n_features)]

    def used_features(self) -> list[str]:
        """The input features the network still uses: those whose outgoing weights in the
        first layer are not all exactly 0 — what L1 or ``GroupLasso`` penalties remove."""
        first = self.layers[0]
        if not hasattr(first, "W"):
            raise ConfigError(
                f"used_features reads the first layer's kernel; this network starts with "
                f"{first.name}, which has none."
            )
        used = regularizers.used_inputs(first.W)
        return [name for name, keep in zip(self.feature_names, used) if keep]

    # -- the inputs' names, the target's labels and units --------------------------------------
    def learn_input_columns(self, X) -> None:
        """Record the column names of the first fit's DataFrame (or FileSource) X (not with
        a preprocessor, which records its own), to refuse later tables whose names differ.

        Raises:
            ValueError: X has duplicate column names.
        """
        if self.preprocessor is None:
            self.input_columns = column_names(X)

    def check_input_columns(self, X, name: str = "X", fix: str = "") -> None:
        """Refuse a DataFrame X whose column names are not those of the first fit
        (missing, unseen or reordered ones named, and ``fix`` said); arrays are taken by
        position."""
        if self.preprocessor is None:
            check_column_names(X, self.input_columns, name, fix)

    def learn_target(self, y, loss, classes=None, sample_weight=None) -> Target:
        """Learn how y maps to the output units (labels, or a target scaler) from the first
        fit's training targets; ``classes`` lists every label when y may lack some; row
        weights, if given, weight the target scaler's statistics."""
        output = loss.logits_activation
        kind = None if output is None else output.__name__.lower()
        scaler = self.target_scaler
        if scaler == "auto":
            scaler = "standard" if kind is None and self.preprocessor is not None else None
        self.target = Target(kind, scaler).fit(y, self.n_outputs, classes, sample_weight)
        return self.target

    @property
    def classes_(self) -> np.ndarray | None:
        """The class labels in output-unit order (None for a regression or before fit)."""
        return None if self.target is None else self.target.classes_

    @property
    def task(self) -> str:
        """ "binary", "multiclass", "multilabel" or "regression", from the output activation."""
        name = activation_name(self.output_activation) if self.output_activation else "linear"
        if name == "softmax":
            return "multiclass"
        if name == "sigmoid" and (self.target is None or self.target.classification):
            return "binary" if self.n_outputs == 1 else "multilabel"
        return "regression"

    @property
    def loss_units(self) -> str | None:
        """What the loss (``loss``, ``val_loss``) is measured in when that is not the target's
        own units (a scaled regression target), e.g. "standardised target units"; else None."""
        return None if self.target is None else self.target.units

    # -- passes --------------------------------------------------------------------------------
    def forward(self, x: np.ndarray, *, training: bool = False, logits: bool = False) -> np.ndarray:
        """Run every layer; ``logits=True`` stops before the output layer's activation."""
        last = len(self.layers) - 1
        for index, layer in enumerate(self.layers):
            x = layer.forward(x, training=training, logits=logits and index == last)
        return x

    def backward(
        self, dy: np.ndarray, *, logits: bool = False, input_grad: bool = False
    ) -> np.ndarray | None:
        """Backpropagate dL/dŷ (or dL/dz with ``logits=True``), filling ``grads``. With
        ``input_grad=True`` also return dL/dX, (n_samples, n_features) — which training never
        needs, so the first layer skips it otherwise; a GAN's discriminator hands it to its
        generator as the generator's dL/dŷ."""
        if not input_grad:
            self._backpropagate(dy, logits)
            return None
        needed = [layer.needs_input_grad for layer in self.layers]
        for layer in self.layers:
            layer.needs_input_grad = True
        try:
            return self._backpropagate(dy, logits)
        finally:
            for layer, flag in zip(self.layers, needed):
                layer.needs_input_grad = flag

    def _backpropagate(self, dy: np.ndarray, logits: bool) -> np.ndarray | None:
        """dy through the layers from the last; None once a layer needs no dL/dx (the layers
        below it have no parameters)."""
        last = len(self.layers) - 1
        for index in range(last, -1, -1):
            dy = self.layers[index].backward(dy, logits=logits and index == last)
            if dy is None:
                break
        return dy

    def predict(self, X) -> np.ndarray:
        """The network's output for X (n_samples, n_features), or a raw table with a
        preprocessor: probabilities for a sigmoid or softmax output, values in the target's
        own units otherwise; shape (n_samples, n_outputs)."""
        self._require_layers()
        self._require_built()
        predictor = self.__dict__.get("predictor") or self._new_predictor()
        inputs, output, finite = self._network_outputs(predictor, X)
        if not finite:
            check_outputs(self, inputs, output, purpose="predicting")
        if self.target is None:
            return output
        with np.errstate(over="ignore", invalid="ignore"):  # check_outputs says it instead
            output = self.target.decode(output).astype(self.dtype, copy=False)
        check_outputs(self, inputs, output, purpose="predicting")
        return output

    def _network_outputs(self, predictor, X) -> tuple[np.ndarray, np.ndarray, bool]:
        """(the network's inputs for X, its outputs before the target's decoding, whether
        those are known to be finite: :meth:`mlpkit.inference.Predictor.outputs`)."""
        if self.preprocessor is None:
            self.check_input_columns(X)
            return predictor.outputs(X)
        with np.errstate(over="ignore", invalid="ignore"):  # check_outputs says it instead
            inputs, kept = preparation.transform_inputs(self, X, purpose="predicting")
            if kept is not None:
                raise ValueError(
                    f"{n_dropped(X, kept)} row(s) have missing values in columns whose strategy "
                    f"is 'drop'; predictions need every row. Fill those values before predicting."
                )
            return inputs, predictor.forward(inputs), False

    def _new_predictor(self) -> inference.Predictor:
        """The inference path (:mod:`mlpkit.inference`), made on the first predict."""
        self.predictor = inference.Predictor(self)
        return self.predictor

    def predict_classes(self, X, threshold: float = 0.5) -> np.ndarray:
        """The predicted class labels (from ``classes_``), shape (n_samples,); for several
        sigmoid outputs (multi-label), a 0/1 matrix (n_samples, n_outputs)."""
        if self.target is None or not self.target.classification:
            raise NotFittedError(
                "predict_classes needs a network fitted for a classification (a cross-entropy "
                "loss); for values use predict."
            )
        return self.target.labels(self.predict(X), threshold)

    def evaluate(self, X, y, loss=None, metrics=()) -> dict[str, float]:
        """The loss (of the last fit, or ``loss``) on X, y, and the task's metrics:
        accuracy, auc, precision, recall and f1 for a sigmoid or softmax output; mse, rmse, mae
        and r2 otherwise; and ``metrics`` (names or metric objects, as in ``fit``), which are
        added to the task's and replace one of the same name. The metrics are in the target's
        own units; the loss in :attr:`loss_units` when those differ. For the full typed
        report, use ``mk.evaluate``.

        Raises:
            ConfigError: a classification metric (accuracy, auc, …) asked of a network that
                predicts values, as in ``fit``.
        """
        self._require_layers()
        self._require_built()
        loss = self._resolve_loss(loss)
        extra = metrics_module.check(metrics)
        self._check_metrics_fit_the_output(extra, loss, "evaluate")
        data = preparation.dataset(self, X, y, loss)
        names = TASK_METRICS["regression" if self.task == "regression" else "classification"]
        given = {metric.name for metric in extra}
        metrics = [n for n in names if n not in given] + list(extra)
        return self.score(data, loss, metrics, check_overflow=True)

    def score(
        self, data, loss, metrics=(), *, with_loss=True, check_overflow=False
    ) -> dict[str, float]:
        """The loss and the named metrics of a prepared :class:`~mlpkit.training.preparation.
        Dataset`, from a single forward pass: the loss reads the logits when it is fused with
        the output activation (in the network's units), the metrics read the output in the
        target's own units. ``check_overflow`` raises :class:`~mlpkit.exceptions.
        OutputOverflowError` when that pass overflows (training instead reads a non-finite
        validation loss as divergence)."""
        logits = loss.logits_activation is not None
        if check_overflow:
            with np.errstate(over="ignore", invalid="ignore"):
                z = self.forward(data.X, training=False, logits=logits)
            check_outputs(self, data.X, z, purpose="evaluating")
        else:
            z = self.forward(data.X, training=False, logits=logits)
        scores = {"loss": loss.value(z, data.y)} if with_loss else {}
        if metrics:
            output = self.output_activation.forward(z) if logits else z
            scores.update(self.metric_scores(output, data.metric_targets, metrics))
        return scores

    def metric_scores(self, output, targets, metrics) -> dict[str, float]:
        """The metrics (names or metric objects, see ``mk.metrics.check``) of network outputs
        (n, n_outputs) against ``targets`` in the target's own units (one-hot rows or 0/1 for
        a classification), keyed by each metric's ``name``: a scaled regression output is
        brought back to those units first."""
        if self.target is not None and self.target.scaler_ is not None:
            output = self.target.decode(output)
        return {metric.name: metric(output, targets) for metric in metrics_module.check(metrics)}

    # -- training ------------------------------------------------------------------------------
    def fit(
        self,
        X,
        y=None,
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
        classes=None,
        checkpoint=None,
        resume=None,
    ) -> History:
        """Train by mini-batch gradient descent; continue from the current weights and
        optimizer state when called again.

        Args:
            X: features, shape (n_samples, n_features); a raw table with a preprocessor; or
                data too large for memory, streamed chunk by chunk: an ``mk.data.FileSource``
                (y None) or the path of a Parquet/CSV file or folder (y then names its target
                column). See docs/scale.md.
            y: targets: (n_samples,) or (n_samples, n_outputs). For a cross-entropy: class
                labels of any type (strings, booleans, integers; ``classes_`` keeps them), or
                one-hot / multi-label 0/1 rows; values for a regression.
            loss: a name ("mse", "mae", "huber", "binary_cross_entropy",
                "categorical_cross_entropy") or an ``mk.losses`` object. Needed on the first
                fit; later fits keep the previous one.
            optimizer: an ``mk.optim`` object or a name. None (default) keeps the network's
                optimizer (``Adam()`` on the first fit); a name equal to the current
                optimizer's keeps it too, so its state carries on.
            batch_size: None = full batch, 1 = stochastic, k = mini-batches of k rows.
            epochs: passes over the data in this call.
            shuffle: reshuffle the rows every epoch (seeded); False keeps the row order. For
                a stream, True is ``mk.data.ExternalShuffle()``; or pass it (or
                ``mk.data.ShuffleBuffer(rows)``) yourself.
            validation_data: ``(X_val, y_val)`` scored after every epoch as ``val_loss``.
            validation_split: or a fraction of the rows, picked at random (seeded, the same
                rows every fit) and held out before anything is learned from the data; for a
                stream, a fraction (by position) or an ``mk.data.Holdout`` rule.
            callbacks: ``mk.callbacks`` objects (see their protocol).
            verbose: 1 shows a progress bar on an interactive terminal and prints one line per
                epoch elsewhere (CI, pipes); 0 is silent.
            metrics: extra per-epoch scores on the training and validation data (``name`` and
                ``val_name``), in the target's own units: names — "accuracy", "auc",
                "log_loss", "precision", "recall", "f1" (classification only), "mse", "rmse",
                "mae", "r2", "regression_accuracy" — or metric objects such as
                ``mk.metrics.RegressionAccuracy(k=5)``. Training metrics are computed once an
                epoch over the outputs its batches produced in training mode, with no extra
                pass (see ``mlpkit.training.epoch``).
            clip_value, clip_norm: clip each gradient entry to [−clip_value, clip_value] and/or
                rescale the gradient to a global L2 norm of at most clip_norm, every step.
            sample_weight: a weight wᵢ ≥ 0 per row, shape (n_samples,): each batch's loss is
                the weighted mean Σwᵢℓᵢ/Σwᵢ of its rows' losses (validation stays unweighted).
            classes: every class label, when the first fit's y may lack some (as scikit-learn's
                ``partial_fit``); defaults to the labels in y.
            checkpoint: a folder to save a resumable state to after every epoch (weights,
                optimizer, random streams, History, every callback's state; atomically).
            resume: a folder to resume from (and keep saving to): called as the interrupted
                fit was, it runs only the epochs left and ends bit-identical to an
                uninterrupted fit (see ``mk.callbacks.Checkpoint``). A fit called otherwise
                (optimizer, loss, epochs, batch size, data, network, callbacks) is a
                ConfigError naming what differs; a folder with no checkpoint starts afresh,
                with a warning.

        Returns:
            History: per-epoch ``history["loss"]`` (mean batch loss) and ``stop_reason``.
        """
        self._require_layers()
        preparation.check_fit_arguments(batch_size, epochs)
        check_clipping(clip_value, clip_norm)
        metrics = metrics_module.check(metrics)
        self.loss = self._resolve_loss(loss)
        self.loss.fused_with(self.output_activation)  # before y is read against the output
        self._check_metrics_fit_the_output(metrics, self.loss, "fit")
        self.optimizer = self._resolve_optimizer(optimizer)
        if streamed.is_stream(X):
            if sample_weight is not None:
                raise ConfigError("sample_weight is not taken with a streamed fit (a file).")
            train, validation = streamed.prepare_stream(
                self,
                self.loss,
                streamed.as_source(X, y),
                validation_data=validation_data,
                validation_split=validation_split,
                classes=classes,
            )
        else:
            if y is None:
                raise ConfigError("fit(X, y) needs y (the targets) unless X is a file source.")
            train, validation = preparation.prepare_fit(
                self,
                X,
                y,
                self.loss,
                sample_weight=sample_weight,
                validation_data=validation_data,
                validation_split=validation_split,
                classes=classes,
            )
        for layer in self.walk():
            layer.release_workspaces()
        trainer = Trainer(
            self,
            self.loss,
            self.optimizer,
            batch_size=batch_size,
            shuffle=shuffle,
            callbacks=callbacks,
            verbose=verbose,
            clip_value=clip_value,
            clip_norm=clip_norm,
            metrics=metrics,
            checkpoint=checkpoint,
            resume=resume,
        )
        return trainer.fit(train, validation, epochs=epochs)

    def _check_metrics_fit_the_output(self, metrics, loss, caller: str) -> None:
        """Classification metrics need probabilities: on a regression's values (a linear
        output, no cross-entropy ``loss``) they would give numbers that mean nothing; the
        error names ``caller`` ("fit", "evaluate")."""
        output = self.output_activation
        name = activation_name(output) if output is not None else "linear"
        if loss.logits_activation is not None or name in ("sigmoid", "softmax"):
            return
        wrong = [m.name for m in metrics if m.name in metrics_module.CLASSIFICATION_ONLY]
        if wrong:
            raise ConfigError(
                f"{caller} metrics {wrong} score class probabilities, but this network predicts "
                f"values (a {name} output with the {loss.name} loss). Use regression "
                f"metrics (mse, rmse, mae, r2, regression_accuracy), or a sigmoid/softmax output "
                f"with a cross-entropy loss for a classification."
            )

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
        counts = self.parameter_counts()
        rows = [("Layer", "Output shape", "Params", "Activation")]
        for index, layer in enumerate(self.layers):
            activation = getattr(
                layer, "activation", layer if isinstance(layer, Activation) else None
            )
            rows.append(
                (
                    f"{index}: {layer.name}",
                    shown(self.sizes[index + 1]).replace("(n,", "(None,"),
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
                f"Total parameters: {self.params.size:,}",
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
            "target_scaler": self.target_scaler,
            **({"parts": {k: list(v) for k, v in self.parts.items()}} if self.parts else {}),
        }

    # -- model files ---------------------------------------------------------------------------
    def save(self, path, *, overwrite: bool = False) -> str:
        """Write the network (architecture, weights, layer state, loss, optimizer state,
        preprocessor and target) to ``path`` (e.g. ``"model.mlpk"``) atomically; no pickle.
        A file already there is a FileExistsError unless ``overwrite=True``. Read it back with
        ``mk.load``. Returns the path."""
        return modelfile.save(self, path, overwrite=overwrite)

    def to_document(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The network as a JSON document and named arrays (see :mod:`mlpkit.modelfile`)."""
        self._require_built()
        arrays = self.snapshot()
        document = {
            "class": "Sequential",
            "config": self.get_config(),
            "n_features": self.n_features,
            "frozen": [index for index, layer in enumerate(self.walk()) if not layer.trainable],
            "epochs_trained": self.epochs_trained,
            "loss": None if self.loss is None else self.loss.get_config(),
            "optimizer": None,
            "preprocessor": None,
            "target": None if self.target is None else self.target.get_state(),
            "random_streams": {name: rng.bit_generator.state for name, rng in self.rngs.items()},
            "split_seed": self.split_seed,
        }
        if self.input_columns is not None:  # files of networks fitted on arrays stay as before
            document["feature_names_in"] = list(self.input_columns)
        if self.optimizer is not None:
            document["optimizer"], optimizer_arrays = self.optimizer.to_document()
            arrays.update({f"optimizer/{name}": a for name, a in optimizer_arrays.items()})
        if self.preprocessor is not None and not isinstance(self.preprocessor, Preprocessor):
            raise TypeError(
                f"This network cannot be saved: its preprocessor is a "
                f"{type(self.preprocessor).__name__}, and model files hold an "
                f"mk.data.Preprocessor only (plain JSON state, no pickle)."
            )
        if self.preprocessor is not None and preparation.is_fitted(self.preprocessor):
            document["preprocessor"] = self.preprocessor.get_state()
        return document, arrays

    @classmethod
    def from_document(cls, document: dict, arrays: dict[str, np.ndarray]) -> Sequential:
        """Rebuild a network written by :meth:`to_document`."""
        config = document["config"]
        prep = document["preprocessor"]
        net = cls(
            [deserialize(entry) for entry in config["layers"]],
            random_state=config["random_state"],
            dtype=config["dtype"],
            regularizer=config["regularizer"],
            preprocessor=None if prep is None else Preprocessor.from_state(prep),
            target_scaler=config["target_scaler"],
            parts=config.get("parts"),
        )
        net.build(document["n_features"])
        net.input_columns = _input_columns(document)
        net.restore({name: _expect(arrays, name, a.shape) for name, a in net.snapshot().items()})
        for index, layer in enumerate(net.walk()):
            layer.trainable = index not in document["frozen"]
        net.epochs_trained = document["epochs_trained"]
        for name, state in document["random_streams"].items():
            net.rngs[name].bit_generator.state = state  # in place: layers hold the dropout stream
        net.split_seed = document["split_seed"]
        if document["target"] is not None:
            net.target = Target.from_state(document["target"])
        if document["loss"] is not None:
            net.loss = losses_module.get(document["loss"])
        if document["optimizer"] is not None:
            saved = {
                k[len("optimizer/") :]: a for k, a in arrays.items() if k.startswith("optimizer/")
            }
            saved_optimizer = document["optimizer"]
            net.optimizer = optim.get(saved_optimizer["config"])
            net.optimizer.load_state(saved_optimizer, saved, net.params, net.grads)
        return net

    def __repr__(self) -> str:
        return f"Sequential({self.layers!r}, dtype={self.dtype.name!r})"


TASK_METRICS = {
    "classification": ("accuracy", "auc", "precision", "recall", "f1"),
    "regression": ("mse", "rmse", "mae", "r2"),
}


def check_parts(parts, n_layers: int | None = None) -> dict[str, tuple[int, int]]:
    """``parts`` as ``{name: (start, stop)}``, each a non-empty run of layer positions
    ``start ≤ i < stop`` (and ``stop ≤ n_layers`` when the layers are known).

    Raises:
        ConfigError: not such a mapping, naming the part and its value.
    """
    if parts is None:
        return {}
    if not isinstance(parts, dict):
        raise ConfigError(
            f'parts maps names to layer ranges, e.g. {{"encoder": (0, 3), "decoder": (3, 6)}}; '
            f"got {parts!r}."
        )
    checked = {}
    for name, span in parts.items():
        try:
            start, stop = (int(i) for i in span)
            ok = isinstance(name, str) and 0 <= start < stop
        except (TypeError, ValueError):
            ok = False
        if ok and n_layers is not None and stop > n_layers:
            raise ConfigError(
                f"Part {name!r} = {tuple(span)} reaches past the network's {n_layers} layers."
            )
        if not ok:
            raise ConfigError(
                f"Part {name!r} must be a (start, stop) pair of layer positions with "
                f"0 <= start < stop, e.g. (0, 3) for the first three layers; got {span!r}."
            )
        checked[name] = (start, stop)
    return checked


def n_dropped(X, kept) -> int:
    return n_rows(X) - len(kept)


def _expect(arrays: dict, name: str, shape) -> np.ndarray:
    if name not in arrays or arrays[name].shape != tuple(shape):
        found = arrays[name].shape if name in arrays else "nothing"
        raise ValueError(
            f"Model file entry {name!r}: expected shape {tuple(shape)}, found {found}."
        )
    return arrays[name]


def _input_columns(document: dict) -> list[str] | None:
    """The DataFrame column names a model document records (None in files without them)."""
    names = document.get("feature_names_in")
    if names is not None and len(names) != document["n_features"]:
        raise ValueError(
            f"The model file names {len(names)} input columns for n_features = "
            f"{document['n_features']}."
        )
    return None if names is None else list(names)


def _walk(layers):
    """Every layer, nested ones included, in order."""
    for layer in layers:
        yield layer
        yield from _walk(layer.sublayers())


def check_preprocessor(preprocessor):
    """``preprocessor`` if it can stand in front of a network (None, an ``mk.data.
    Preprocessor``, or a transformer with ``fit``, ``transform`` and ``row_mask``)."""
    needed = ("fit", "transform", "row_mask")
    if preprocessor is None or all(callable(getattr(preprocessor, n, None)) for n in needed):
        return preprocessor
    missing = [n for n in needed if not callable(getattr(preprocessor, n, None))]
    raise ConfigError(
        f"preprocessor must be an mk.data.Preprocessor (or a transformer with fit, transform "
        f"and row_mask); {type(preprocessor).__name__} has no {', '.join(missing)}. To scale "
        f"the inputs, use mk.data.Preprocessor(scaler='standard'), which is saved with the "
        f"model; or transform X yourself before fit and predict."
    )
