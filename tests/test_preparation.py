"""One data path into the model: raw tables, labels and weights through the network's own
preprocessor and target, the same for a fit, an evaluation and a prediction."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mlpkit as mk
from mlpkit.data import Preprocessor

DATA = Path(__file__).resolve().parent / "data"  # small copies: see data/ATTRIBUTION.md


def housing():
    frame = pd.read_csv(DATA / "housing.csv")
    return frame.drop(columns="median_house_value"), frame["median_house_value"]


def test_housing_csv_to_a_regressor_in_dollars_and_back_from_a_file(tmp_path):
    X, y = housing()
    train, test = slice(0, 4000), slice(4000, None)
    net = mk.Sequential(
        [mk.layers.Dense(32, activation="relu"), mk.layers.Dense(1)],
        random_state=0,
        preprocessor=Preprocessor(missing="auto"),
    )
    history = net.fit(
        X.iloc[train], y.iloc[train], loss="mse", epochs=8, batch_size=128, validation_split=0.1
    )
    assert net.loss_units == "standardised target units"
    assert history.history["val_loss"][-1] < 0.6  # in standardised units
    predictions = net.predict(X.iloc[test]).ravel()
    error = np.mean(np.abs(predictions - y.iloc[test].to_numpy()))
    assert 20_000 < np.mean(predictions) < 500_000 and error < 80_000  # dollars
    assert X["total_bedrooms"].isna().sum() == 207
    loaded = mk.load(net.save(tmp_path / "housing.mlpk"))
    np.testing.assert_array_equal(loaded.predict(X.iloc[test]), net.predict(X.iloc[test]))
    assert loaded.preprocessor.report() == net.preprocessor.report()


def test_validation_rows_are_held_out_before_the_preprocessor_learns():
    X, y = housing()
    X, y = X.iloc[:2000], y.iloc[:2000]
    prep = Preprocessor(missing="auto")
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0, preprocessor=prep)
    net.fit(X, y, loss="mse", epochs=1, validation_split=0.25)
    assert prep.n_rows_in_ == 1500
    held_out = np.sort(np.random.default_rng(net.split_seed).permutation(2000)[:500])
    train = np.setdiff1d(np.arange(2000), held_out)
    fresh = Preprocessor(missing="auto").fit(X.iloc[train])
    np.testing.assert_array_equal(prep.transform(X), fresh.transform(X))


def test_the_same_rows_are_held_out_for_an_array_and_for_its_table():
    X = np.random.default_rng(0).normal(size=(50, 3))
    y = X @ [1.0, -2.0, 0.5]
    losses = []
    for data in (X, pd.DataFrame(X, columns=["a", "b", "c"])):
        net = mk.Sequential([mk.layers.Dense(1)], random_state=0, preprocessor=Preprocessor())
        losses.append(net.fit(data, y, loss="mse", epochs=2, validation_split=0.2).history)
    assert losses[0]["val_loss"] == losses[1]["val_loss"]


def test_integer_column_labels_survive_saving_and_loading(tmp_path):
    X = np.random.default_rng(0).normal(size=(20, 2))
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0, preprocessor=Preprocessor())
    net.fit(pd.DataFrame(X), X.sum(axis=1), loss="mse", epochs=1)
    loaded = mk.load(net.save(tmp_path / "int_labels.mlpk"))
    expected = net.predict(pd.DataFrame(X))
    np.testing.assert_array_equal(loaded.predict(pd.DataFrame(X)), expected)
    np.testing.assert_array_equal(loaded.predict(pd.DataFrame(X, columns=["0", "1"])), expected)
    np.testing.assert_array_equal(loaded.predict(X), expected)


def income_table(n=300, seed=0):
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n).astype(float)
    hours = rng.normal(40, 10, n)
    work = rng.choice(["State-gov", "Private", "Self-emp"], n)
    age[rng.random(n) < 0.1] = np.nan
    frame = pd.DataFrame({"age": age, "hours": hours, "workclass": work})
    frame.loc[rng.random(n) < 0.05, "workclass"] = "?"
    label = np.where((hours > 40) | (work == "Self-emp"), ">50K", "<=50K")
    return frame, label


def test_a_text_target_from_a_raw_table_through_sequential_estimator_and_pipeline():
    from sklearn.pipeline import Pipeline

    X, y = income_table()
    net = mk.Sequential(
        [mk.layers.Dense(16, activation="relu"), mk.layers.Dense(1, activation="sigmoid")],
        random_state=0,
        preprocessor=Preprocessor(missing="auto"),
    )
    net.fit(X, y, loss="binary_cross_entropy", epochs=40, optimizer=mk.optim.Adam(0.01))
    clf = mk.MLPClassifier(preprocessor="auto", random_state=0, max_iter=60).fit(X, y)
    pipe = Pipeline(
        [("prepare", Preprocessor(missing="auto")), ("mlp", mk.MLPClassifier(random_state=0))]
    ).fit(X, y)
    for predicted in (net.predict_classes(X), clf.predict(X), pipe.predict(X)):
        assert set(predicted) <= {"<=50K", ">50K"} and np.mean(predicted == y) > 0.85
    np.testing.assert_array_equal(clf.classes_, ["<=50K", ">50K"])
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1:], clf.network_.predict(X))


def test_sample_weights_follow_the_rows_the_preprocessor_keeps():
    X, y = income_table()
    X = X.assign(hours=X["hours"].mask(np.arange(len(X)) % 10 == 0))
    weights = np.where(y == ">50K", 5.0, 1.0)
    prep = Preprocessor(missing="auto", missing_columns={"hours": "drop"})
    net = mk.Sequential(
        [mk.layers.Dense(1, activation="sigmoid")], random_state=0, preprocessor=prep
    )
    net.fit(X, y, loss="binary_cross_entropy", epochs=3, sample_weight=weights)
    assert prep.n_rows_in_ == len(X) and net.preprocessor.row_mask(X).sum() == len(X) - 30
    with pytest.raises(ValueError, match="30 row.*before predicting"):
        net.predict(X)
    clf = mk.MLPClassifier(preprocessor=prep, random_state=0, max_iter=5)
    clf.fit(X, y, sample_weight=weights)
    assert clf.n_iter_ >= 1


def test_partial_fit_updates_the_input_scaler_with_every_chunk():
    X = np.random.default_rng(0).normal(size=(300, 3)) * [1, 10, 100] + [0, 5, 50]
    y = (X[:, 0] > 0).astype(int)
    online = mk.MLPRegressor(random_state=0)
    for chunk in np.array_split(np.arange(300), 3):
        online.partial_fit(X[chunk], y[chunk])
    scaler = online.network_.preprocessor.numeric_scaling()
    assert scaler.n_samples_seen_ == 300
    np.testing.assert_allclose(scaler.mean_, X.mean(axis=0))


def test_the_unscaled_inputs_check_reads_column_spreads_without_copying_the_inputs():
    import tracemalloc

    from mlpkit.training.preparation import column_std

    x = np.random.default_rng(0).normal(size=(200_000, 40)).astype(np.float32)
    x *= np.arange(1, 41, dtype=np.float32)
    tracemalloc.start()
    spread = column_std(x)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    np.testing.assert_allclose(spread, x.std(axis=0, dtype=np.float64), rtol=1e-6)
    assert peak < 0.25 * x.nbytes  # x.std(dtype=float64) makes 2x x's bytes of float64
