"""Train/validation/test splits, time-ordered splits and k-fold cross-validation without leakage.

Shuffled and stratified splitting is scikit-learn's (``train_test_split``, ``KFold``,
``StratifiedKFold``, ``TimeSeriesSplit``); this module adds what it lacks: three parts in one
call, a contiguous time-ordered split with a gap, and a cross-validation loop that fits a fresh
preprocessor on each fold's training rows only.

Part sizes: with n rows and fractions (f_train, f_val, f_test), n_val = round(f_val·n),
n_test = round(f_test·n) and n_train = n − n_val − n_test (every part must get a row).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    TimeSeriesSplit,
    train_test_split,
)
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import check_consistent_length

from .. import metrics as metrics_module
from .._checks import check_integer, check_positive
from .._validation import n_rows
from ..exceptions import ConfigError


def train_val_test_split(
    *arrays, fractions=(0.7, 0.15, 0.15), stratify=None, shuffle=True, random_state=None
) -> list:
    """Split arrays into seeded random train, validation and test parts.

    Built on scikit-learn's ``train_test_split``: the test rows are split off first, then the
    validation rows from the rest (both stratified by ``stratify`` if given).

    Args:
        *arrays: arrays, lists or pandas/polars objects with the same number of rows.
        fractions: (train, validation, test), each > 0, summing to 1.
        stratify: class labels (n_samples,) whose proportions every part keeps, or None.
        shuffle: shuffle before splitting (must be True when stratifying).
        random_state: int, RandomState or None, as in scikit-learn.

    Returns:
        [a_train, a_val, a_test, b_train, b_val, b_test, ...]: three parts per array, of the
        input's type.

    Raises:
        ConfigError: bad fractions.
        ValueError: too few rows (or, stratified, too few per class) for three parts.
    """
    n_train, n_val, n_test = _part_sizes(_n_rows(arrays), fractions, "train_val_test_split")
    extra = () if stratify is None else (stratify,)
    split = dict(shuffle=shuffle, random_state=random_state)
    first = train_test_split(*arrays, *extra, test_size=n_test, stratify=stratify, **split)
    rest, test = first[0::2], first[1::2]
    strata = rest[-1] if extra else None
    second = train_test_split(
        *rest[: len(arrays)], train_size=n_train, test_size=n_val, stratify=strata, **split
    )
    train, val = second[0::2], second[1::2]
    return [part for parts in zip(train, val, test) for part in parts]


def time_ordered_split(*arrays, fractions=(0.7, 0.15, 0.15), gap=0) -> list:
    """Split arrays into contiguous train, validation and test periods, in row order.

    No shuffling: train comes first and test is the latest rows, so a model never trains on rows
    later than the ones it is evaluated on. ``gap`` rows are dropped between train and validation
    and between validation and test, so features built over a rolling window (or targets looking
    ``gap`` rows ahead) of one part do not overlap the next. The fractions apply to the n − 2·gap
    rows kept: train = rows [0, n_train), validation starts gap rows later, test ends at row n.

    Args:
        *arrays: arrays, lists or pandas/polars objects with the same number of rows, sorted in
            time order.
        fractions: (train, validation, test), each > 0, summing to 1.
        gap: the number of rows (≥ 0) dropped between consecutive parts.

    Returns:
        [a_train, a_val, a_test, b_train, ...]: three parts per array, of the input's type.

    Raises:
        ConfigError: bad fractions or gap.
        ValueError: too few rows for three parts and the gaps.
    """
    gap = check_integer("gap", gap, low=0, owner="time_ordered_split")
    n = _n_rows(arrays)
    n_train, n_val, n_test = _part_sizes(n - 2 * gap, fractions, "time_ordered_split")
    start_val = n_train + gap
    start_test = start_val + n_val + gap
    parts = (range(0, n_train), range(start_val, start_val + n_val), range(start_test, n))
    return [_safe_indexing(array, np.asarray(rows)) for array in arrays for rows in parts]


def folds(
    n_splits: int = 5,
    *,
    stratified: bool = False,
    shuffle: bool = True,
    random_state=None,
    time_series: bool = False,
):
    """Return a scikit-learn splitter of ``n_splits`` folds.

    Args:
        n_splits: the number of folds, ≥ 2.
        stratified: keep the class proportions in every fold (``StratifiedKFold``).
        shuffle: shuffle the rows before cutting folds (ignored for time series).
        random_state: the seed of the shuffling (only with ``shuffle=True``).
        time_series: expanding-window folds in row order, test always after train
            (``TimeSeriesSplit``); not combinable with ``stratified``.

    Returns:
        ``KFold``, ``StratifiedKFold`` or ``TimeSeriesSplit``.
    """
    n_splits = check_integer("n_splits", n_splits, low=2, owner="folds")
    if time_series:
        if stratified:
            raise ConfigError(
                "folds stratified must be False for time series; received stratified=True "
                "with time_series=True. Time-ordered folds cannot also balance classes."
            )
        return TimeSeriesSplit(n_splits=n_splits)
    splitter = StratifiedKFold if stratified else KFold
    return splitter(n_splits=n_splits, shuffle=shuffle, random_state=random_state)


def cross_validate(
    make_preprocessor: Callable | None,
    make_network: Callable,
    X,
    y,
    *,
    cv=5,
    fit_kwargs: dict | None = None,
    stratified: bool = False,
    random_state=None,
    metrics=(),
) -> dict:
    """Cross-validate a network, fitting a fresh preprocessor inside each fold.

    For each fold, on its training rows only: ``prep = make_preprocessor()``,
    ``X_tr = prep.fit_transform(X_train, y_train)``, ``net = make_network()``,
    ``net.fit(X_tr, y_tr, **fit_kwargs)``; then on its test rows ``X_te = prep.transform(X_test)``
    and ``net.evaluate(X_te, y_te)``. So no statistic of a fold's test rows reaches its
    preprocessor or network. A preprocessor that drops rows says which it keeps with
    ``row_mask(X)`` (as ``mlpkit.data.Preprocessor`` does): it is fitted with
    ``fit_transform(X_train)`` (y is not its to cut) and y is cut to match here.

    Args:
        make_preprocessor: a callable returning a new scikit-learn transformer
            (``fit_transform(X, y)`` and ``transform(X)`` return X), e.g.
            ``mlpkit.data.Preprocessor`` or a ``Pipeline``, or None to pass the rows through.
            A network made with its own ``preprocessor=`` needs none here.
        make_network: a callable returning a new unfitted network with ``fit`` and ``evaluate``.
        X: features, n_samples rows (array, list, pandas or polars).
        y: targets, n_samples rows; the class labels when ``stratified``.
        cv: the number of folds (shuffled ``KFold`` or ``StratifiedKFold``, see :func:`folds`)
            or any scikit-learn splitter.
        fit_kwargs: keyword arguments of ``net.fit`` (loss, epochs, verbose...).
        stratified: stratify the folds by y (only when cv is a number; a splitter object
            passed as cv is given y as its labels).
        random_state: the seed of the fold shuffling (only when cv is a number).
        metrics: more scores of each fold's test rows, as in ``fit(metrics=...)``: names or
            metric objects, e.g. ``[mk.metrics.RegressionAccuracy(k=5)]`` (logged as
            "regression_accuracy"; one of the same name as a default score replaces it). They
            are passed to ``net.evaluate(X_te, y_te, metrics=metrics)``.

    Returns:
        {"scores": [per-fold dict of ``evaluate``], "mean": {name: mean over folds},
        "std": {name: population standard deviation over folds}}.
    """
    check_consistent_length(X, y)
    if isinstance(cv, int) and not isinstance(cv, bool):
        cv = folds(cv, stratified=stratified, random_state=random_state)
    elif not hasattr(cv, "split"):
        raise ConfigError(
            f"cross_validate cv must be a number of folds or a splitter with split(); "
            f"received cv={cv!r}."
        )
    metrics, fit_kwargs = metrics_module.check(metrics), dict(fit_kwargs or {})
    labels = np.asarray(y)  # used by StratifiedKFold, ignored by the other splitters
    scores = [
        _fold_scores(make_preprocessor, make_network, X, y, (train, test), fit_kwargs, metrics)
        for train, test in cv.split(np.zeros((_n_rows((X,)), 1)), labels)
    ]
    names = list(scores[0])
    return {
        "scores": scores,
        "mean": {name: float(np.mean([s[name] for s in scores])) for name in names},
        "std": {name: float(np.std([s[name] for s in scores])) for name in names},
    }


def _fold_scores(make_preprocessor, make_network, X, y, rows, fit_kwargs, metrics) -> dict:
    train, test = rows
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
    if make_preprocessor is not None:
        prep = make_preprocessor()  # fresh per fold: fitted on this fold's training rows only
        # one that says which rows it keeps gets no y: it cannot cut y, it is cut here (a
        # Preprocessor's fit_transform(X, y) refuses to drop rows, as a Pipeline's would)
        given = () if hasattr(prep, "row_mask") else (y_train,)
        X_train, y_train = prep.fit_transform(X_train, *given), _kept(prep, X_train, y_train)
        X_test, y_test = prep.transform(X_test), _kept(prep, X_test, y_test)
    net = make_network()
    net.fit(X_train, y_train, **fit_kwargs)
    found = (
        net.evaluate(X_test, y_test, metrics=metrics) if metrics else net.evaluate(X_test, y_test)
    )
    return {name: float(value) for name, value in found.items()}


def _kept(prep, X, y):
    """y of the rows the preprocessor keeps (all, unless it has a ``row_mask``)."""
    if not hasattr(prep, "row_mask"):
        return y
    return _safe_indexing(y, np.flatnonzero(prep.row_mask(X)))


def _n_rows(arrays: Sequence) -> int:
    if not arrays:
        raise ValueError("At least one array is required to split; received none.")
    check_consistent_length(*arrays)
    return n_rows(arrays[0])


def _part_sizes(n: int, fractions, owner: str) -> tuple[int, int, int]:
    if isinstance(fractions, str | bytes) or len(fractions) != 3:
        raise ConfigError(
            f"{owner} fractions must be 3 numbers (train, validation, test); "
            f"received fractions={fractions!r}."
        )
    for name, value in zip(("train", "validation", "test"), fractions):
        check_positive(f"fractions ({name})", value, owner=owner)
    if not math.isclose(sum(fractions), 1.0, abs_tol=1e-9):
        raise ConfigError(
            f"{owner} fractions must sum to 1; received fractions={tuple(fractions)!r} "
            f"(sum {sum(fractions):g})."
        )
    n_val, n_test = round(fractions[1] * n), round(fractions[2] * n)
    n_train = n - n_val - n_test
    if min(n_train, n_val, n_test) < 1:
        raise ValueError(
            f"{owner} has too few rows ({n} to share) for fractions {tuple(fractions)!r}: the "
            f"parts would have {n_train}, {n_val} and {n_test} rows. Every part needs a row."
        )
    return n_train, n_val, n_test


__all__ = ["cross_validate", "folds", "time_ordered_split", "train_val_test_split"]
