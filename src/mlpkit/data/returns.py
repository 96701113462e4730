"""Equity returns: features and a next-period target from a price series, without look-ahead.

At each time t (a row), the features use only prices at t and before, and the target is the
return over the FUTURE period t → t + h. With p_t the price at t and r_t = log(p_t/p_{t−1}) (or
p_t/p_{t−1} − 1 with ``log=False``):

- ``return_lag{l}`` = r_{t−l+1}: lag 1 is r_t, the latest return known at t; lag 2 is r_{t−1}…
- ``volatility_{w}`` = the sample standard deviation (ddof = 1) of r_{t−w+1}, …, r_t.
- ``ma_gap_{w}`` = p_t / mean(p_{t−w+1}, …, p_t) − 1, the gap to the moving average.
- target ``future_return_{h}`` = log(p_{t+h}/p_t) (or p_{t+h}/p_t − 1).

Rows where a feature or the target is undefined (the first rows, the last h rows) are dropped.
Split the result in time order (:func:`mlpkit.data.splits.time_ordered_split`, with ``gap=h``
so no target period of one part overlaps the next) and never shuffle it before splitting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from .._checks import check_integer
from .._validation import reads_as_number
from ..exceptions import ConfigError


def returns_features(
    prices,
    *,
    lags=(1, 2, 5),
    volatility_windows=(5, 20),
    moving_average_windows=(5, 20),
    horizon: int = 1,
    log: bool = True,
) -> tuple[pd.DataFrame, pd.Series]:
    """Turn a price series into past-only features and the FUTURE return as target.

    See the module docstring for the formulas. The features of row t are built from prices at
    times ≤ t only: changing any later price changes no feature of row t (only its target).

    Args:
        prices: positive prices in time order: a pandas Series (its index, e.g. dates, labels
            the rows) or a 1-D array (rows labelled 0, 1, …).
        lags: the return lags l ≥ 1 (l = 1 is the latest return, r_t).
        volatility_windows: the windows w ≥ 2 (in returns) of the rolling volatility.
        moving_average_windows: the windows w ≥ 2 (in prices) of the moving-average gaps.
        horizon: h ≥ 1, the number of periods of the target return t → t + h.
        log: log returns (default) or simple returns.

    Returns:
        (features, target): a DataFrame with one column per lag and window and a Series named
        ``future_return_{h}``, on the same index (the rows where everything is defined).

    Raises:
        ValueError: a non-positive or non-finite price (naming the first), a non-increasing
            date or numeric index, or too few prices for one complete row.
        ConfigError: bad lags, windows or horizon.

    Example:
        >>> X, y = returns_features([100.0, 110.0, 99.0, 99.0], lags=(1,),
        ...                         volatility_windows=(), moving_average_windows=(2,),
        ...                         log=False)
        >>> X.round(4).to_dict("list"), y.round(4).tolist()
        ({'return_lag1': [0.1, -0.1], 'ma_gap_2': [0.0476, -0.0526]}, [-0.1, 0.0])
    """
    values, index = _check_prices(prices)
    horizon = check_integer("horizon", horizon, low=1, owner="returns_features")
    lags = _check_periods("lags", lags, 1)
    volatility_windows = _check_periods("volatility_windows", volatility_windows, 2)
    moving_average_windows = _check_periods("moving_average_windows", moving_average_windows, 2)
    # the first row with every feature defined: lag l needs r_{t-l+1}, so t >= l; a volatility
    # window w needs r_{t-w+1}, so t >= w; a moving average over w prices needs t >= w - 1
    first = max((*lags, *volatility_windows, *(w - 1 for w in moving_average_windows)), default=0)
    if first == 0:
        raise ConfigError(
            "returns_features needs at least one feature; received lags, volatility_windows "
            "and moving_average_windows all empty."
        )
    if values.size < first + horizon + 1:
        raise ValueError(
            f"returns_features needs at least {first + horizon + 1} prices for these lags, "
            f"windows and horizon; received {values.size}."
        )
    returns = _past_returns(values, log)
    columns = {f"return_lag{lag}": _lagged(returns, lag - 1) for lag in lags}
    columns |= {f"volatility_{w}": _rolling(returns, w, "std") for w in volatility_windows}
    columns |= {
        f"ma_gap_{w}": values / _rolling(values, w, "mean") - 1 for w in moving_average_windows
    }
    features = pd.DataFrame(columns, index=index)
    target = pd.Series(_future_returns(values, horizon, log), index=index)
    target.name = f"future_return_{horizon}"
    rows = slice(first, values.size - horizon)
    return features.iloc[rows], target.iloc[rows]


def _check_prices(prices) -> tuple[np.ndarray, pd.Index]:
    try:
        if isinstance(prices, pd.Series):
            index, values = prices.index, prices.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            index, values = None, np.asarray(prices, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"returns_features prices must be numbers, one price per time; they hold "
            f"{next(v for v in prices if not reads_as_number(v))!r}."
        ) from None
    if values.ndim != 1:
        raise ValueError(
            f"returns_features prices must be 1-D (one price per time); received shape "
            f"{values.shape}. Pass one column, e.g. frame['Adj.Close']."
        )
    bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
    if bad.size:
        first = int(bad[0])
        label = "" if index is None else f" (index {index[first]!r})"
        raise ValueError(
            f"returns_features prices must be finite and positive; the first bad one is at "
            f"position {first}{label}: {float(values[first])!r}."
        )
    if index is None:
        index = pd.RangeIndex(values.size)
    elif _is_ordered_kind(index) and not (index.is_monotonic_increasing and index.is_unique):
        raise ValueError(
            "returns_features prices must be in time order, one per time, but their index is "
            "not strictly increasing. Sort them and drop duplicates first, e.g. "
            "prices[~prices.index.duplicated()].sort_index()."
        )
    return values, index


def _is_ordered_kind(index: pd.Index) -> bool:
    return pd.api.types.is_datetime64_any_dtype(index) or pd.api.types.is_numeric_dtype(index)


def _check_periods(name: str, periods, low: int) -> tuple[int, ...]:
    if isinstance(periods, int | np.integer):
        periods = (periods,)
    return tuple(check_integer(name, p, low=low, owner="returns_features") for p in periods)


def _returns(before: np.ndarray, after: np.ndarray, log: bool) -> np.ndarray:
    ratio = after / before
    return np.log(ratio) if log else ratio - 1


def _past_returns(values: np.ndarray, log: bool) -> np.ndarray:
    """r_t at position t (from p_{t-1} to p_t); NaN at t = 0."""
    out = np.full(values.size, np.nan)
    out[1:] = _returns(values[:-1], values[1:], log)
    return out


def _future_returns(values: np.ndarray, h: int, log: bool) -> np.ndarray:
    """The return from p_t to p_{t+h} at position t; NaN for the last h positions."""
    out = np.full(values.size, np.nan)
    out[:-h] = _returns(values[:-h], values[h:], log)
    return out


def _lagged(x: np.ndarray, k: int) -> np.ndarray:
    """x_{t-k} at position t (NaN for t < k)."""
    out = np.full(x.size, np.nan)
    out[k:] = x[: x.size - k]
    return out


def _rolling(x: np.ndarray, w: int, how: str) -> np.ndarray:
    """The mean or sample std of x_{t-w+1..t} at position t (NaN for t < w - 1).

    Each window is computed on its own values (no running sums), so a value depends on nothing
    outside its window, bit for bit.
    """
    out = np.full(x.size, np.nan)
    windows = sliding_window_view(x, w)
    out[w - 1 :] = windows.std(axis=1, ddof=1) if how == "std" else windows.mean(axis=1)
    return out


__all__ = ["returns_features"]
