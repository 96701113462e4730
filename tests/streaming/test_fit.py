"""A streamed fit trains on the same batches as an in-memory fit, bit for bit."""

import numpy as np
import pytest

import mlpkit as mk
from mlpkit.training.streamed import StreamedData

from .conftest import network

FEATURES = ["a", "b", "c", "d"]


def fit_memory(frame, order=None, **kwargs):
    X = frame[FEATURES].to_numpy(np.float32)
    y = frame["y"].to_numpy()
    if order is not None:
        X, y = X[order], y[order]
    net = network()
    history = net.fit(X, y, loss="binary_cross_entropy", **kwargs)
    return net, history


def test_file_order_stream_equals_memory_bit_for_bit(parquet):
    path, frame = parquet
    memory, h_memory = fit_memory(frame, epochs=3, batch_size=32, shuffle=False)
    source = mk.data.FileSource(path, target="y", columns=FEATURES, chunk_rows=77)
    streamed = network()
    h_stream = streamed.fit(
        source, loss="binary_cross_entropy", epochs=3, batch_size=32, shuffle=False
    )
    assert np.array_equal(memory.params, streamed.params)
    assert h_memory.history["loss"] == h_stream.history["loss"]


def test_external_shuffle_batches_equal_memory_on_those_rows(parquet, monkeypatch):
    """The rows the external shuffle gives, trained in memory in that order, give the same
    weights: the stream changes where the rows come from, not the training."""
    path, frame = parquet
    seen = []
    batches = StreamedData.batches

    def recording(self, batch, shuffle, rng):
        for rows, X, y, w in batches(self, batch, shuffle, rng):
            seen.append(rows.copy())
            yield rows, X, y, w

    monkeypatch.setattr(StreamedData, "batches", recording)
    source = mk.data.FileSource(path, target="y", columns=FEATURES, chunk_rows=100)
    streamed = network()
    shuffle = mk.data.ExternalShuffle(bucket_rows=300)
    streamed.fit(source, loss="binary_cross_entropy", epochs=1, batch_size=32, shuffle=shuffle)
    order = np.concatenate(seen)
    assert sorted(order.tolist()) == list(range(len(frame)))  # a permutation of every row
    assert not np.array_equal(order, np.arange(len(frame)))
    memory, _ = fit_memory(frame, order=order, epochs=1, batch_size=32, shuffle=False)
    assert np.array_equal(memory.params, streamed.params)


@pytest.mark.parametrize(
    "shuffle", [True, mk.data.ExternalShuffle(bucket_rows=200), mk.data.ShuffleBuffer(rows=100)]
)
def test_same_seed_same_batches(parquet, shuffle):
    path, _ = parquet
    nets = []
    for _ in range(2):
        net = network()
        source = mk.data.FileSource(path, target="y", columns=FEATURES, chunk_rows=128)
        net.fit(source, loss="binary_cross_entropy", epochs=2, batch_size=16, shuffle=shuffle)
        nets.append(net)
    assert np.array_equal(nets[0].params, nets[1].params)


def test_path_and_target_name_with_validation_split(parquet):
    path, _ = parquet
    net = network()
    frame = mk.data.FileSource(path, target="y", columns=FEATURES)
    only_numbers = path.with_name("numbers.parquet")
    import pandas as pd

    pd.read_parquet(path, columns=[*FEATURES, "y"]).to_parquet(only_numbers)
    history = net.fit(
        str(only_numbers),
        "y",
        loss="binary_cross_entropy",
        epochs=2,
        validation_split=0.25,
        metrics=["accuracy"],
    )
    assert frame.n_rows == 1200
    assert set(history.history) >= {"loss", "val_loss", "val_accuracy"}
    assert len(history.history["val_loss"]) == 2


def test_a_streamed_fit_records_its_columns_and_predict_refuses_others(parquet, tmp_path):
    path, frame = parquet
    net = network()
    source = mk.data.FileSource(path, target="y", columns=FEATURES, chunk_rows=300)
    net.fit(source, loss="binary_cross_entropy", epochs=1)
    assert net.input_columns == FEATURES and net.feature_names == FEATURES
    rows = frame[FEATURES].to_numpy(np.float32)
    np.testing.assert_array_equal(net.predict(frame[FEATURES]), net.predict(rows))
    with pytest.raises(ValueError, match="another order: column 0 is 'd'"):
        net.predict(frame[FEATURES[::-1]])
    with pytest.raises(ValueError, match=r"missing \['d'\], not seen in fit \['e'\]"):
        net.predict(frame[FEATURES].rename(columns={"d": "e"}))
    net.save(tmp_path / "streamed.mlpk")
    with pytest.raises(ValueError, match="another order"):
        mk.load(tmp_path / "streamed.mlpk").predict(frame[FEATURES[::-1]])


def test_a_later_streamed_fit_refuses_a_source_whose_columns_differ(parquet):
    path, frame = parquet
    net = network()
    net.fit(mk.data.FileSource(path, target="y", columns=FEATURES), loss="binary_cross_entropy",
            epochs=1)  # fmt: skip
    reordered = mk.data.FileSource(path, target="y", columns=FEATURES[::-1])
    with pytest.raises(ValueError, match="another order: column 0 is 'd'"):
        net.fit(reordered, loss="binary_cross_entropy", epochs=1)
    net.fit(mk.data.FileSource(path, target="y", columns=FEATURES), loss="binary_cross_entropy",
            epochs=1)  # fmt: skip


def test_bucket_files_go_to_a_temporary_folder_that_is_removed(parquet, tmp_path):
    path, _ = parquet
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    before = sorted(p.name for p in path.parent.iterdir())
    source = mk.data.FileSource(path, target="y", columns=FEATURES)
    network().fit(
        source,
        loss="binary_cross_entropy",
        epochs=1,
        shuffle=mk.data.ExternalShuffle(bucket_rows=100, folder=str(scratch)),
    )
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in path.parent.iterdir()) == before


@pytest.mark.parametrize("scaler", ["standard", "minmax"])
def test_streamed_target_scaler_learns_the_in_memory_statistics(parquet, scaler):
    path, frame = parquet
    source = mk.data.FileSource(path, target="a", columns=["b", "c", "d"], chunk_rows=100)
    streamed = mk.Sequential([mk.layers.Dense(1)], random_state=0, target_scaler=scaler)
    streamed.fit(source, loss="mse", epochs=1)
    memory = mk.Sequential([mk.layers.Dense(1)], random_state=0, target_scaler=scaler)
    memory.fit(frame[["b", "c", "d"]].to_numpy(), frame["a"].to_numpy(), loss="mse", epochs=1)
    found, expected = streamed.target.scaler_, memory.target.scaler_
    for name in ("mean_", "scale_", "data_min_", "data_max_"):
        if hasattr(expected, name):
            np.testing.assert_allclose(getattr(found, name), getattr(expected, name), rtol=1e-12)


class _StopAfterSecondEpoch(mk.callbacks.Callback):
    def __init__(self, stop: bool) -> None:
        self.stop = stop

    def on_epoch_end(self, epoch, logs=None):
        if self.stop and epoch == 1:
            raise KeyboardInterrupt


def test_a_killed_streamed_fit_resumes_bit_identical(parquet, tmp_path):
    path, _ = parquet

    def fit(stop, **kwargs):
        net = network()
        source = mk.data.FileSource(path, target="y", columns=FEATURES, chunk_rows=100)
        net.fit(
            source,
            loss="binary_cross_entropy",
            epochs=4,
            callbacks=[_StopAfterSecondEpoch(stop)],
            shuffle=mk.data.ExternalShuffle(bucket_rows=300),
            **kwargs,
        )
        return net

    whole = fit(False)
    with pytest.raises(KeyboardInterrupt):
        fit(True, checkpoint=str(tmp_path / "ck"))
    resumed = fit(False, resume=str(tmp_path / "ck"))
    assert resumed.epochs_trained == 4
    assert np.array_equal(whole.params, resumed.params)
