import numpy as np
import pytest

import mlpkit as mk

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_y = np.array([0, 1, 1, 0])


def blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    X = rng.normal(size=(n, 4)) + np.eye(3, 4)[y] * 3
    return X, y


def classifier(seed=0, dtype="float32"):
    return mk.Sequential(
        [mk.layers.Dense(16, activation="relu"), mk.layers.Dense(3, activation="softmax")],
        random_state=seed,
        dtype=dtype,
    )


def test_two_four_one_network_learns_xor():
    net = mk.Sequential(
        [mk.layers.Dense(4, activation="tanh"), mk.layers.Dense(1, activation="sigmoid")],
        random_state=0,
    )
    net.fit(
        XOR_X,
        XOR_y,
        loss="binary_cross_entropy",
        optimizer=mk.optim.Adam(0.05),
        batch_size=None,
        epochs=500,
    )
    np.testing.assert_array_equal(net.predict(XOR_X).ravel() > 0.5, XOR_y == 1)


@pytest.mark.parametrize("batch_size, steps_per_epoch", [(None, 1), (1, 200), (32, 7)])
def test_full_batch_stochastic_and_minibatch_descent_take_the_expected_steps(
    batch_size, steps_per_epoch
):
    X, y = blobs()
    net = classifier()
    optimizer = mk.optim.SGD(0.05)
    history = net.fit(
        X, y, loss="categorical_cross_entropy", optimizer=optimizer, batch_size=batch_size, epochs=3
    )
    assert optimizer.iterations == 3 * steps_per_epoch
    assert len(history.history["loss"]) == 3
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.stop_reason == "max epochs (3) reached"


def test_training_reaches_high_accuracy_on_separable_blobs():
    X, y = blobs()
    net = classifier()
    net.fit(X, y, loss="categorical_cross_entropy", optimizer="adam", epochs=30)
    assert net.evaluate(X, y)["accuracy"] > 0.95


def test_same_seed_gives_bit_identical_weights_and_leaves_global_state_alone():
    X, y = blobs()
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    runs = []
    for _ in range(2):
        net = classifier(seed=7)
        net.fit(X, y, loss="categorical_cross_entropy", epochs=3, shuffle=True)
        runs.append(net.params.copy())
    np.testing.assert_array_equal(runs[0], runs[1])
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    other = classifier(seed=8)
    other.fit(X, y, loss="categorical_cross_entropy", epochs=3)
    assert not np.array_equal(other.params, runs[0])


def test_shuffle_false_keeps_row_order_and_is_deterministic_without_a_seed_for_order():
    X, y = blobs()
    a, b = classifier(seed=1), classifier(seed=1)
    for net in (a, b):
        net.fit(X, y, loss="categorical_cross_entropy", epochs=2, shuffle=False)
    np.testing.assert_array_equal(a.params, b.params)


def test_fit_again_continues_from_current_weights_and_optimizer_state():
    X, y = blobs()
    once = classifier(seed=3)
    once.fit(
        X,
        y,
        loss="categorical_cross_entropy",
        optimizer=mk.optim.Adam(1e-2),
        epochs=4,
        shuffle=False,
    )
    twice = classifier(seed=3)
    optimizer = mk.optim.Adam(1e-2)
    twice.fit(X, y, loss="categorical_cross_entropy", optimizer=optimizer, epochs=2, shuffle=False)
    history = twice.fit(X, y, epochs=2, shuffle=False)
    np.testing.assert_allclose(twice.params, once.params, rtol=1e-6)
    assert twice.optimizer is optimizer and optimizer.iterations == 4 * 7
    assert history.epoch == [2, 3]


def test_parameter_views_stay_in_the_flat_buffer_after_training():
    X, y = blobs()
    net = classifier()
    net.fit(X, y, loss="categorical_cross_entropy", epochs=1)
    for layer in net.layers:
        assert np.shares_memory(layer.W, net.params) and np.shares_memory(layer.b, net.params)
        assert np.shares_memory(layer.dW, net.grads) and np.shares_memory(layer.db, net.grads)
    assert net.params.flags.c_contiguous and net.params.ndim == 1
    net.layers[0].W[0, 0] = 42.0
    assert 42.0 in net.params


def test_float64_network_computes_in_float64():
    X, y = blobs()
    net = classifier(dtype="float64")
    net.fit(X, y, loss="categorical_cross_entropy", epochs=1)
    assert net.params.dtype == np.float64 and net.predict(X).dtype == np.float64
    assert classifier().build(4).params.dtype == np.float32


def test_validation_data_and_split_are_scored_every_epoch():
    X, y = blobs()
    net = classifier()
    history = net.fit(
        X, y, loss="categorical_cross_entropy", epochs=3, validation_data=blobs(50, 1)
    )
    assert len(history.history["val_loss"]) == 3
    history = classifier().fit(
        X, y, loss="categorical_cross_entropy", epochs=2, validation_split=0.2
    )
    assert len(history.history["val_loss"]) == 2


def test_divergence_stops_training_with_a_message_and_finite_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)) * 1e3
    y = X.sum(axis=1) * 1e3
    net = mk.Sequential([mk.layers.Dense(8, activation="relu"), mk.layers.Dense(1)], random_state=0)
    with pytest.warns(mk.DivergenceWarning, match="epoch 1, batch"):
        history = net.fit(X, y, loss="mse", optimizer=mk.optim.SGD(10.0), epochs=50, batch_size=8)
    assert history.stop_reason.startswith("diverged")
    assert len(history.history.get("loss", [])) < 50
    assert np.isfinite(net.params).all()


def test_summary_lists_layers_shapes_parameters_and_activations():
    net = classifier().build(4)
    text = net.summary()
    assert "Dense" in text and "(None, 16)" in text and "relu" in text and "softmax" in text
    assert f"Total parameters: {4 * 16 + 16 + 16 * 3 + 3:,}" in text


def test_callbacks_see_every_epoch_and_batch_and_can_stop_training():
    class StopAfterTwo(mk.callbacks.Callback):
        def __init__(self):
            self.batches = 0

        def on_batch_end(self, batch, logs=None):
            self.batches += 1

        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True
                self.model.stop_reason = "asked to stop after two epochs"

    X, y = blobs()
    callback = StopAfterTwo()
    history = classifier().fit(
        X, y, loss="categorical_cross_entropy", epochs=10, batch_size=50, callbacks=[callback]
    )
    assert callback.batches == 8 and len(history.history["loss"]) == 2
    assert history.stop_reason == "asked to stop after two epochs"


def test_numpy_random_seed_at_the_top_of_a_script_makes_unseeded_runs_repeat():
    X, y = blobs()
    runs = []
    for seed in (5, 5, 6):
        np.random.seed(seed)
        net = classifier(seed=None)
        net.fit(X, y, loss="categorical_cross_entropy", epochs=2)
        runs.append(net.params.copy())
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])
