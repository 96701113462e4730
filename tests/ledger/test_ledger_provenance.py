"""fingerprint(X, y) and environment()."""

from __future__ import annotations

import platform

import numpy as np
import pandas as pd
import pytest

from mlpkit import _version
from mlpkit.ledger import environment, fingerprint


@pytest.fixture
def frame():
    return pd.DataFrame(
        {"age": [30, 41, 52], "city": ["Oslo", "Lima", None], "score": [0.5, np.nan, 1.5]}
    )


def test_the_same_data_gives_the_same_fingerprint():
    X = np.arange(12.0).reshape(4, 3)
    assert fingerprint(X, [0, 1, 0, 1]) == fingerprint(X.copy(), np.array([0, 1, 0, 1]))
    assert fingerprint(np.asfortranarray(X)) == fingerprint(X)
    assert len(fingerprint(X)) == 64


def test_any_change_changes_the_fingerprint(frame):
    X = np.arange(12.0).reshape(4, 3)
    changed = X.copy()
    changed[2, 1] += 1e-12
    seen = {
        fingerprint(X),
        fingerprint(changed),
        fingerprint(X.astype(np.float32)),
        fingerprint(X.reshape(3, 4)),
        fingerprint(X, [0, 1, 0, 1]),
        fingerprint(X, [0, 1, 1, 1]),
        fingerprint(X, None),
    }
    assert len(seen) == 6  # X and (X, None) are the same call
    assert fingerprint(X, [1]) != fingerprint([1], X)


def test_tables_are_hashed_with_column_names_and_dtypes(frame):
    base = fingerprint(frame)
    assert fingerprint(frame.copy()) == base
    assert fingerprint(frame.rename(columns={"age": "years"})) != base
    assert fingerprint(frame[["city", "age", "score"]]) != base
    assert fingerprint(frame.astype({"age": "float64"})) != base
    assert fingerprint(frame.assign(city=["Oslo", "Lima", "Rome"])) != base
    assert fingerprint(frame.set_index(pd.Index([7, 8, 9]))) == base  # the index is not data
    numbers = frame[["age"]]
    assert fingerprint(numbers) != fingerprint(numbers.to_numpy())


def test_series_names_and_categories_count():
    y = pd.Series([1, 0, 1], name="target")
    assert fingerprint(None, y) != fingerprint(None, y.rename("label"))
    assert fingerprint(None, y) != fingerprint(None, y.to_numpy())
    cats = pd.Series(pd.Categorical(["a", "b"], categories=["a", "b"]))
    more = pd.Series(pd.Categorical(["a", "b"], categories=["a", "b", "c"]))
    assert fingerprint(cats) != fingerprint(more)


def test_polars_tables_are_hashed_by_column():
    pl = pytest.importorskip("polars")
    table = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert fingerprint(table) == fingerprint(pl.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    assert fingerprint(table) != fingerprint(table.rename({"a": "c"}))


def test_environment_names_the_versions():
    env = environment()
    assert env["mlpkit"] == _version.__version__ and env["numpy"] == np.__version__
    assert env["python"] == platform.python_version()
    assert env["blas"], "threadpoolctl found no BLAS"
    assert {"internal_api", "version", "num_threads"} <= set(env["blas"][0])
    env["numpy"] = "changed"
    assert environment()["numpy"] == np.__version__  # a fresh dict each call
