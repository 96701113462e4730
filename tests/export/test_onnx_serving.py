"""Serving checks: the ONNX file in onnxruntime, the ``to_torch`` module and the saved model
(``mk.load(...).predict``) give the same answers on the same raw rows — text labels for a
classifier, dollars for a regressor."""

import numpy as np
import pandas as pd
import pytest
import torch
from onnx_helpers import housing, metadata, run_onnx, wine

import mlpkit as mk

TOLERANCE = {"float32": 1e-5, "float64": 1e-9}


def _torch(module, rows: pd.DataFrame, dtype) -> np.ndarray:
    with torch.no_grad():
        return module(torch.tensor(rows.to_numpy(dtype))).numpy()


def _raw(frame: pd.DataFrame, dtype) -> pd.DataFrame:
    """The rows as the float32 file sees them (numbers rounded to dtype), for every side."""
    return frame.astype(dtype).astype(np.float64)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_classifier_with_text_labels_serves_the_same_everywhere(dtype, tmp_path):
    X, y = wine()
    clf = mk.MLPClassifier(
        hidden_layer_sizes=(16, 8), random_state=0, max_iter=80, dtype=dtype, preprocessor="auto"
    ).fit(X, y)  # long enough that every label is predicted somewhere
    saved = mk.load(clf.save(tmp_path / "wine.mlpk"))
    path = mk.export.to_onnx(clf, tmp_path / "wine.onnx")
    rows = _raw(X.iloc[::3], dtype)

    served = run_onnx(path, rows)
    proba = saved.predict_proba(rows)
    torch_proba = _torch(mk.export.to_torch(clf), rows, dtype)
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(served["probabilities"], proba, rtol=0, atol=tol)
    np.testing.assert_allclose(torch_proba, proba, rtol=0, atol=tol)
    labels = saved.predict(rows)
    assert set(labels) == {"plain", "good", "fine"}
    assert served["label"].tolist() == labels.tolist()
    assert clf.classes_[torch_proba.argmax(axis=1)].tolist() == labels.tolist()
    assert metadata(path)["classes"] == '["fine", "good", "plain"]'


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_regressor_serves_dollars_the_same_everywhere_missing_values_included(dtype, tmp_path):
    X, y = housing()
    assert X.isna().any().any()
    reg = mk.MLPRegressor(
        hidden_layer_sizes=(16,),
        random_state=0,
        max_iter=30,
        dtype=dtype,
        preprocessor=mk.data.Preprocessor(missing="median"),
    ).fit(X, y)
    assert reg.network_.target.scaler_ is not None  # trained in standardised units
    saved = mk.load(reg.save(tmp_path / "housing.mlpk"))
    path = mk.export.to_onnx(reg, tmp_path / "housing.onnx")
    rows = _raw(X.iloc[::4], dtype)

    dollars = saved.predict(rows)
    assert dollars.mean() > 1e4  # in the target's units, not standardised
    served = run_onnx(path, rows)["output"].ravel()
    torch_dollars = _torch(mk.export.to_torch(reg), rows, dtype).ravel()
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(served, dollars, rtol=tol, atol=tol)
    np.testing.assert_allclose(torch_dollars, dollars, rtol=tol, atol=tol)


def test_text_categories_are_one_hot_encoded_in_the_file(tmp_path):
    X, y = housing(categorical=True)
    X.loc[3, "ocean_proximity"] = "?"  # a missing-value token: the learned fill
    prep = mk.data.Preprocessor(missing="auto", add_indicator=True)
    reg = mk.MLPRegressor(hidden_layer_sizes=(8,), random_state=0, max_iter=20, preprocessor=prep)
    reg.fit(X, y)
    saved = mk.load(reg.save(tmp_path / "housing.mlpk"))
    path = mk.export.to_onnx(reg, tmp_path / "housing.onnx")
    rows = X.iloc[::5].copy()
    rows.loc[rows.index[0], "ocean_proximity"] = None  # missing: the token the file knows
    served = run_onnx(path, rows)["output"].ravel()
    np.testing.assert_allclose(served, saved.predict(rows), rtol=1e-9)
    with pytest.raises(ValueError, match="one-hot categories"):
        mk.export.to_torch(reg)  # numbers only: the ONNX file is the way to serve this one


def test_categories_of_numbers_and_booleans_and_an_unseen_category(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "code": rng.choice([3, 7, 11], 150),
            "flag": rng.choice([True, False], 150),
            "colour": rng.choice(["red", "blue"], 150),
            "size": rng.normal(size=150) * 5 + 20,
        }
    )
    y = (frame["code"] > 5) ^ frame["flag"]
    prep = mk.data.Preprocessor(categorical=["code", "flag", "colour"])
    clf = mk.MLPClassifier(hidden_layer_sizes=(6,), random_state=0, max_iter=60, preprocessor=prep)
    clf.fit(frame, y)
    path = mk.export.to_onnx(clf, tmp_path / "codes.onnx")
    rows = frame.head(12).copy()
    rows.loc[0, "colour"] = "green"  # unseen: all zeros, as predict does (with a warning)
    with pytest.warns(mk.data.UnknownCategoryWarning):
        want = clf.predict_proba(rows)
    served = run_onnx(path, rows)
    np.testing.assert_allclose(served["probabilities"], want, atol=1e-9)
    assert served["label"].dtype == bool
    with pytest.warns(mk.data.UnknownCategoryWarning):
        labels = clf.predict(rows)
    assert served["label"].tolist() == labels.tolist()


@pytest.mark.parametrize("labels", [[0, 1], [3, 9], ["no", "yes"]])
def test_a_binary_network_gives_labels_of_their_own_type(labels, tmp_path):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, 3))
    y = np.asarray(labels)[(X[:, 0] > 0).astype(int)]
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    net.fit(X, y, loss="binary_cross_entropy", epochs=20)
    served = run_onnx(mk.export.to_onnx(net, tmp_path / "binary.onnx"), X.astype(np.float32))
    assert served["output"].shape == (80, 1)
    assert served["label"].tolist() == net.predict_classes(X.astype(np.float32)).tolist()


@pytest.mark.parametrize("scaler", ["standard", "minmax", "tanh"])
def test_each_scaler_and_its_inverse_for_the_target(scaler, tmp_path):
    X, y = housing(200)
    X = X.fillna(0.0)
    prep = mk.data.Preprocessor(scaler=scaler, categorical=None, feature_range=(-1, 1))
    net = mk.Sequential(
        [mk.layers.Dense(6, activation="tanh"), mk.layers.Dense(1)],
        random_state=0,
        dtype="float64",
        preprocessor=prep,
        target_scaler=scaler,
    )
    net.fit(X, y, loss="mse", epochs=5)
    path = mk.export.to_onnx(net, tmp_path / f"{scaler}.onnx")
    far = X.iloc[:10] * 1.5  # beyond the training range: minmax clip, tanh saturation
    rows = pd.concat([X.iloc[::7], far])
    np.testing.assert_allclose(run_onnx(path, rows)["output"], net.predict(rows), rtol=1e-9)


def test_the_file_takes_the_feature_array_without_its_preprocessor(tmp_path):
    X, y = wine(120)
    clf = mk.MLPClassifier(hidden_layer_sizes=(4,), random_state=0, max_iter=5)
    clf.set_params(preprocessor="auto").fit(X, y)
    path = mk.export.to_onnx(clf, tmp_path / "bare.onnx", include_preprocessor=False)
    features = clf.network_.preprocessor.transform(X)
    served = run_onnx(path, features)
    np.testing.assert_allclose(served["probabilities"], clf.predict_proba(X), atol=1e-9)


def test_a_multilabel_classifier_gives_a_0_1_matrix_and_opset_13_is_read(tmp_path):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(90, 3))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0.5, X[:, 0] + X[:, 2] > 0]).astype(int)
    clf = mk.MLPClassifier(hidden_layer_sizes=(8,), random_state=0, max_iter=30).fit(X, Y)
    path = mk.export.to_onnx(clf, tmp_path / "labels.onnx", opset=13)
    served = run_onnx(path, X)
    assert metadata(path)["opset"] == "13"
    np.testing.assert_allclose(served["probabilities"], clf.predict_proba(X), atol=1e-9)
    assert served["label"].tolist() == clf.predict(X).tolist()
