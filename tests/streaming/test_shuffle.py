"""Shuffling that shuffles: the external shuffle balances batches of a sorted file as i.i.d.
batches are balanced; a shuffle buffer does not, and the order check says so."""

import warnings

import numpy as np
import pytest

import mlpkit as mk
from mlpkit.data.streaming.quality import batch_balance, check_shuffle
from mlpkit.data.streaming.shuffle import InOrder
from mlpkit.training.streamed import rebatch

from .conftest import network

BATCH = 32


def label_batches(path, order, seed=0):
    source = mk.data.FileSource(path, target="y", columns=["a"], chunk_rows=256)
    parts = ((chunk["y"].to_numpy(),) for chunk in source.chunks())
    stream = order.apply(parts, source.n_rows, np.random.default_rng(seed))
    return [part[0] for part in rebatch(stream, BATCH)]


def iid_balance(frame, seed=0):
    y = np.random.default_rng(seed).permutation(frame["y"].to_numpy())
    return batch_balance(np.array_split(y, -(-len(y) // BATCH)))


def test_external_shuffle_balances_a_sorted_file_like_iid(sorted_parquet):
    path, frame = sorted_parquet
    external = batch_balance(label_batches(path, mk.data.ExternalShuffle(bucket_rows=500)))
    buffered = batch_balance(label_batches(path, mk.data.ShuffleBuffer(rows=250)))
    in_order = batch_balance(label_batches(path, InOrder()))
    iid = iid_balance(frame)
    assert in_order > 0.49
    assert buffered > 0.35  # the buffer leaves batches nearly as skewed as the file
    assert abs(external - iid) < 0.02, (external, iid)


def test_external_shuffle_is_a_permutation_and_seeded(sorted_parquet):
    path, frame = sorted_parquet
    order = mk.data.ExternalShuffle(bucket_rows=700)
    first = np.concatenate(label_batches(path, order, seed=3))
    again = np.concatenate(label_batches(path, order, seed=3))
    other = np.concatenate(label_batches(path, order, seed=4))
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert np.bincount(first).tolist() == np.bincount(frame["y"]).tolist()


def test_check_fires_on_sorted_not_on_shuffled(sorted_parquet):
    path, _ = sorted_parquet
    assert check_shuffle(label_batches(path, InOrder()), warn=False).ordered
    assert check_shuffle(label_batches(path, mk.data.ShuffleBuffer(rows=250)), warn=False).ordered
    external = check_shuffle(label_batches(path, mk.data.ExternalShuffle(500)), warn=False)
    assert not external.ordered
    with pytest.warns(mk.data.ShuffleWarning, match="autocorrelation"):
        check_shuffle(label_batches(path, InOrder()))


@pytest.mark.parametrize(
    ("shuffle", "warns"), [(False, True), (mk.data.ShuffleBuffer(rows=200), True), (True, False)]
)
def test_fit_warns_once_when_the_stream_is_ordered(sorted_parquet, shuffle, warns):
    path, _ = sorted_parquet
    source = mk.data.FileSource(path, target="y", columns=["a", "b", "c", "d"], chunk_rows=500)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        network().fit(source, loss="binary_cross_entropy", epochs=2, shuffle=shuffle)
    found = [w for w in caught if issubclass(w.category, mk.data.ShuffleWarning)]
    assert len(found) == (1 if warns else 0)


def test_in_memory_fit_has_no_order_check():
    X = np.repeat([[0.0], [1.0]], 200, axis=0)
    y = X[:, 0].astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error", mk.data.ShuffleWarning)
        network().fit(X, y, loss="binary_cross_entropy", shuffle=False)
