"""A model exported to PyTorch predicts what it predicts here, scaling included."""

import numpy as np
import pandas as pd
import pytest
import torch

import mlpkit as mk


def _unscaled(n=120, n_features=4, seed=0):
    """Raw inputs far from standardised: means ~50, spreads from 1 to 200."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_features)) * np.geomspace(1, 200, n_features) + 50


def _run(module, X, dtype=torch.float64) -> np.ndarray:
    with torch.no_grad():
        return module(torch.tensor(X, dtype=dtype)).numpy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_exported_network_predicts_like_the_original_for_every_layer_type(dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5))
    y = rng.integers(0, 3, size=64)
    net = mk.Sequential(
        [
            mk.layers.Dense(8, activation="prelu"),
            mk.layers.BatchNorm(),
            mk.layers.Dropout(0.2),
            mk.layers.Residual([mk.layers.Dense(6, activation="gelu"), mk.layers.Dense(6)]),
            mk.layers.ELU(),
            mk.layers.Dense(6, activation="leaky_relu"),
            mk.layers.Residual([mk.layers.Dense(6, activation="silu"), mk.layers.Dense(6)]),
            mk.layers.Dense(4, activation="softplus"),
            mk.layers.Tanh(),
            mk.layers.Dense(3, activation="softmax"),
        ],
        random_state=0,
        dtype=dtype,
    )
    net.fit(X, y, loss="categorical_cross_entropy", epochs=3, batch_size=16)
    model = mk.export.to_torch(net)
    exported = _run(model, X, model[0].weight.dtype)
    tolerance = 1e-6 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(exported, net.predict(X), rtol=tolerance, atol=tolerance)
    assert not model.training


def test_step_activation_and_projected_residual_export():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    net = mk.Sequential(
        [mk.layers.Residual([mk.layers.Dense(5, activation="step")]), mk.layers.Dense(2)],
        random_state=0,
        dtype="float64",
    )
    net.fit(X, rng.normal(size=(40, 2)), loss="mse", epochs=2)
    np.testing.assert_allclose(_run(mk.export.to_torch(net), X), net.predict(X), atol=1e-9)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_exported_classifier_equals_predict_proba_on_unscaled_inputs(n_classes):
    X = _unscaled(seed=n_classes)
    y = np.random.default_rng(1).integers(0, n_classes, size=len(X))
    clf = mk.MLPClassifier(hidden_layer_sizes=(8,), random_state=0, max_iter=20).fit(X, y)
    model = mk.export.to_torch(clf)
    assert isinstance(model[0], mk.export.StandardScale)
    proba = _run(model, X)
    assert proba.shape == (len(X), n_classes)
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-6, atol=1e-6)
    assert not model.training


def test_exported_regressor_equals_predict_in_the_targets_units():
    X = _unscaled(seed=5)
    rng = np.random.default_rng(2)
    y = np.column_stack([X[:, 0] * 30 + 1000, rng.normal(size=len(X)) * 0.01 - 5])
    reg = mk.MLPRegressor(hidden_layer_sizes=(8,), random_state=0, max_iter=20).fit(X, y)
    assert reg.network_.target.scaler_ is not None
    model = mk.export.to_torch(reg)
    assert isinstance(model[-1], mk.export.InverseStandardScale)
    np.testing.assert_allclose(_run(model, X), reg.predict(X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("scaler", "module"), [("tanh", "TanhScale"), ("minmax", "MinMaxScale")])
def test_exported_network_folds_in_its_preprocessors_scaler(scaler, module):
    X = _unscaled(seed=7)
    y = X[:, :2] @ np.array([[0.02, -1.0], [0.5, 0.003]]) + 3
    prep = mk.data.Preprocessor(scaler=scaler, categorical=None)
    net = mk.Sequential(
        [mk.layers.Dense(6, activation="tanh"), mk.layers.Dense(2)],
        random_state=0,
        dtype="float64",
        preprocessor=prep,
        target_scaler=scaler,
    )
    net.fit(X, y, loss="mse", epochs=5)
    model = mk.export.to_torch(net)
    assert type(model[0]).__name__ == module
    assert type(model[-1]).__name__ == "Inverse" + module
    np.testing.assert_allclose(_run(model, X), net.predict(X), rtol=1e-6, atol=1e-6)


def test_exported_modules_save_and_load_with_torch(tmp_path):
    X = _unscaled(seed=9)
    y = X @ np.linspace(-1, 1, X.shape[1])
    reg = mk.MLPRegressor(hidden_layer_sizes=(4,), random_state=0, max_iter=3).fit(X, y)
    path = tmp_path / "model.pt"
    torch.save(mk.export.to_torch(reg), path)
    loaded = torch.load(path, weights_only=False)
    np.testing.assert_allclose(_run(loaded, X).ravel(), reg.predict(X), rtol=1e-6, atol=1e-6)


def test_a_preprocessor_with_categories_is_refused_clearly():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {"size": rng.normal(size=60) * 10 + 3, "colour": rng.choice(["red", "blue"], 60)}
    )
    y = rng.integers(0, 2, size=60)
    clf = mk.MLPClassifier(
        hidden_layer_sizes=(4,), random_state=0, max_iter=3, preprocessor="auto"
    ).fit(frame, y)
    with pytest.raises(ValueError, match="one-hot categories") as error:
        mk.export.to_torch(clf)
    assert "net.preprocessor.transform" in str(error.value)
    assert "include_preprocessor=False" in str(error.value)

    model = mk.export.to_torch(clf, include_preprocessor=False)  # the advice works
    inputs = clf.network_.preprocessor.transform(frame)
    np.testing.assert_allclose(_run(model, inputs), clf.predict_proba(frame), atol=1e-6)


def test_an_unfitted_estimator_is_refused():
    with pytest.raises(TypeError, match="not fitted"):
        mk.export.to_torch(mk.MLPClassifier())


def test_a_preprocessor_without_scaler_passes_numeric_columns_through():
    X = _unscaled(seed=11)
    net = mk.Sequential(
        [mk.layers.Dense(3, activation="relu"), mk.layers.Dense(1)],
        random_state=0,
        dtype="float64",
        preprocessor=mk.data.Preprocessor(scaler=None, categorical=None),
    )
    net.fit(X, X[:, 1], loss="mse", epochs=2)
    model = mk.export.to_torch(net)
    assert isinstance(model[0], torch.nn.Linear)
    np.testing.assert_allclose(_run(model, X), net.predict(X), rtol=1e-6, atol=1e-6)


def test_missing_value_indicators_are_refused():
    X = _unscaled(seed=12)
    X[::7, 0] = np.nan
    prep = mk.data.Preprocessor(missing="mean", add_indicator=True, categorical=None)
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0, preprocessor=prep)
    net.fit(X, np.nan_to_num(X[:, 1]), loss="mse", epochs=1)
    with pytest.raises(ValueError, match="indicator"):
        mk.export.to_torch(net)


def test_missing_values_are_filled_in_the_exported_module_as_predict_fills_them():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    X[rng.random(X.shape) < 0.1] = np.nan
    clf = mk.MLPClassifier(preprocessor="auto", random_state=0, max_iter=20).fit(X, y)
    module = mk.export.to_torch(clf)
    with torch.no_grad():
        exported = module(torch.as_tensor(X)).numpy()
    np.testing.assert_allclose(exported, clf.predict_proba(X), atol=1e-6)
    forward = mk.MLPClassifier(
        preprocessor=mk.data.Preprocessor(missing="previous"), random_state=0, max_iter=2
    ).fit(np.nan_to_num(X), y)
    with pytest.raises(ValueError, match="'previous'.*depends on other rows"):
        mk.export.to_torch(forward)
