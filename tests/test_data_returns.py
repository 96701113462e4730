"""Equity returns: past-only features, a future-return target, and the real S&P 500 crashes."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mlpkit.data.returns import returns_features
from mlpkit.data.splits import time_ordered_split
from mlpkit.exceptions import ConfigError

DATA = Path(__file__).resolve().parent / "data"  # small copies: see data/ATTRIBUTION.md
SMALL = dict(lags=(1, 3), volatility_windows=(4,), moving_average_windows=(3,))


def random_walk(n=120, seed=0):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2001-01-01", periods=n)
    return pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.02, n))), index=dates, name="price")


def test_target_of_row_t_is_the_future_log_return_and_features_the_past_ones():
    prices = random_walk()
    p = prices.to_numpy()
    X, y = returns_features(prices)
    positions = prices.index.get_indexer(X.index)
    assert positions[0] == 20 and positions[-1] == len(p) - 2  # warm-up rows and the last dropped
    np.testing.assert_array_equal(y, np.log(p[positions + 1] / p[positions]))
    np.testing.assert_array_equal(X["return_lag1"], np.log(p[positions] / p[positions - 1]))
    np.testing.assert_array_equal(X["return_lag5"], np.log(p[positions - 4] / p[positions - 5]))
    r = np.log(p[1:] / p[:-1])  # r[i] is the return ending at position i + 1
    for t, row in zip(positions, X.itertuples()):
        assert row.volatility_20 == pytest.approx(np.std(r[t - 20 : t], ddof=1), rel=1e-12)
        assert row.ma_gap_5 == pytest.approx(p[t] / p[t - 4 : t + 1].mean() - 1, rel=1e-12)
    assert list(X.columns) == [
        "return_lag1",
        "return_lag2",
        "return_lag5",
        "volatility_5",
        "volatility_20",
        "ma_gap_5",
        "ma_gap_20",
    ]
    assert y.name == "future_return_1" and X.index.equals(y.index)


def test_horizon_and_simple_returns():
    prices = random_walk(60)
    p = prices.to_numpy()
    X, y = returns_features(prices, **SMALL, horizon=5, log=False)
    positions = prices.index.get_indexer(X.index)
    assert positions[0] == 4 and positions[-1] == len(p) - 6
    np.testing.assert_array_equal(y, p[positions + 5] / p[positions] - 1)
    np.testing.assert_array_equal(X["return_lag1"], p[positions] / p[positions - 1] - 1)
    assert y.name == "future_return_5"


@given(
    prices=hnp.arrays(float, st.integers(12, 60), elements=st.floats(0.01, 1e4)),
    data=st.data(),
)
def test_changing_any_later_price_never_changes_the_features_of_earlier_rows(prices, data):
    t = data.draw(st.integers(0, len(prices) - 2), label="t")
    later = data.draw(hnp.arrays(float, len(prices) - t - 1, elements=st.floats(0.01, 1e4)))
    changed = np.concatenate([prices[: t + 1], later])
    before, _ = returns_features(prices, **SMALL)
    after, _ = returns_features(changed, **SMALL)
    pd.testing.assert_frame_equal(before.loc[:t], after.loc[:t], check_exact=True)


def test_the_three_sp500_crash_days_appear_as_lag_one_returns_on_their_own_dates():
    table = pd.read_csv(DATA / "sp500_daily_1950_2018.csv")
    prices = pd.Series(table["Adj.Close"].to_numpy(), index=pd.to_datetime(table["Date"]))
    X, y = returns_features(prices)
    crashes = X.index[X["return_lag1"].abs() > 0.10].strftime("%Y-%m-%d")
    assert list(crashes) == ["1987-10-19", "2008-10-13", "2008-10-28"]
    # the day before, the crash is still the future: it is the target, not a feature
    assert y["1987-10-16"] == X.loc["1987-10-19", "return_lag1"]
    assert (X.loc[:"1987-10-16", "return_lag1"].abs() < 0.10).all()
    train, val, test, *_ = time_ordered_split(X, y, gap=1)
    assert train.index[-1] < val.index[0] and test.index[-1] == X.index[-1]


@pytest.mark.parametrize("bad", [0.0, -3.0, np.nan, np.inf])
def test_a_non_positive_or_non_finite_price_is_named_by_position(bad):
    prices = random_walk(40)
    prices.iloc[7] = bad
    with pytest.raises(ValueError, match=r"position 7 \(index Timestamp\('2001-01-10"):
        returns_features(prices)
    with pytest.raises(ValueError, match="position 7:"):
        returns_features(prices.to_numpy())


def test_prices_out_of_time_order_are_refused():
    with pytest.raises(ValueError, match="time order"):
        returns_features(random_walk(40).iloc[::-1])


def test_too_few_prices_or_bad_settings_are_refused():
    with pytest.raises(ValueError, match="at least 22 prices"):
        returns_features(random_walk(21))
    with pytest.raises(ConfigError, match="at least one feature"):
        returns_features(random_walk(), lags=(), volatility_windows=(), moving_average_windows=())
    with pytest.raises(ConfigError, match="lags must be a positive integer"):
        returns_features(random_walk(), lags=(0, 1))
    with pytest.raises(ConfigError, match="volatility_windows must be an integer >= 2"):
        returns_features(random_walk(), volatility_windows=(1,))
    with pytest.raises(ConfigError, match="horizon"):
        returns_features(random_walk(), horizon=0)
