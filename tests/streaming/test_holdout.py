"""Validation/test rows are set apart row by row, seeded, before anything is learned."""

import numpy as np
import pandas as pd

import mlpkit as mk
from mlpkit.data.streaming.holdout import TEST, TRAIN, VALIDATION

from .conftest import network


def test_position_rule_does_not_depend_on_chunking():
    rule = mk.data.Holdout(validation=0.2, test=0.1, random_state=5)
    whole = rule.parts(np.arange(10_000))
    pieces = np.concatenate([rule.parts(np.arange(s, s + 333)) for s in range(0, 10_000, 333)])
    assert np.array_equal(whole, pieces[:10_000])
    shares = np.bincount(whole, minlength=3) / 10_000
    assert abs(shares[VALIDATION] - 0.2) < 0.02 and abs(shares[TEST] - 0.1) < 0.02
    other = mk.data.Holdout(validation=0.2, test=0.1, random_state=6).parts(np.arange(10_000))
    assert not np.array_equal(whole, other)


def test_hash_rule_follows_the_row_not_its_place():
    ids = np.array([f"customer-{i}" for i in range(2_000)])
    rule = mk.data.Holdout(validation=0.25, by="hash", random_state=1)
    parts = rule.parts(np.arange(2_000), ids=ids)
    order = np.random.default_rng(0).permutation(2_000)
    moved = rule.parts(np.arange(2_000), ids=ids[order])
    assert np.array_equal(moved, parts[order])


def test_time_rule_holds_out_the_last_rows():
    parts = mk.data.Holdout(validation=0.1, test=0.2, by="time").parts(np.arange(100), n_rows=100)
    assert (parts[:70] == TRAIN).all() and (parts[70:80] == VALIDATION).all()
    assert (parts[80:] == TEST).all()


def test_the_preprocessor_learns_from_the_training_rows_only(parquet):
    path, frame = parquet
    rule = mk.data.Holdout(validation=0.3, by="hash", row_id="id", random_state=2)
    parts = rule.parts(np.arange(len(frame)), ids=frame["id"].to_numpy())
    net = network()
    net.preprocessor = mk.data.Preprocessor()
    source = mk.data.FileSource(path, target="y", columns=["a", "b", "c", "d"], row_id="id")
    net.fit(source, loss="binary_cross_entropy", epochs=1, validation_split=rule)
    train = frame[parts == TRAIN]
    assert net.preprocessor.n_rows_in_ == len(train)
    expected = mk.data.Preprocessor().fit(train[["a", "b", "c", "d"]])
    np.testing.assert_allclose(
        dict(net.preprocessor.steps_)["scale"].mean_,
        dict(expected.steps_)["scale"].mean_,
        rtol=1e-12,
    )
    assert isinstance(train, pd.DataFrame)
