"""Scalers: exact inverses (property-based), the worked-example formulas, no leakage."""

import json
import math

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.utils.estimator_checks import parametrize_with_checks

from mlpkit.data.scaling import (
    SCALERS,
    Z_MAX,
    MinMaxScaler,
    StandardScaler,
    TanhScaler,
    make_scaler,
    scaler_from_state,
    scaler_state,
)
from mlpkit.exceptions import ConfigError

EPS = np.finfo(np.float64).eps
EXTREME = np.array([[-1e6, 1e6], [1e6, 1e6 + 1e-6], [0.0, 1e6 - 1e-6], [1e-12, 1e6]])
FEATURE_RANGES = [(0, 1), (-1, 1), (-5, 10), (0.2, 0.8)]


@st.composite
def tables(draw):
    """2–20 rows × 1–3 columns; each column = centre in [−1e6, 1e6] + spread (1e-6 … 1e6) · u."""
    n_rows, n_columns = draw(st.integers(2, 20)), draw(st.integers(1, 3))
    centres = draw(hnp.arrays(float, n_columns, elements=st.floats(-1e6, 1e6)))
    spreads = draw(
        hnp.arrays(float, n_columns, elements=st.sampled_from([1e-6, 1e-3, 1, 1e3, 1e6]))
    )
    unit = draw(hnp.arrays(float, (n_rows, n_columns), elements=st.floats(-1, 1)))
    return centres + spreads * unit


def assert_round_trip(x, back, atol=0.0):
    """|back − x| ≤ 1e-6·|x| + 1e-12·(largest |x| of the column) + atol."""
    floor = 1e-12 * np.abs(x).max(axis=0)
    error = np.abs(back - x)
    assert np.all(error <= 1e-6 * np.abs(x) + floor + atol), error.max()


@settings(max_examples=60)
@given(tables())
@example(EXTREME)
def test_standard_scaler_inverse_undoes_transform(x):
    scaler = StandardScaler().fit(x)
    assert_round_trip(x, scaler.inverse_transform(scaler.transform(x)))


@settings(max_examples=60)
@given(tables(), st.sampled_from(FEATURE_RANGES))
@example(EXTREME, (0, 1))
@example(EXTREME, (-5, 10))
def test_minmax_scaler_inverse_undoes_transform_for_any_feature_range(x, feature_range):
    scaler = MinMaxScaler(feature_range=feature_range).fit(x)
    # a constant column maps to a, and a − min·scale loses what lies below eps·|a|: the
    # round trip is exact only to about eps·(b − a) in absolute terms
    width = feature_range[1] - feature_range[0]
    assert_round_trip(x, scaler.inverse_transform(scaler.transform(x)), atol=4e-16 * width)


@settings(max_examples=60)
@given(tables(), st.floats(0.1, 4.0))
@example(EXTREME, 1.0)
def test_tanh_scaler_inverse_undoes_transform_while_z_stays_below_one(x, k):
    scaler = TanhScaler(k=k).fit(x)
    z = scaler.transform(x)
    assume(np.all(np.abs(z) < 1 - 1e-12))
    # z itself is rounded to ±ε; artanh magnifies that by 1/(1 − z²): no inverse can do better
    conditioning = 4 * EPS * scaler.scale_ / (k * (1 - z**2))
    assert_round_trip(x, scaler.inverse_transform(z), atol=conditioning)


@pytest.mark.parametrize("k", [0.5, 1.0, 3.0])
def test_tanh_scaler_brings_values_beyond_the_clip_back_finite(k):
    scaler = TanhScaler(k=k).fit([[0.0], [1.0], [2.0]])
    far = np.array([[1e6], [-1e6], [1e300], [-1e300]])
    z = scaler.transform(far)
    np.testing.assert_array_equal(z.ravel(), [1, -1, 1, -1])  # rounded: not invertible exactly
    edge = scaler.scale_[0] * math.atanh(Z_MAX) / k
    back = scaler.inverse_transform(z).ravel()
    np.testing.assert_allclose(back, 1 + edge * np.array([1, -1, 1, -1]), rtol=1e-12)
    beyond = scaler.inverse_transform([[1.5], [-7.0]]).ravel()
    np.testing.assert_allclose(beyond, [1 + edge, 1 - edge], rtol=1e-12)
    assert np.isfinite(scaler.inverse_transform(z.astype(np.float32))).all()


def test_worked_example_z_score_formula():
    x = np.array([[1.0], [3.0], [5.0], [7.0]])  # μ = 4, σ = √5
    scaler = StandardScaler().fit(x)
    z = scaler.transform(x)
    np.testing.assert_allclose(z.ravel(), np.array([-3, -1, 1, 3]) / math.sqrt(5), rtol=1e-15)
    np.testing.assert_allclose(scaler.inverse_transform(z), x, rtol=1e-15)


def test_worked_example_min_max_formula():
    x = np.array([[2.0], [4.0], [10.0]])  # min 2, max 10, [a, b] = [−1, 3]: z = −1 + (x − 2)/2
    scaler = MinMaxScaler(feature_range=(-1, 3)).fit(x)
    z = scaler.transform(x)
    np.testing.assert_array_equal(z.ravel(), [-1.0, 0.0, 3.0])
    np.testing.assert_array_equal(scaler.inverse_transform([[0.5]]), [[5.0]])


def test_worked_example_tanh_formula():
    x = np.array([[2.0], [4.0], [6.0], [8.0]])  # μ = 5, σ = √5
    scaler = TanhScaler(k=0.5).fit(x)
    expected = [math.tanh(0.5 * (v - 5) / math.sqrt(5)) for v in x.ravel()]
    z = scaler.transform(x)
    np.testing.assert_allclose(z.ravel(), expected, rtol=1e-15)
    np.testing.assert_allclose(
        scaler.inverse_transform([[0.25]]).ravel(),
        [5 + math.sqrt(5) * math.atanh(0.25) / 0.5],
        rtol=1e-15,
    )
    np.testing.assert_allclose(scaler.inverse_transform(z), x, rtol=1e-14)


@pytest.mark.parametrize("name", sorted(SCALERS))
def test_scalers_learn_statistics_from_the_training_rows_only(name):
    rng = np.random.default_rng(0)
    train, test = rng.normal(3, 2, size=(50, 3)), rng.normal(-40, 9, size=(20, 3))
    scaler = make_scaler(name).fit(train)
    other = make_scaler(name).fit(train)
    if name == "minmax":
        np.testing.assert_array_equal(scaler.data_min_, train.min(axis=0))
        np.testing.assert_array_equal(scaler.data_max_, train.max(axis=0))
    else:
        np.testing.assert_allclose(scaler.mean_, train.mean(axis=0), rtol=1e-14)
        np.testing.assert_allclose(scaler.scale_, train.std(axis=0), rtol=1e-14)
    # the test rows never enter: transforming other test rows gives the same, train-based, map
    np.testing.assert_array_equal(scaler.transform(test), other.transform(test))
    changed = test * 100 + 7
    np.testing.assert_array_equal(scaler.transform(changed), other.transform(changed))
    if name == "standard":
        np.testing.assert_allclose(
            scaler.transform(test), (test - train.mean(0)) / train.std(0), rtol=1e-12
        )


def test_tanh_scaler_gives_constant_columns_unit_scale_and_keeps_float32_and_names():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1.0, 2.0, 4.0], "flat": [0.1, 0.1, 0.1]}, dtype=np.float32)
    scaler = TanhScaler().fit(frame)
    assert scaler.scale_[1] == 1.0
    assert scaler.transform(frame).dtype == np.float32
    assert list(scaler.get_feature_names_out()) == ["a", "flat"]


@pytest.mark.parametrize("k", [0, -1.0, float("nan"), "1"])
def test_tanh_scaler_refuses_a_non_positive_slope(k):
    with pytest.raises(ConfigError, match="TanhScaler k must be a positive number"):
        TanhScaler(k=k).fit([[0.0], [1.0]])


@parametrize_with_checks([TanhScaler(), TanhScaler(k=0.25)])
def test_tanh_scaler_follows_the_sklearn_contract(estimator, check):
    check(estimator)


def test_make_scaler_builds_a_new_scaler_from_its_name():
    first, second = make_scaler("standard"), make_scaler("standard")
    assert isinstance(first, StandardScaler) and first is not second
    assert make_scaler("minmax", feature_range=(-1, 1)).feature_range == (-1, 1)
    assert make_scaler("tanh", k=2.0).k == 2.0


def test_make_scaler_passes_none_and_objects_through():
    scaler = TanhScaler(k=3.0)
    assert make_scaler(None) is None
    assert make_scaler(scaler) is scaler
    with pytest.raises(ConfigError, match="keyword arguments apply only to a scaler name"):
        make_scaler(scaler, k=1.0)


def test_make_scaler_rejects_an_unknown_name_and_lists_the_known_ones():
    with pytest.raises(ConfigError, match="'standard', 'minmax', 'tanh'.*name='robust'"):
        make_scaler("robust")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "scaler", [StandardScaler(), MinMaxScaler(feature_range=(-1, 2)), TanhScaler(k=0.5)]
)
def test_scaler_state_through_json_gives_the_same_scaler_that_keeps_learning(scaler, dtype):
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(30, 3)).astype(dtype)
    original = scaler.fit(X[:10])
    restored = scaler_from_state(json.loads(json.dumps(scaler_state(original))))
    assert type(restored) is type(original) and restored.get_params() == original.get_params()
    np.testing.assert_array_equal(restored.transform(X), original.transform(X))
    np.testing.assert_array_equal(restored.inverse_transform(X), original.inverse_transform(X))
    original.partial_fit(X[10:])
    restored.partial_fit(X[10:])
    np.testing.assert_array_equal(restored.transform(X), original.transform(X))


def test_scaler_state_keeps_feature_names_and_passes_none_through():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 5.0]})
    document = scaler_state(StandardScaler().fit(frame))
    assert document["kind"] == "standard" and document["fitted"]["mean_"] == [1.5, 4.0]
    assert list(scaler_from_state(document).feature_names_in_) == ["a", "b"]
    assert scaler_state(None) is None and scaler_from_state(None) is None
    with pytest.raises(TypeError, match="StandardScaler, MinMaxScaler or TanhScaler"):
        scaler_state(object())


def test_tanh_scaler_partial_fit_streams_the_statistics_of_standard_scaler():
    X = np.random.default_rng(1).normal(5.0, 3.0, size=(40, 2))
    streamed = TanhScaler(k=2.0)
    for batch in np.array_split(X, 4):
        streamed.partial_fit(batch)
    whole = StandardScaler().fit(X)
    assert streamed.n_samples_seen_ == 40
    np.testing.assert_allclose(streamed.mean_, whole.mean_, rtol=1e-12)
    np.testing.assert_allclose(streamed.scale_, whole.scale_, rtol=1e-12)
    np.testing.assert_allclose(streamed.transform(X), np.tanh(2.0 * whole.transform(X)))
    assert TanhScaler().fit(X[:10]).fit(X).n_samples_seen_ == 40  # fit starts afresh
