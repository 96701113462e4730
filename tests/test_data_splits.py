"""Splits: three parts in one call, stratified, time-ordered with gaps, and leak-free k-fold."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit
from sklearn.preprocessing import StandardScaler

import mlpkit as mk
from mlpkit.data.splits import cross_validate, folds, time_ordered_split, train_val_test_split
from mlpkit.exceptions import ConfigError

BAD_FRACTIONS = [(0.7, 0.3, 0.0), (0.5, 0.3, 0.3), (0.8, 0.2), (-0.1, 0.6, 0.5), (0.6, 0.2, "x")]


class RecordingPreprocessor:
    """A scikit-learn-style transformer (the contract of mk.data.Preprocessor) that records the
    rows it sees.

    Rows are identified by the DataFrame index, so a test can check which rows a fold's
    preprocessor was fitted on and which it only transformed.
    """

    def __init__(self):
        self.scaler = StandardScaler()
        self.fitted_rows, self.transformed_rows = None, []

    def fit_transform(self, X, y=None):
        self.fitted_rows = set(X.index)
        return self.scaler.fit_transform(X)

    def transform(self, X):
        self.transformed_rows.append(set(X.index))
        return self.scaler.transform(X)


def recording_factory():
    made = []

    def make():
        made.append(RecordingPreprocessor())
        return made[-1]

    return make, made


def small_network(output=None):
    return lambda: mk.Sequential(
        [mk.layers.Dense(8, activation="relu"), mk.layers.Dense(1, activation=output)],
        random_state=0,
    )


def frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    index = pd.Index(1000 + np.arange(n), name="row")  # labels differ from positions
    X = pd.DataFrame(rng.normal(size=(n, 3)) * [1, 10, 100] + [0, 5, -50], index=index)
    y = pd.Series(X[0] - 0.1 * X[1] + rng.normal(scale=0.1, size=n), index=index)
    return X, y


def test_train_val_test_split_returns_three_disjoint_parts_covering_every_row():
    X, y = np.arange(200).reshape(100, 2), np.arange(100)
    X_tr, X_val, X_te, y_tr, y_val, y_te = train_val_test_split(X, y, random_state=0)
    assert (len(y_tr), len(y_val), len(y_te)) == (70, 15, 15)
    assert sorted(np.concatenate([y_tr, y_val, y_te])) == list(range(100))
    for part_X, part_y in [(X_tr, y_tr), (X_val, y_val), (X_te, y_te)]:
        np.testing.assert_array_equal(part_X[:, 0], 2 * part_y)  # rows stay aligned


def test_train_val_test_split_is_reproducible_with_a_seed_and_keeps_pandas_types():
    X, y = frame()
    first = train_val_test_split(X, y, fractions=(0.5, 0.25, 0.25), random_state=3)
    again = train_val_test_split(X, y, fractions=(0.5, 0.25, 0.25), random_state=3)
    other = train_val_test_split(X, y, fractions=(0.5, 0.25, 0.25), random_state=4)
    assert [list(p.index) for p in first] == [list(p.index) for p in again]
    assert list(first[0].index) != list(other[0].index)
    assert [type(p) for p in first] == [pd.DataFrame] * 3 + [pd.Series] * 3


def test_stratified_split_keeps_class_proportions():
    labels = np.repeat(["a", "b", "c"], [600, 300, 100])
    X = np.arange(1000).reshape(-1, 1)
    parts = train_val_test_split(X, labels, stratify=labels, random_state=0)
    for part, fraction in zip(parts[3:], (0.7, 0.15, 0.15)):
        counts = {c: int((part == c).sum()) for c in "abc"}
        for c, total in zip("abc", (600, 300, 100)):
            assert abs(counts[c] - fraction * total) <= 1, (counts, fraction)


@pytest.mark.parametrize("split", [train_val_test_split, time_ordered_split])
@pytest.mark.parametrize("fractions", BAD_FRACTIONS)
def test_fractions_must_be_three_positive_numbers_summing_to_one(split, fractions):
    with pytest.raises(ConfigError, match="fractions"):
        split(np.arange(100), fractions=fractions)


@pytest.mark.parametrize("split", [train_val_test_split, time_ordered_split])
def test_too_few_rows_for_three_parts_is_an_error(split):
    with pytest.raises(ValueError, match="too few rows"):
        split(np.arange(4), fractions=(0.8, 0.1, 0.1))


@given(
    n=st.integers(20, 300),
    gap=st.integers(0, 5),
    fractions=st.sampled_from([(0.7, 0.15, 0.15), (0.6, 0.2, 0.2), (0.8, 0.1, 0.1), (1 / 3,) * 3]),
)
def test_time_ordered_split_never_puts_a_later_row_before_an_earlier_one(n, gap, fractions):
    train, val, test = time_ordered_split(np.arange(n), fractions=fractions, gap=gap)
    for part in (train, val, test):
        assert np.all(np.diff(part) == 1)  # contiguous, in order
    assert train[0] == 0 and test[-1] == n - 1  # test = the latest rows
    assert val[0] - train[-1] == gap + 1 and test[0] - val[-1] == gap + 1  # exactly gap dropped
    assert len(train) + len(val) + len(test) == n - 2 * gap


def test_time_ordered_split_keeps_a_date_index_in_order():
    dates = pd.date_range("2020-01-01", periods=40, freq="D")
    prices = pd.Series(np.arange(40.0), index=dates)
    train, val, test = time_ordered_split(prices, fractions=(0.5, 0.25, 0.25), gap=2)
    assert train.index.max() < val.index.min() and val.index.max() < test.index.min()
    assert (len(train), len(val), len(test)) == (18, 9, 9) and test.index[-1] == dates[-1]


def test_time_ordered_split_rejects_a_negative_gap():
    with pytest.raises(ConfigError, match="gap"):
        time_ordered_split(np.arange(50), gap=-1)


def test_folds_are_the_sklearn_splitters():
    assert isinstance(folds(4, random_state=0), KFold)
    assert isinstance(folds(stratified=True), StratifiedKFold)
    assert isinstance(folds(3, time_series=True), TimeSeriesSplit)
    assert folds(4, random_state=0).get_n_splits() == 4
    with pytest.raises(ConfigError, match="time series"):
        folds(stratified=True, time_series=True)
    with pytest.raises(ConfigError, match="n_splits"):
        folds(1)


def test_cross_validate_fits_a_fresh_preprocessor_on_each_folds_training_rows_only():
    X, y = frame()
    make, made = recording_factory()
    result = cross_validate(
        make,
        small_network(),
        X,
        y,
        cv=5,
        random_state=0,
        fit_kwargs={"loss": "mse", "epochs": 2, "verbose": 0},
    )
    assert len(made) == 5 and len({id(p) for p in made}) == 5
    test_rows = []
    for prep in made:
        (seen,) = prep.transformed_rows
        assert not prep.fitted_rows & seen  # no test row was ever in the fit
        assert prep.fitted_rows | seen == set(X.index)
        rows = sorted(prep.fitted_rows)
        np.testing.assert_allclose(prep.scaler.mean_, X.loc[rows].mean(), rtol=1e-12)
        test_rows.extend(seen)
    assert sorted(test_rows) == list(X.index)  # every row is tested exactly once
    losses = [fold["loss"] for fold in result["scores"]]
    assert result["mean"]["loss"] == pytest.approx(np.mean(losses))
    assert result["std"]["loss"] == pytest.approx(np.std(losses))


def test_cross_validate_stratifies_folds_by_class():
    X, _ = frame(n=80)
    labels = pd.Series(np.repeat([0, 1], [60, 20]), index=X.index)
    make, made = recording_factory()
    result = cross_validate(
        make,
        small_network("sigmoid"),
        X,
        labels,
        cv=4,
        stratified=True,
        random_state=0,
        fit_kwargs={"loss": "binary_cross_entropy", "epochs": 1, "verbose": 0},
    )
    for prep in made:
        test_labels = labels.loc[sorted(prep.transformed_rows[0])]
        assert np.bincount(test_labels).tolist() == [15, 5]
    assert set(result["mean"]) == {"loss", "accuracy", "auc", "precision", "recall", "f1"}


def test_cross_validate_with_time_series_folds_never_fits_on_later_rows():
    X, y = frame()
    make, made = recording_factory()
    cross_validate(
        make,
        small_network(),
        X,
        y,
        cv=folds(3, time_series=True),
        fit_kwargs={"loss": "mse", "epochs": 1, "verbose": 0},
    )
    for prep in made:
        assert max(prep.fitted_rows) < min(prep.transformed_rows[0])


def test_cross_validate_accepts_plain_arrays_and_no_preprocessor():
    X, y = frame()
    result = cross_validate(
        None,
        small_network(),
        X.to_numpy(),
        y.to_numpy(),
        cv=3,
        random_state=0,
        fit_kwargs={"loss": "mse", "epochs": 1, "verbose": 0},
    )
    assert len(result["scores"]) == 3 and np.isfinite(result["mean"]["loss"])


def test_cross_validate_keeps_y_aligned_with_the_rows_a_preprocessor_drops():
    X, y = frame()
    X = X.rename(columns=str)
    X.iloc[::7, 0] = np.nan
    made = []

    def make():
        made.append(mk.data.Preprocessor(missing="drop"))
        return made[-1]

    result = cross_validate(
        make,
        small_network(),
        X,
        y,
        cv=3,
        random_state=0,
        fit_kwargs={"loss": "mse", "epochs": 1, "verbose": 0},
    )
    assert len(result["scores"]) == 3 and np.isfinite(result["mean"]["loss"])
    assert all(prep.report().startswith("Preprocessor fitted on 40 rows") for prep in made)


def test_cross_validate_scores_regression_accuracy_with_the_users_k():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = X @ np.array([1.0, -1.0])
    nets = []

    def make():
        nets.append(mk.Sequential([mk.layers.Dense(1)], random_state=0))
        return nets[-1]

    fit = {"loss": "mse", "epochs": 2}
    five = mk.metrics.RegressionAccuracy(k=5)
    result = cross_validate(
        None,
        make,
        X,
        y,
        cv=3,
        random_state=0,
        fit_kwargs=fit,
        metrics=["regression_accuracy", five.__class__(k=1, name="ra1")],
    )
    assert {"loss", "mse", "regression_accuracy", "ra1"} <= set(result["mean"])
    folds_ = list(folds(3, random_state=0).split(X))
    for net, (_, test), scores in zip(nets, folds_, result["scores"]):
        predicted = net.predict(X[test]).ravel()
        assert scores["ra1"] == pytest.approx(
            mk.metrics.regression_accuracy(y[test], predicted, k=1)
        )
        assert scores["regression_accuracy"] == pytest.approx(
            mk.metrics.regression_accuracy(y[test], predicted, k=10)
        )
    replaced = cross_validate(
        None, make, X, y, cv=3, random_state=0, fit_kwargs=fit, metrics=[five]
    )
    assert "regression_accuracy" in replaced["mean"]
