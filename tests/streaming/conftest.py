"""Small generated files for the streaming tests (written in pytest's tmp_path)."""

import numpy as np
import pandas as pd
import pytest


def table(n=1200, seed=0, sort=False):
    """Four numeric features, a text category, a 0/1 label; sorted by label if asked."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["colour"] = rng.choice(["red", "green", "blue"], size=n)
    frame["y"] = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    frame["id"] = [f"row{i}" for i in range(n)]
    if sort:
        frame = frame.sort_values("y", kind="stable").reset_index(drop=True)
    return frame


@pytest.fixture
def parquet(tmp_path):
    frame = table()
    path = tmp_path / "train.parquet"
    frame.to_parquet(path, row_group_size=250)
    return path, frame


@pytest.fixture
def sorted_parquet(tmp_path):
    frame = table(n=4000, sort=True)
    path = tmp_path / "sorted.parquet"
    frame.to_parquet(path, row_group_size=500)
    return path, frame


def network(seed=1):
    import mlpkit as mk

    return mk.Sequential(
        [mk.layers.Dense(8, activation="relu"), mk.layers.Dense(1, activation="sigmoid")],
        random_state=seed,
    )
