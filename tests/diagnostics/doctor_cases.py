"""Constructed networks and data for the doctor's rules: for each rule, a case that triggers
it and the fixed case that does not (tests/diagnostics/test_rules.py)."""

import numpy as np

import mlpkit as mk

Dense = mk.layers.Dense


def blobs(n=400, n_features=8, seed=0):
    """Standardised features and a label that depends on two of them (learnable, balanced)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


def stack(activation, n_layers, width, *, out="sigmoid", seed=0, **dense):
    """``n_layers`` Dense layers: ``n_layers - 1`` hidden ones of ``width`` units, then one
    ``out`` unit."""
    hidden = [Dense(width, activation=activation, **dense) for _ in range(n_layers - 1)]
    return mk.Sequential([*hidden, Dense(1, activation=out)], random_state=seed)


def big_normal(stddev):
    return mk.initializers.RandomNormal(stddev=stddev)


def imbalanced(n=600, seed=0, signal=True):
    """5% positives; with ``signal`` the label is x0 > 1.645, otherwise pure noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    if signal:
        return X, (X[:, 0] > 1.645).astype(int)
    return X, (rng.random(n) < 0.05).astype(int)


def small_noisy(n=40, n_features=10, seed=0):
    """Few rows, random labels: a big network can only memorise them."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_features)), rng.integers(0, 2, n)
