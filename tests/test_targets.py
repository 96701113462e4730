"""Any labels, one model: Sequential keeps the class labels and the target's units itself."""

import numpy as np
import pytest

import mlpkit as mk


def features(n=120, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 4))


def softmax_net(units=3):
    return mk.Sequential(
        [mk.layers.Dense(16, activation="relu"), mk.layers.Dense(units, activation="softmax")],
        random_state=0,
    )


def test_text_labels_are_kept_in_output_order_and_predicted_back():
    X = features()
    y = np.array(["cat", "dog", "emu"])[np.argmax(X[:, :3], axis=1)]
    net = softmax_net()
    net.fit(X, y, loss="categorical_cross_entropy", optimizer=mk.optim.Adam(0.02), epochs=60)
    np.testing.assert_array_equal(net.classes_, ["cat", "dog", "emu"])
    predicted = net.predict_classes(X)
    assert predicted.dtype == y.dtype and np.mean(predicted == y) > 0.8
    np.testing.assert_array_equal(predicted, net.classes_[net.predict(X).argmax(axis=1)])
    assert net.evaluate(X, y)["accuracy"] == pytest.approx(np.mean(predicted == y))


def test_integers_that_are_not_unit_indices_are_labels():
    X = features()
    y = np.array([3, 5, 9])[np.argmax(X[:, :3], axis=1)]
    net = softmax_net()
    net.fit(X, y, loss="categorical_cross_entropy", epochs=40, batch_size=None)
    np.testing.assert_array_equal(net.classes_, [3, 5, 9])
    assert set(net.predict_classes(X)) <= {3, 5, 9}


def test_unit_indices_keep_their_meaning_when_a_class_is_absent():
    X = features()
    y = np.where(X[:, 0] > 0, 2, 0)  # class 1 never appears
    net = softmax_net()
    net.fit(X, y, loss="categorical_cross_entropy", epochs=40, batch_size=None)
    np.testing.assert_array_equal(net.classes_, [0, 1, 2])
    assert set(net.predict_classes(X)) <= {0, 2}


def test_booleans_and_two_words_for_one_sigmoid():
    X = features()
    for labels in (np.array([False, True]), np.array([">50K", "<=50K"])):
        y = labels[(X[:, 0] > 0).astype(int)]
        net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
        net.fit(X, y, loss="binary_cross_entropy", optimizer=mk.optim.Adam(0.05), epochs=80)
        np.testing.assert_array_equal(net.classes_, np.sort(labels))
        proba = net.predict(X)[:, 0]
        np.testing.assert_array_equal(net.predict_classes(X), net.classes_[(proba > 0.5) * 1])
        assert np.mean(net.predict_classes(X) == y) > 0.9


def test_soft_targets_and_multi_label_rows_stay_as_they_are():
    X = features()
    soft = 1 / (1 + np.exp(-X[:, 0]))
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    net.fit(X, soft, loss="binary_cross_entropy", epochs=5)
    np.testing.assert_array_equal(net.classes_, [0, 1])
    Y = (X[:, :3] > 0).astype(int)
    multi = mk.Sequential([mk.layers.Dense(3, activation="sigmoid")], random_state=0)
    multi.fit(X, Y, loss="binary_cross_entropy", epochs=50, batch_size=None)
    assert multi.task == "multilabel" and multi.predict_classes(X).shape == (120, 3)


def test_labels_that_do_not_fit_the_output_layer_or_the_model_are_named():
    X = features()
    y = np.array(["a", "b", "c", "d"])[np.argmax(X, axis=1)]
    with pytest.raises(ValueError, match=r"4 classes \['a', 'b', 'c', 'd'\].*3 unit"):
        softmax_net().fit(X, y, loss="categorical_cross_entropy")
    net = softmax_net()
    net.fit(X, np.where(y == "d", "c", y), loss="categorical_cross_entropy")
    with pytest.raises(ValueError, match=r"labels \['d'\] the model does not know"):
        net.evaluate(X, y)
    regression = mk.Sequential([mk.layers.Dense(1)], random_state=0)
    regression.fit(X, X[:, 0], loss="mse")
    with pytest.raises(mk.NotFittedError, match="classification"):
        regression.predict_classes(X)


def test_classes_lists_labels_the_first_rows_lack():
    X = features()
    y = np.where(X[:, 0] > 0, "up", "down")
    net = softmax_net()
    net.fit(
        X[:10],
        np.full(10, "down"),
        loss="categorical_cross_entropy",
        classes=["down", "flat", "up"],
    )
    net.fit(X, y)
    np.testing.assert_array_equal(net.classes_, ["down", "flat", "up"])


def test_a_scaled_target_keeps_predictions_and_metrics_in_user_units():
    X = features(200)
    y = 1000 * X[:, 0] + 50_000
    net = mk.Sequential(
        [mk.layers.Dense(16, activation="tanh"), mk.layers.Dense(1)],
        random_state=0,
        target_scaler="standard",
    )
    history = net.fit(X, y, loss="mse", epochs=30, validation_split=0.2, metrics=["rmse"])
    assert net.loss_units == "standardised target units"
    held_out = np.sort(np.random.default_rng(net.split_seed).permutation(200)[:40])
    scores = net.evaluate(X[held_out], y[held_out])
    assert scores["rmse"] == pytest.approx(history.history["val_rmse"][-1], rel=1e-5)
    assert scores["loss"] == pytest.approx(history.history["val_loss"][-1], rel=1e-5)
    train_var = np.var(y[np.setdiff1d(np.arange(200), held_out)])
    assert scores["rmse"] ** 2 == pytest.approx(scores["loss"] * train_var, rel=1e-3)
    assert abs(net.predict(X).mean() - y.mean()) < 0.05 * y.mean()


def test_target_scaler_auto_scales_only_with_a_preprocessor():
    X = features()
    plain = mk.Sequential([mk.layers.Dense(1)], random_state=0)
    plain.fit(X, X[:, 0] * 100, loss="mse")
    assert plain.loss_units is None and plain.target.scaler_ is None
    with pytest.raises(mk.ConfigError, match="target_scaler"):
        mk.Sequential([mk.layers.Dense(1)], target_scaler="robust")


def test_float_labels_keep_their_type_and_mixed_labels_are_refused_in_words():
    X = features()
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    net.fit(X, (X[:, 0] > 0).astype(float), loss="binary_cross_entropy")
    assert net.classes_.dtype == np.float64 and net.predict_classes(X).dtype == np.float64
    mixed = np.array([1, "a"] * 60, dtype=object)
    with pytest.raises(ValueError, match=r"mixes labels of different types \(int, str\)"):
        softmax_net(2).fit(X, mixed, loss="categorical_cross_entropy")


def test_the_history_says_what_units_the_loss_is_in():
    X = features()
    scaled = mk.Sequential([mk.layers.Dense(1)], random_state=0, target_scaler="minmax")
    assert scaled.fit(X, X[:, 0] * 50, loss="mse").loss_units == "min-max scaled target units"
    plain = mk.Sequential([mk.layers.Dense(1)], random_state=0)
    assert plain.fit(X, X[:, 0], loss="mse").loss_units is None


def test_a_network_with_a_foreign_preprocessor_says_why_it_cannot_be_saved(tmp_path):
    from sklearn.preprocessing import StandardScaler

    class RowScaler(StandardScaler):
        def row_mask(self, X):
            return np.ones(len(X), dtype=bool)

    net = mk.Sequential([mk.layers.Dense(1)], random_state=0, preprocessor=RowScaler())
    net.fit(features(), features()[:, 0], loss="mse")
    with pytest.raises(TypeError, match="RowScaler.*mk.data.Preprocessor only"):
        net.save(tmp_path / "foreign.mlpk")


def test_values_train_and_reload_under_a_pandas_output_config(tmp_path):
    # sklearn.set_config(transform_output="pandas") made the target scaler return a DataFrame,
    # and every regressor's fit failed ('DataFrame' object has no attribute 'reshape')
    import sklearn

    X = np.random.default_rng(0).normal(size=(60, 3))
    y = 2.0 * X[:, 0] + 5.0
    with sklearn.config_context(transform_output="pandas"):
        model = mk.MLPRegressor(max_iter=3, random_state=0).fit(X, y)
        back = mk.load(model.save(tmp_path / "values.mlpk"))
        assert np.array_equal(back.predict(X[:5]), model.predict(X[:5]))
    assert np.array_equal(model.predict(X[:5]), back.predict(X[:5]))
