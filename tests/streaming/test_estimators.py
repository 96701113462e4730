"""The estimators' partial_fit loop over a file: one partial_fit per chunk."""

import numpy as np
import pytest

import mlpkit as mk
from mlpkit.exceptions import ConfigError

FEATURES = ["a", "b", "c", "d"]


def test_partial_fit_over_a_source_equals_partial_fit_per_chunk(parquet):
    path, frame = parquet
    source = mk.data.FileSource(path, target="y", columns=FEATURES, chunk_rows=300)
    streamed = mk.MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    streamed.partial_fit(source, None, classes=[0, 1])
    by_hand = mk.MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    sizes = []
    for part in source.chunks():
        sizes.append(len(part))
        by_hand.partial_fit(part[FEATURES], part["y"].to_numpy(), classes=[0, 1])
    assert sizes == [300, 300, 300, 300]
    assert np.array_equal(streamed.network_.params, by_hand.network_.params)
    assert streamed.predict(frame[FEATURES]).shape == (len(frame),)


def test_regressor_takes_a_path_and_its_target_column(parquet):
    path, frame = parquet
    numbers = path.with_name("numbers.parquet")
    frame[FEATURES].to_parquet(numbers, row_group_size=400)
    reg = mk.MLPRegressor(hidden_layer_sizes=(4,), random_state=0)
    reg.partial_fit(str(numbers), "a")
    reg.partial_fit(str(numbers), "a")
    assert reg.n_iter_ == 2  # one epoch per chunk: one 65,536-row chunk, twice
    assert reg.predict(frame[["b", "c", "d"]]).shape == (len(frame),)


def test_fit_on_a_file_says_what_to_use(parquet):
    path, _ = parquet
    with pytest.raises(ConfigError, match="partial_fit"):
        mk.MLPRegressor().fit(mk.data.FileSource(path, target="y", columns=FEATURES), None)
