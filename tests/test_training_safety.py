"""Training never leaves a network half-changed, non-finite or silently misconfigured."""

import numpy as np
import pytest

import mlpkit as mk


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, X @ [1.0, -2.0, 0.5, 0.0] + 0.1 * rng.normal(size=n)


def small_net(**kwargs):
    return mk.Sequential(
        [mk.layers.Dense(8, activation="tanh"), mk.layers.Dense(1)], random_state=0, **kwargs
    )


def test_clipping_set_both_in_fit_and_on_the_optimizer_is_refused():
    X, y = data()
    with pytest.raises(mk.ConfigError, match="set it in one place"):
        small_net().fit(X, y, loss="mse", optimizer=mk.optim.SGD(clip_norm=5.0), clip_norm=1.0)


def test_weights_that_overflow_on_an_epochs_last_update_are_rolled_back():
    X, y = data(8)
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0)
    with pytest.warns(mk.DivergenceWarning, match="the weights became inf at epoch 1"):
        history = net.fit(X, y, loss="mse", optimizer=mk.optim.SGD(1e38), batch_size=None, epochs=5)
    assert np.isfinite(net.params).all() and history.stop_reason.startswith("diverged")


def test_restoring_the_best_epoch_restores_batchnorm_running_statistics_too():
    X, y = data(200)
    X_val, y_val = data(100, seed=1)
    net = mk.Sequential(
        [mk.layers.Dense(8), mk.layers.BatchNorm(), mk.layers.ReLU(), mk.layers.Dense(1)],
        random_state=0,
    )
    stop = mk.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    history = net.fit(
        X,
        y,
        loss="mse",
        optimizer=mk.optim.Adam(0.05),
        epochs=200,
        validation_data=(X_val, y_val),
        callbacks=[stop],
    )
    assert "restored the weights of epoch" in history.stop_reason
    assert net.evaluate(X_val, y_val)["loss"] == pytest.approx(
        min(history.history["val_loss"]), rel=1e-5
    )


def test_a_layer_object_cannot_serve_in_two_places():
    shared = mk.layers.Dense(3)
    with pytest.raises(mk.ConfigError, match="already in the network"):
        mk.Sequential([shared, shared])
    tanh = mk.layers.Tanh()
    with pytest.raises(mk.ConfigError, match="already in the network"):
        mk.Sequential([mk.layers.Dense(3), tanh, mk.layers.Residual([mk.layers.Dense(3), tanh])])
    mk.Sequential([shared]).build(2)
    with pytest.raises(mk.ConfigError, match="part of another network"):
        mk.Sequential([shared]).build(2)


def test_validation_data_is_checked_like_the_training_data():
    X, y = data()
    with pytest.raises(ValueError, match="X_val has 10 rows but y_val has 1"):
        small_net().fit(X, y, loss="mse", validation_data=(X[:10], y[:1]))
    with pytest.raises(ValueError, match="X_val has 3 features, but the network was built for 4"):
        small_net().fit(X, y, loss="mse", validation_data=(X[:10, :3], y[:10]))
    with pytest.raises(mk.ConfigError, match="a pair"):
        small_net().fit(X, y, loss="mse", validation_data=(X, y, None))
    with pytest.raises(mk.ConfigError, match="not both"):
        small_net().fit(X, y, loss="mse", validation_data=(X, y), validation_split=0.2)


def test_validation_split_holds_out_the_same_rows_in_every_fit():
    X, y = data(50)
    net = small_net()
    for _ in range(2):
        val_loss = net.fit(X, y, loss="mse", epochs=1, validation_split=0.2).history["val_loss"]
        assert val_loss[0] == pytest.approx(net.evaluate(*_held_out(net, X, y))["loss"], rel=1e-6)


def _held_out(net, X, y):
    rng = np.random.default_rng(net.split_seed)
    order = rng.permutation(X.shape[0])
    rows = np.sort(order[: int(round(X.shape[0] * 0.2))])
    return X[rows], y[rows]


def test_a_single_row_batch_for_batchnorm_is_refused_before_any_weight_changes():
    X, y = data(33)
    net = mk.Sequential(
        [mk.layers.Dense(4), mk.layers.BatchNorm(), mk.layers.Dense(1)], random_state=0
    ).build(4)
    before = net.params.copy()
    with pytest.raises(ValueError, match="BatchNorm needs batches of at least 2 rows"):
        net.fit(X, y, loss="mse", batch_size=32)
    np.testing.assert_array_equal(net.params, before)


def test_callbacks_are_closed_even_when_training_fails():
    X, y = data()
    ended = []

    class Fails(mk.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise RuntimeError("boom")

        def on_train_end(self, logs=None):
            ended.append(True)

    with pytest.raises(RuntimeError, match="boom"):
        small_net().fit(X, y, loss="mse", callbacks=[Fails()])
    assert ended == [True]


def test_a_frozen_batchnorm_keeps_its_statistics_and_output():
    X, y = data(128)
    net = mk.Sequential([mk.layers.BatchNorm(), mk.layers.Dense(1)], random_state=0)
    net.fit(X, y, loss="mse", epochs=2)
    norm = net.layers[0]
    norm.trainable = False
    stats = norm.running_mean.copy(), norm.running_var.copy()
    out_before = norm.forward(X)
    net.fit(X + 5.0, y, loss="mse", epochs=2)
    np.testing.assert_array_equal(norm.running_mean, stats[0])
    np.testing.assert_array_equal(norm.running_var, stats[1])
    np.testing.assert_array_equal(norm.forward(X), out_before)


def test_evaluate_before_build_says_to_fit_first():
    X, y = data()
    with pytest.raises(mk.NotFittedError, match="Call fit"):
        small_net().evaluate(X, y, loss="mse")


def test_a_new_optimizers_epoch_schedule_starts_at_its_own_first_epoch():
    X, y = data()
    net = small_net()
    net.fit(X, y, loss="mse", epochs=3)
    history = net.fit(
        X, y, epochs=2, optimizer=mk.optim.SGD(mk.schedules.StepDecay(0.1, step_size=1, factor=0.5))
    )
    np.testing.assert_allclose(history.history["lr"], [0.1, 0.05])


def test_a_callback_that_stops_without_a_reason_still_gets_one():
    class Stop(mk.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    X, y = data()
    history = small_net().fit(X, y, loss="mse", epochs=5, callbacks=[Stop()])
    assert history.stop_reason == "stopped by a callback after epoch 1"


def test_a_loss_that_blows_up_in_the_first_epoch_leaves_a_usable_model_and_a_readable_history():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, 3)) * 100
    y = X @ [3.0, -2.0, 1.0]
    net = mk.Sequential(
        [mk.layers.Dense(16, activation="relu"), mk.layers.Dense(1)], random_state=0
    )
    start = net.build(3).params.copy()
    with pytest.warns(mk.DivergenceWarning, match="put back the weights this fit started from"):
        history = net.fit(X, y, loss="mse", optimizer=mk.optim.SGD(1.0), batch_size=16, epochs=5)
    # caught by the growth rule while still finite (before issue 14 item 4: only at inf)
    assert history.history["loss"][0] > 1e10 and "rule: loss growth" in history.stop_reason
    assert history.diverged["epoch"] == 0 and history.diverged["what"] == "loss"
    np.testing.assert_array_equal(net.params, start)
    assert np.abs(net.predict(X)).max() < 1e6


def test_divergence_later_puts_back_the_epoch_with_the_lowest_training_loss():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(128, 3))
    y = X @ [1.0, 2.0, -1.0]

    class Sabotage(mk.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                self.kept = self.model.params.copy()
                self.model.params[...] *= 1e30  # finite, but the next batch's loss is not

    sabotage = Sabotage()
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0)
    with pytest.warns(mk.DivergenceWarning, match=r"weights of epoch 1, the lowest training"):
        history = net.fit(X, y, loss="mse", epochs=3, callbacks=[sabotage])
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"][0])
    assert not np.isfinite(history.history["loss"][1])
    assert history.diverged == {"epoch": 1, "batch": 0, "what": "loss", "value": np.inf}
    np.testing.assert_array_equal(net.params, sabotage.kept)


def test_per_layer_gradient_norms_are_the_same_statistic_as_the_global_norm():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 4))
    y = X @ [1.0, -1.0, 2.0, 0.5]
    net = mk.Sequential([mk.layers.Dense(8, activation="tanh"), mk.layers.Dense(1)], random_state=0)
    logs = net.fit(X, y, loss="mse", batch_size=32, epochs=3).history  # last batch: 4 rows
    layers = np.array([logs["grad_norm/0:Dense"], logs["grad_norm/1:Dense"]])
    assert (layers <= np.array(logs["grad_norm"]) + 1e-6).all()  # a part never beats the whole
    # means of one statistic: ‖mean of the layers' norms‖ ≤ mean of the global norm (Minkowski)
    assert (np.sqrt((layers**2).sum(axis=0)) <= np.array(logs["grad_norm"]) + 1e-6).all()


def test_training_metrics_and_the_loss_are_the_same_kind_of_number():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    logs = net.fit(
        X, y, loss="binary_cross_entropy", batch_size=50, epochs=3, metrics=["log_loss"]
    ).history
    np.testing.assert_allclose(logs["log_loss"], logs["loss"], rtol=1e-5)


# -- numerical blow-ups caught while still finite (issue 14 item 4) ----------------------------
def _blowup_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    return X, X @ rng.normal(size=5) + 0.1 * rng.normal(size=200)


def _blowup_net(activation="linear"):
    layers = [mk.layers.Dense(16, activation="relu"), mk.layers.Dense(1, activation=activation)]
    return mk.Sequential(layers, random_state=0)


@pytest.mark.parametrize(
    "optimizer, clip_norm",
    [
        (mk.optim.Adam(learning_rate=1e6), None),
        (mk.optim.RMSprop(learning_rate=1e6), None),
        (mk.optim.SGD(learning_rate=1e6), 1.0),
    ],
    ids=["adam", "rmsprop", "sgd-clip_norm"],
)
def test_a_huge_learning_rate_stops_on_loss_growth_with_finite_weights(optimizer, clip_norm):
    X, y = _blowup_data()
    net = _blowup_net()
    with pytest.warns(mk.exceptions.DivergenceWarning, match="rule: loss growth"):
        history = net.fit(X, y, loss="mse", optimizer=optimizer, clip_norm=clip_norm, epochs=30)
    assert history.stop_reason.startswith("diverged") and "learning rate" in history.stop_reason
    assert len(history.epoch) == 1
    prediction = net.predict(X)
    assert np.isfinite(prediction).all() and np.abs(prediction).max() < 100


def test_mlpregressor_with_a_huge_learning_rate_keeps_finite_weights():
    X, y = _blowup_data()
    model = mk.MLPRegressor(learning_rate_init=1e6, max_iter=30, random_state=0)
    with pytest.warns(mk.exceptions.DivergenceWarning, match="rule: loss growth"):
        model.fit(X, y)
    prediction = model.predict(X)
    assert np.isfinite(prediction).all() and np.abs(prediction).max() < 100


def test_huge_inputs_with_binary_cross_entropy_warn_to_scale_them():
    X, y = _blowup_data()
    with pytest.warns(mk.exceptions.DivergenceWarning, match="inputs reach a magnitude"):
        _blowup_net("sigmoid").fit(X * 1e20, (y > 0) * 1.0, loss="binary_cross_entropy")


def test_huge_targets_without_a_scaler_warn_and_a_flat_loss_is_named():
    X, y = _blowup_data()
    with pytest.warns(mk.exceptions.DivergenceWarning) as caught:
        _blowup_net().fit(X, y * 1e12, loss="mse", epochs=8)
    messages = " ".join(str(w.message) for w in caught)
    assert "targets reach a magnitude" in messages and "target_scaler" in messages
    assert "rule: flat loss" in messages


def test_an_ordinary_fit_raises_no_blowup_warning():
    import warnings

    X, y = _blowup_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error", mk.exceptions.DivergenceWarning)
        history = _blowup_net().fit(X, y, loss="mse", epochs=20)
    assert history.stop_reason == "max epochs (20) reached"


def fitted(depth=2, **kwargs):
    X, y = data()
    hidden = [mk.layers.Dense(8, activation="relu") for _ in range(depth - 1)]
    net = mk.Sequential([*hidden, mk.layers.Dense(1)], random_state=0, **kwargs)
    net.fit(X, y, loss="mse", epochs=2)
    return net, X, y


def blow_up(net):
    """Finite weights whose products over three layers overflow the network's dtype."""
    net.params[:] = net.params * np.finfo(net.params.dtype).max ** 0.4


@pytest.mark.parametrize("call", ["predict", "evaluate", "mk.evaluate", "estimator"])
def test_outputs_that_overflow_from_diverged_weights_are_named_not_returned(call):
    net, X, y = fitted(depth=3)
    blow_up(net)
    calls = {
        "predict": lambda: net.predict(X),
        "evaluate": lambda: net.evaluate(X, y),
        "mk.evaluate": lambda: mk.evaluate(net, X, y),
    }
    if call == "estimator":
        estimator = mk.MLPRegressor(hidden_layer_sizes=(8, 8), max_iter=3).fit(X, y)
        blow_up(estimator.network_)
        calls["estimator"] = lambda: estimator.predict(X)
    with pytest.raises(mk.exceptions.OutputOverflowError) as caught:
        calls[call]()
    message = str(caught.value)
    assert "of 64 row(s), the first at row 0, although the inputs are finite" in message
    assert "layer 2 (Dense(" in message and "the training diverged" in message


def test_a_row_far_outside_the_training_range_is_named_and_the_weights_cleared():
    net, X, _ = fitted()
    X[5] = 3e38
    with pytest.raises(mk.exceptions.OutputOverflowError) as caught:
        net.predict(X)
    message = str(caught.value)
    assert "on 1 of 64 row(s), the first at row 5" in message
    assert "layer 0 (Dense(8, relu))" in message and "largest |value| 3e+38" in message
    assert "The weights are ordinary" in message and "diverged" not in message


def test_an_overflow_in_bringing_outputs_back_to_target_units_is_named():
    net, X, y = fitted(target_scaler="standard")
    net.layers[-1].b[:] = 1e4  # finite outputs, ×σ = 1e40 in the target's units: > float32
    net.target.scaler_.scale_[:] = 1e36
    with pytest.raises(mk.exceptions.OutputOverflowError, match="bringing them back to the"):
        net.predict(X)


def test_finite_outputs_pass_the_overflow_check_unchanged():
    net, X, y = fitted()
    assert np.isfinite(net.predict(X)).all() and np.isfinite(net.evaluate(X, y)["loss"])


def test_a_preprocessor_without_row_mask_is_refused_naming_what_it_lacks():
    from sklearn.preprocessing import StandardScaler

    with pytest.raises(mk.ConfigError, match="StandardScaler has no row_mask.*scaler='standard'"):
        mk.Sequential([mk.layers.Dense(1)], preprocessor=StandardScaler())
