"""Callbacks and stopping rules: every rule fires in a constructed run and says why, with numbers.

Two kinds of runs: real fits of tiny networks (an over-parameterised net on a small noisy
regression, whose val_loss bottoms out early and then rises), and direct drives of a callback
through the hooks with a fake model and hand-made logs, where the numbers must be exact.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings

import numpy as np
import pytest

import mlpkit as mk
from mlpkit.callbacks import (
    Callback,
    CallbackList,
    CSVLogger,
    EarlyStopping,
    GeneralizationGap,
    GeneralizationLoss,
    GradientNorm,
    MaxEpochs,
    ModelCheckpoint,
    NoImprovement,
    NonFiniteLoss,
    ProgressLogger,
    ProgressQuotient,
    ReduceLROnPlateau,
    TerminateOnNaN,
    TimeBudget,
    ValidationIncrease,
)
from mlpkit.exceptions import ConfigError
from mlpkit.training import rules as stopping


# -- helpers --------------------------------------------------------------------------------------
def noisy_regression(seed=0, n=24, n_features=4):
    """Few rows, much noise: a wide net fits the training rows and val_loss rises after a
    minimum (at epoch 8 with ``overfitting_net`` and Adam(0.01), full batch)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2 * n, n_features))
    y = X[:, :1] + 0.8 * rng.normal(size=(2 * n, 1))
    return X[:n], y[:n], X[n:], y[n:]


def overfitting_net(seed=0):
    return mk.Sequential(
        [
            mk.layers.Dense(64, activation="relu"),
            mk.layers.Dense(64, activation="relu"),
            mk.layers.Dense(1),
        ],
        random_state=seed,
    )


def fit(net, callbacks, epochs=150, validation=True, **kwargs):
    X, y, X_val, y_val = noisy_regression()
    return net.fit(
        X,
        y,
        loss="mse",
        optimizer=kwargs.pop("optimizer", mk.optim.Adam(0.01)),
        batch_size=None,
        epochs=epochs,
        callbacks=callbacks,
        validation_data=(X_val, y_val) if validation else None,
        **kwargs,
    )


class FakeOptimizer:
    def __init__(self, learning_rate=0.1):
        self.learning_rate, self.lr_factor = learning_rate, 1.0

    def current_learning_rate(self):
        return self.learning_rate * self.lr_factor


class FakeModel:
    """The part of Sequential callbacks use: params, the stop flags, optimizer, save."""

    def __init__(self, n_params=3):
        self.params = np.zeros(n_params)
        self.stop_training, self.stop_reason = False, None
        self.optimizer = FakeOptimizer()

    def snapshot(self):
        return {"params": self.params.copy()}

    def restore(self, snapshot):
        self.params[...] = snapshot["params"]

    def save(self, path, overwrite=False):
        with open(path, "w" if overwrite else "x") as file:
            file.write(repr(self.params.tolist()))
        return path


def drive(callback, epoch_logs, model=None, first_epoch=0, on_epoch=None):
    """Run ``callback`` through the hooks with one logs dict per epoch, as the trainer does;
    return the model. ``on_epoch(model, epoch)`` may change the weights before the epoch ends."""
    model = model or FakeModel()
    model.stop_training, model.stop_reason = False, None
    callbacks = CallbackList([callback], model)
    callbacks.set_params(
        {"first_epoch": first_epoch, "epochs": first_epoch + len(epoch_logs), "steps": 1}
    )
    callbacks.on_train_begin()
    for epoch, logs in enumerate(epoch_logs, start=first_epoch):
        callbacks.on_epoch_begin(epoch)
        if on_epoch is not None:
            on_epoch(model, epoch)
        callbacks.on_epoch_end(epoch, dict(logs))
        if model.stop_training:
            break
    else:
        model.stop_reason = f"max epochs ({first_epoch + len(epoch_logs)}) reached"
    callbacks.on_train_end()
    return model


def val_losses(*values):
    return [{"loss": 0.5, "val_loss": v} for v in values]


# -- each rule fires at the right epoch, and says so with its numbers ---------------------------
RULE_CASES = {
    "no improvement for patience epochs, as Keras": (
        NoImprovement(patience=3),
        val_losses(1.0, 0.9, 0.95, 0.93, 0.92, 0.5),
        4,
        "no improvement in val_loss beyond min_delta=0 for 3 epochs (patience=3); "
        "best 0.9000 at epoch 2, now 0.9200",
    ),
    "improvements smaller than min_delta do not count": (
        NoImprovement(patience=2, min_delta=0.1),
        val_losses(1.0, 0.95, 0.92, 0.5),
        2,
        "no improvement in val_loss beyond min_delta=0.1 for 2 epochs (patience=2); "
        "best 1.0000 at epoch 1, now 0.9200",
    ),
    "accuracy is maximised in auto mode": (
        NoImprovement("val_accuracy", patience=0),
        [{"val_accuracy": a} for a in (0.5, 0.7, 0.9, 0.8)],
        3,
        "no improvement in val_accuracy beyond min_delta=0 for 1 epochs (patience=0); "
        "best 0.9000 at epoch 3, now 0.8000",
    ),
    "validation loss above training loss by a margin": (
        GeneralizationGap(margin=0.1, patience=1),
        [
            {"loss": 1.0, "val_loss": 1.05},
            {"loss": 0.8, "val_loss": 0.95},
            {"loss": 0.7, "val_loss": 0.75},
            {"loss": 0.6, "val_loss": 0.75},
            {"loss": 0.5, "val_loss": 0.8},
        ],
        4,
        "generalization gap: val_loss - loss = 0.3000 > margin=0.1 for 2 consecutive epochs "
        "(patience=1); val_loss 0.8000, loss 0.5000",
    ),
    "relative generalization gap": (
        GeneralizationGap(margin=0.5, relative=True),
        [{"loss": 1.0, "val_loss": 1.2}, {"loss": 0.4, "val_loss": 0.8}],
        1,
        "generalization gap: val_loss / loss - 1 = 1.0000 > margin=0.5 for 1 consecutive "
        "epochs (patience=0); val_loss 0.8000, loss 0.4000",
    ),
    "exploding gradients": (
        GradientNorm(max_norm=100.0),
        [{"grad_norm": 5.0}, {"grad_norm": 99.0}, {"grad_norm": 1523.0}],
        2,
        "exploding gradients: grad_norm 1523 > max_norm=100 at epoch 3",
    ),
    "vanishing gradients": (
        GradientNorm(max_norm=100.0, min_norm=1e-6),
        [{"grad_norm": 5.0}, {"grad_norm": 3.2e-9}],
        1,
        "vanishing gradients: grad_norm 3.2e-09 < min_norm=1e-06 at epoch 2",
    ),
    "largest batch gradient norm": (
        GradientNorm(max_norm=10.0, monitor="grad_norm_max"),
        [{"grad_norm": 1.0, "grad_norm_max": 9.0}, {"grad_norm": 1.0, "grad_norm_max": 12.5}],
        1,
        "exploding gradients: grad_norm_max 12.5 > max_norm=10 at epoch 2",
    ),
    "non-finite loss": (
        NonFiniteLoss(),
        [{"loss": 1.0, "val_loss": 1.0}, {"loss": 1.0, "val_loss": math.nan}],
        1,
        "non-finite loss: val_loss = nan at epoch 2",
    ),
    "maximum number of epochs": (
        MaxEpochs(3),
        val_losses(3, 2, 1, 0.5, 0.4),
        2,
        "max epochs: 3 epochs completed in this fit (n_epochs=3)",
    ),
    "Prechelt generalization loss": (
        GeneralizationLoss(alpha=5),
        val_losses(1.0, 0.8, 0.82, 0.85),
        3,
        "generalization loss GL = 6.25 > alpha=5 (Prechelt GL_alpha); val_loss 0.8500, "
        "lowest 0.8000 at epoch 2",
    ),
    "Prechelt progress quotient at the end of a strip": (
        # strip 1: P_2 = 1000 (1.5 / (2 * 0.5) - 1) = 500, GL = 0. strip 2: P_2 = 1000 (0.99 /
        # 0.98 - 1) = 10.20, GL = 100 (0.95 / 0.9 - 1) = 5.56, PQ = 0.54 > 0.5.
        ProgressQuotient(alpha=0.5, strip=2),
        [
            {"loss": 1.0, "val_loss": 1.0},
            {"loss": 0.5, "val_loss": 0.9},
            {"loss": 0.5, "val_loss": 0.99},
            {"loss": 0.49, "val_loss": 0.95},
        ],
        3,
        "progress quotient PQ = GL / P_2 = 5.56 / 10.20 = 0.54 > alpha=0.5 (Prechelt PQ_alpha) "
        "at the end of the strip ending at epoch 4",
    ),
    "Prechelt successive strip increases": (
        ValidationIncrease(strips=2, strip=2),
        val_losses(1.0, 0.9, 0.85, 0.92, 0.9, 0.96),
        5,
        "validation increase UP_2: val_loss rose at the end of 2 successive strips of 2 epochs: "
        "0.9000 -> 0.9200 -> 0.9600 (epoch 6)",
    ),
}


@pytest.mark.parametrize("rule, logs, stop_epoch, reason", RULE_CASES.values(), ids=RULE_CASES)
def test_each_rule_stops_at_the_first_epoch_it_holds_and_reports_its_numbers(
    rule, logs, stop_epoch, reason
):
    early = EarlyStopping(rules=[rule])
    model = drive(early, logs)
    assert early.stopped_epoch == stop_epoch
    assert model.stop_reason == f"early stopping: {reason}"


def test_time_budget_fires_once_the_wall_clock_budget_is_spent(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(stopping.time, "monotonic", lambda: now[0])
    early = EarlyStopping(rules=[TimeBudget(60)])

    def tick(model, epoch):
        now[0] += 25.0

    model = drive(early, val_losses(1, 1, 1, 1, 1), on_epoch=tick)
    assert early.stopped_epoch == 2
    assert (
        model.stop_reason == "early stopping: time budget: 75.00 s elapsed >= seconds=60 "
        "after epoch 3"
    )


def test_a_rule_missing_its_log_key_warns_once_and_does_not_stop():
    early = EarlyStopping(monitor="val_acc", patience=0)
    with pytest.warns(
        UserWarning,
        match=r"'val_acc' is not in the logs.*Available keys: "
        r"loss, val_loss",
    ) as record:
        model = drive(early, val_losses(1, 2, 3))
    assert len(record) == 1
    assert model.stop_reason == "max epochs (3) reached"


def test_patience_counts_as_keras_does_three_epochs_after_the_best():
    early = EarlyStopping(patience=3)
    drive(early, val_losses(1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0))
    assert early.best_epoch == 1 and early.stopped_epoch == 4


def test_early_stopping_reuses_cleanly_across_fits():
    early = EarlyStopping(patience=2)
    drive(early, val_losses(1.0, 1.1, 1.2))
    assert early.stopped_epoch == 2
    model = drive(early, val_losses(5.0, 4.0, 3.0), first_epoch=3)
    assert early.stopped_epoch is None and early.best == 3.0 and early.best_epoch == 5
    assert model.stop_reason == "max epochs (6) reached"


# -- combining rules -----------------------------------------------------------------------------
def test_combine_any_stops_at_the_first_rule_and_all_when_every_rule_fires_together():
    rules = [MaxEpochs(2), GeneralizationLoss(alpha=5)]
    logs = val_losses(1.0, 0.9, 0.8, 0.9, 1.0)
    any_model = drive(EarlyStopping(rules=rules, combine="any"), logs)
    assert (
        any_model.stop_reason == "early stopping: max epochs: 2 epochs completed in this "
        "fit (n_epochs=2)"
    )
    every = EarlyStopping(rules=rules, combine="all")
    all_model = drive(every, logs)
    assert every.stopped_epoch == 3  # GL = 12.5 > 5 at epoch 4, MaxEpochs holds from epoch 2
    assert all_model.stop_reason == (
        "early stopping: max epochs: 4 epochs completed in this fit (n_epochs=2); "
        "generalization loss GL = 12.50 > alpha=5 (Prechelt GL_alpha); val_loss 0.9000, "
        "lowest 0.8000 at epoch 3"
    )


def test_combine_all_does_not_stop_when_the_rules_fire_in_different_epochs():
    rules = [GradientNorm(max_norm=10.0), NonFiniteLoss()]
    logs = [
        {"loss": 1.0, "grad_norm": 50.0},
        {"loss": math.inf, "grad_norm": 1.0},
        {"loss": 1.0, "grad_norm": 1.0},
    ]
    model = drive(EarlyStopping(rules=rules, combine="all"), logs)
    assert model.stop_reason == "max epochs (3) reached"


def test_bad_arguments_raise_config_errors_that_name_the_argument():
    with pytest.raises(ConfigError, match="combine must be 'any' or 'all', got combine='some'"):
        EarlyStopping(combine="some")
    with pytest.raises(ConfigError, match="patience must be an integer >= 0; received patience=-1"):
        EarlyStopping(patience=-1)
    with pytest.raises(ConfigError, match="mode must be 'auto', 'min' or 'max'"):
        EarlyStopping(mode="down")
    with pytest.raises(ConfigError, match="GradientNorm needs a threshold"):
        GradientNorm()
    with pytest.raises(ConfigError, match="min_norm must be below max_norm"):
        GradientNorm(max_norm=1.0, min_norm=2.0)
    with pytest.raises(ConfigError, match="seconds must be a positive number"):
        TimeBudget(0)
    with pytest.raises(ConfigError, match="rules must not be empty"):
        EarlyStopping(rules=[])
    with pytest.raises(TypeError, match="stopping rules"):
        EarlyStopping(rules=["patience"])


# -- restore_best_weights ----------------------------------------------------------------------
def test_restore_best_weights_puts_back_the_exact_snapshot_in_place():
    model = FakeModel()
    buffer = model.params
    snapshots = {}

    def train(model, epoch):
        model.params += epoch + 1.0
        snapshots[epoch] = model.params.copy()

    early = EarlyStopping(patience=2, restore_best_weights=True)
    drive(early, val_losses(1.0, 0.5, 0.7, 0.8, 0.9), model=model, on_epoch=train)
    assert early.stopped_epoch == 3 and early.restored_epoch == 1
    assert model.params is buffer
    np.testing.assert_array_equal(model.params, snapshots[1])
    assert model.stop_reason == (
        "early stopping: no improvement in val_loss beyond min_delta=0 for 2 epochs "
        "(patience=2); best 0.5000 at epoch 2, now 0.8000; restored the weights of epoch 2 "
        "(val_loss 0.5000)"
    )


def test_restore_is_skipped_when_the_last_epoch_was_the_best():
    early = EarlyStopping(rules=[MaxEpochs(3)], restore_best_weights=True)

    def train(model, epoch):
        model.params += 1.0

    model = drive(early, val_losses(3.0, 2.0, 1.0), on_epoch=train)
    assert early.restored_epoch is None
    assert model.stop_reason.endswith("(n_epochs=3)")
    np.testing.assert_array_equal(model.params, 3.0)


def test_early_stopping_in_a_real_fit_stops_after_patience_and_restores_the_best_epoch():
    net = overfitting_net()
    early = EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
    history = fit(net, [early])
    val = history.history["val_loss"]
    best = int(np.argmin(val))
    assert len(val) == best + 11  # the best epoch, then 10 without improvement (as Keras)
    assert history.stop_reason == (
        f"early stopping: no improvement in val_loss beyond min_delta=0 for 10 epochs "
        f"(patience=10); best {val[best]:.4f} at epoch {best + 1}, now {val[-1]:.4f}; "
        f"restored the weights of epoch {best + 1} (val_loss {val[best]:.4f})"
    )
    np.testing.assert_array_equal(net.params, early.best_snapshot["params"])
    X, y, X_val, y_val = noisy_regression()
    assert net.evaluate(X_val, y_val)["loss"] == pytest.approx(val[best], rel=1e-6)
    assert net.epochs_trained == len(val)


def test_restore_best_weights_also_applies_when_training_runs_to_max_epochs():
    net = overfitting_net()
    early = EarlyStopping(patience=1000, restore_best_weights=True)
    history = fit(net, [early], epochs=30)
    best = int(np.argmin(history.history["val_loss"]))
    assert best < 29
    assert history.stop_reason == (
        f"max epochs (30) reached; restored the weights of epoch {best + 1} "
        f"(val_loss {history.history['val_loss'][best]:.4f})"
    )


@pytest.mark.parametrize(
    "rule, holds",
    [
        (
            GeneralizationLoss(alpha=5.0),
            lambda loss, val, t: 100 * (val[t] / min(val[: t + 1]) - 1) > 5.0,
        ),
        (
            GeneralizationGap(margin=0.0, patience=2),
            lambda loss, val, t: t >= 2 and all(val[s] - loss[s] > 0 for s in (t - 2, t - 1, t)),
        ),
        (
            ProgressQuotient(alpha=0.3, strip=5),
            lambda loss, val, t: (
                (t + 1) % 5 == 0
                and (
                    100
                    * (val[t] / min(val[: t + 1]) - 1)
                    / (1000 * (sum(loss[t - 4 : t + 1]) / (5 * min(loss[t - 4 : t + 1])) - 1))
                    > 0.3
                )
            ),
        ),
        (
            ValidationIncrease(strips=2, strip=3),
            lambda loss, val, t: (t + 1) % 3 == 0 and t >= 8 and val[t] > val[t - 3] > val[t - 6],
        ),
    ],
    ids=["GL", "gap", "PQ", "UP"],
)
def test_prechelt_and_gap_rules_stop_a_real_overfitting_run_exactly_when_their_formula_holds(
    rule, holds
):
    history = fit(overfitting_net(), [EarlyStopping(rules=[rule])])
    loss, val = history.history["loss"], history.history["val_loss"]
    last = len(val) - 1
    assert last < 149, "the rule should fire before max epochs"
    assert holds(loss, val, last)
    assert not any(holds(loss, val, t) for t in range(last))
    assert history.stop_reason.startswith("early stopping: ")


def test_max_epochs_and_time_budget_stop_real_fits():
    net = overfitting_net()
    early = EarlyStopping(rules=[MaxEpochs(3)])
    assert len(fit(net, [early]).history["loss"]) == 3
    history = fit(net, [early])  # the count restarts in every fit
    assert len(history.history["loss"]) == 3 and net.epochs_trained == 6
    assert (
        history.stop_reason == "early stopping: max epochs: 3 epochs completed in this fit "
        "(n_epochs=3)"
    )
    history = fit(overfitting_net(), [EarlyStopping(rules=[TimeBudget(1e-9)])])
    assert len(history.history["loss"]) == 1
    assert re.fullmatch(
        r"early stopping: time budget: \d+\.\d\d s elapsed >= seconds=1e-09 "
        r"after epoch 1",
        history.stop_reason,
    )


def test_gradient_norm_rules_read_the_trainers_gradient_norms_in_a_real_fit():
    history = fit(overfitting_net(), [EarlyStopping(rules=[GradientNorm(max_norm=1e-3)])])
    norm = history.history["grad_norm"][0]
    assert (
        history.stop_reason == f"early stopping: exploding gradients: grad_norm "
        f"{norm:.4g} > max_norm=0.001 at epoch 1"
    )
    history = fit(overfitting_net(), [EarlyStopping(rules=[GradientNorm(min_norm=1e6)])])
    assert history.stop_reason.startswith("early stopping: vanishing gradients: grad_norm ")


# -- the other callbacks -------------------------------------------------------------------------
def test_terminate_on_nan_stops_on_a_non_finite_epoch_loss_and_costs_nothing_per_batch():
    assert not CallbackList([TerminateOnNaN()], FakeModel()).wants_batches
    model = drive(TerminateOnNaN(), val_losses(1.0, math.inf, 1.0))
    assert model.stop_reason == "terminated on NaN: non-finite loss: val_loss = inf at epoch 2"


def test_csv_logger_writes_a_header_and_one_flushed_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    net = overfitting_net()
    history = fit(net, [CSVLogger(path)], epochs=4)
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert list(rows[0]) == ["epoch", *history.history]
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    assert [float(r["val_loss"]) for r in rows] == history.history["val_loss"]
    fit(net, [CSVLogger(path, append=True)], epochs=2)
    lines = path.read_text().splitlines()
    assert len(lines) == 7 and lines[0].startswith("epoch,") and lines[-1].startswith("6,")
    with pytest.raises(FileExistsError, match="append=True .* overwrite=True"):
        fit(net, [CSVLogger(path)], epochs=1)  # default: a file already there is refused
    fit(net, [CSVLogger(path, separator=";", overwrite=True)], epochs=1)
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch;loss;") and lines[1].startswith("7;")


def test_model_checkpoint_saves_every_epoch_or_only_improvements_with_formatted_names(tmp_path):
    pattern = str(tmp_path / "ckpt" / "{epoch:02d}-{val_loss:.2f}.txt")
    every = ModelCheckpoint(pattern)
    drive(every, val_losses(0.9, 0.5, 0.7))
    assert [p.rsplit("/", 1)[1] for p in every.saved] == [
        "01-0.90.txt",
        "02-0.50.txt",
        "03-0.70.txt",
    ]
    best = ModelCheckpoint(str(tmp_path / "best-{epoch}.txt"), save_best_only=True)
    drive(best, val_losses(0.9, 0.5, 0.7, 0.4))
    assert sorted(p.name for p in tmp_path.glob("best-*")) == [
        "best-1.txt",
        "best-2.txt",
        "best-4.txt",
    ]
    with pytest.raises(ConfigError, match=r"cannot be filled.*Available fields: epoch, loss"):
        drive(ModelCheckpoint(str(tmp_path / "{val_acc}.txt")), val_losses(1.0))


def test_model_checkpoint_saves_a_real_network_that_loads_back(tmp_path):
    path = tmp_path / "best.mlpk"
    net = overfitting_net()
    early = EarlyStopping(patience=3, restore_best_weights=True)
    fit(net, [ModelCheckpoint(path, save_best_only=True), early], epochs=40)
    loaded = mk.load(path)
    np.testing.assert_array_equal(loaded.params, net.params)  # both the best epoch's weights


def test_reduce_lr_on_plateau_lowers_the_factor_after_patience_and_respects_min_lr():
    model = FakeModel()  # learning rate 0.1
    plateau = ReduceLROnPlateau(factor=0.5, patience=1, min_delta=0.0, min_lr=0.02)
    drive(plateau, val_losses(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0), model=model)
    # bad epochs 2, 3 -> 0.05 at epoch 3; 4, 5 -> 0.025 at epoch 5; 6, 7 -> clamped to 0.02
    assert [(epoch, pytest.approx(lr)) for epoch, lr in plateau.reductions] == [
        (2, 0.05),
        (4, 0.025),
        (6, 0.02),
    ]
    assert model.optimizer.current_learning_rate() == pytest.approx(0.02)
    assert model.optimizer.lr_factor == pytest.approx(0.2)


def test_reduce_lr_on_plateau_waits_out_its_cooldown_and_resets_on_improvement():
    model = FakeModel()
    plateau = ReduceLROnPlateau(factor=0.1, patience=0, min_delta=0.0, cooldown=2)
    drive(plateau, val_losses(1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.6, 0.6), model=model)
    # reduce at epoch 1; epochs 2, 3 are cooldown; 4 is bad; 5 improves; 6 ends the cooldown
    assert [epoch for epoch, _ in plateau.reductions] == [1, 4, 7]


def test_reduce_lr_on_plateau_lowers_the_learning_rate_of_a_real_fit():
    plateau = ReduceLROnPlateau(factor=0.5, patience=2)
    history = fit(overfitting_net(), [plateau], epochs=40)
    lrs = history.history["lr"]
    assert lrs[0] == pytest.approx(0.01) and plateau.reductions
    first_epoch, first_lr = plateau.reductions[0]
    assert lrs[first_epoch] == pytest.approx(0.01) and lrs[first_epoch + 1] == pytest.approx(
        first_lr
    ) == pytest.approx(0.005)


def test_progress_logger_prints_one_line_per_epoch_off_a_terminal(capsys, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    history = fit(overfitting_net(), [ProgressLogger()], epochs=3)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    loss, val = history.history["loss"][1], history.history["val_loss"][1]
    assert re.fullmatch(
        rf"Epoch 2/3 - loss: {loss:.4f} - val_loss: {val:.4f} - \d+\.\d\ds", lines[1]
    )


def test_progress_logger_is_silent_and_skips_batch_hooks_with_verbose_0(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdout", _Terminal())
    monkeypatch.delenv("CI", raising=False)
    callbacks = CallbackList([ProgressLogger(verbose=0)], FakeModel())
    callbacks.on_train_begin()
    assert not callbacks.wants_batches
    monkeypatch.undo()
    fit(overfitting_net(), [ProgressLogger(verbose=0)], epochs=3)
    assert capsys.readouterr().out == ""


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_logger_shows_a_bar_on_a_terminal_but_not_in_ci(monkeypatch):
    pytest.importorskip("tqdm")
    terminal = _Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    monkeypatch.delenv("CI", raising=False)
    logger = ProgressLogger()
    fit(overfitting_net(), [logger], epochs=2)
    assert logger.wants_batches
    text = terminal.getvalue()
    assert "Epoch 1/2" in text and "Epoch 2/2" in text and "loss:" in text and "\r" in text
    monkeypatch.setenv("CI", "true")
    ci = ProgressLogger()
    fit(overfitting_net(), [ci], epochs=1)
    assert not ci.wants_batches
    assert terminal.getvalue().endswith("s\n")


def test_early_stopping_verbose_prints_the_reason(capsys):
    drive(EarlyStopping(patience=0, verbose=1), val_losses(1.0, 2.0))
    assert capsys.readouterr().out.startswith("EarlyStopping: early stopping: no improvement")


# -- the protocol ---------------------------------------------------------------------------------
def test_batch_hooks_reach_only_callbacks_that_override_them_and_params_reach_all():
    calls = []

    class EpochOnly(Callback):
        def on_epoch_end(self, epoch, logs=None):
            calls.append(("epoch", epoch))

    class Batches(Callback):
        def on_batch_end(self, batch, logs=None):
            calls.append(("batch", batch))

    epoch_only, batches = EpochOnly(), Batches()
    assert (
        CallbackList([epoch_only, EarlyStopping(), CSVLogger("unused")], None).wants_batches
        is False
    )
    callbacks = CallbackList([epoch_only, batches], FakeModel())
    callbacks.set_params({"epochs": 5, "steps": 2, "first_epoch": 0})
    assert epoch_only.params == batches.params == {"epochs": 5, "steps": 2, "first_epoch": 0}
    callbacks.on_train_begin()
    callbacks.on_batch_end(0, {"loss": 1.0})
    callbacks.on_epoch_end(0, {"loss": 1.0})
    assert calls == [("batch", 0), ("epoch", 0)]


def test_a_real_fit_passes_its_settings_and_the_documented_log_keys_to_callbacks():
    seen = {}

    class Spy(Callback):
        def on_train_begin(self, logs=None):
            seen["params"] = dict(self.params)

        def on_batch_end(self, batch, logs=None):
            seen["batch"] = set(logs)

        def on_epoch_end(self, epoch, logs=None):
            seen["epoch"] = set(logs)

    X, y, X_val, y_val = noisy_regression()
    net = overfitting_net()
    net.fit(
        X, y, loss="mse", batch_size=10, epochs=2, validation_data=(X_val, y_val), callbacks=[Spy()]
    )
    expected = {"epochs": 2, "steps": 3, "first_epoch": 0, "resumed": False, "resumed_at": None}
    assert seen["params"] == expected
    assert seen["batch"] >= {"loss", "grad_norm"}
    assert seen["epoch"] >= {
        "loss",
        "val_loss",
        "lr",
        "grad_norm",
        "grad_norm_max",
        "grad_norm_min",
    }


def test_every_public_name_is_exported_from_mk_callbacks():
    for name in mk.callbacks.__all__:
        assert getattr(mk.callbacks, name).__doc__, name
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mk.callbacks.EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
