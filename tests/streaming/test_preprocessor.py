"""The streaming fit of the Preprocessor learns what the in-memory fit learns."""

import numpy as np
import pandas as pd
import pytest

import mlpkit as mk
from mlpkit.exceptions import ConfigError

from .conftest import network

FEATURES = ["a", "b", "c", "d"]


def raw(n=900, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(5, 2, size=n),
            "colour": rng.choice(["red", "green", "blue"], size=n),
            "grade": rng.choice(["1", "2", "?"], size=n),  # numbers written as text, "?" gaps
            "flag": rng.random(n) > 0.5,
        }
    )
    frame.loc[rng.random(n) < 0.1, "a"] = np.nan
    frame.loc[rng.random(n) < 0.1, "colour"] = None
    frame.loc[0, ["a", "colour", "grade"]] = [1.0, "red", "1"]
    return frame


SETTINGS = [
    dict(missing="mean", missing_columns={"colour": "most_frequent", "flag": "most_frequent"}),
    dict(
        missing="constant",
        fill_value={"colour": "unknown", "a": 1.5, "grade": 0, "b": 0, "flag": "no"},
        add_indicator=True,
    ),
    dict(missing="drop", scaler="minmax"),
    dict(missing="previous", scaler="tanh", add_indicator=True),
    dict(missing="most_frequent", categorical=["colour", "flag", "grade"], max_categories=None),
]


def chunks(frame, size=97):
    return (frame.iloc[start : start + size] for start in range(0, len(frame), size))


@pytest.mark.parametrize("settings", SETTINGS)
def test_streamed_statistics_equal_in_memory(settings):
    frame = raw()
    memory = mk.data.Preprocessor(**settings).fit(frame)
    streamed = mk.data.Preprocessor(**settings).fit_stream(chunks(frame))
    steps_m, steps_s = dict(memory.steps_), dict(streamed.steps_)
    assert list(streamed.get_feature_names_out()) == list(memory.get_feature_names_out())
    assert steps_s["categorical"].report_ == steps_m["categorical"].report_  # exactly
    assert steps_s["missing"].report_.keys() == steps_m["missing"].report_.keys()
    for name, entry in steps_m["missing"].report_.items():
        found = steps_s["missing"].report_[name]
        assert found["missing"] == entry["missing"] and found["strategy"] == entry["strategy"]
        if isinstance(entry["fill"], float):
            assert found["fill"] == pytest.approx(entry["fill"], rel=1e-12, abs=1e-12)
        else:
            assert found["fill"] == entry["fill"]
    assert steps_s["missing"].rows_dropped_ == steps_m["missing"].rows_dropped_
    assert steps_s["clean"].numeric_columns_ == steps_m["clean"].numeric_columns_
    scaler_m, scaler_s = steps_m["scale"], steps_s["scale"]
    for name in ("mean_", "var_", "scale_", "data_min_", "data_max_"):
        if hasattr(scaler_m, name):
            np.testing.assert_allclose(
                getattr(scaler_s, name), getattr(scaler_m, name), rtol=1e-12, atol=1e-12
            )
    assert int(scaler_s.n_samples_seen_) == int(np.max(scaler_m.n_samples_seen_))
    np.testing.assert_allclose(
        streamed.transform(frame), memory.transform(frame), rtol=1e-12, atol=1e-12
    )
    assert streamed.n_rows_in_ == memory.n_rows_in_


def test_category_counts_are_kept():
    frame = raw()
    prep = mk.data.Preprocessor(missing="most_frequent").fit_stream(chunks(frame))
    counts = frame["colour"].value_counts().to_dict()
    assert prep.stream_counts_["colour"] == counts


def test_state_round_trips_through_json():
    prep = mk.data.Preprocessor(
        missing="mean", missing_columns={"colour": "most_frequent", "flag": "most_frequent"}
    )
    prep.fit_stream(chunks(raw()))
    again = mk.data.Preprocessor.from_state(prep.get_state())
    np.testing.assert_array_equal(again.transform(raw()), prep.transform(raw()))


def test_median_is_refused_with_what_to_use():
    with pytest.raises(ConfigError, match="median.*missing='mean'"):
        mk.data.Preprocessor(missing="auto").fit_stream(chunks(raw()))


def test_raise_strategy_names_the_column_and_count():
    frame = raw(80)
    expected = f"'a': {int(frame['a'].isna().sum())} of 80 rows"
    with pytest.raises(ValueError, match=expected):
        mk.data.Preprocessor(
            missing_columns={"colour": "most_frequent", "grade": "mean", "flag": "most_frequent"}
        ).fit_stream(chunks(frame))


def test_chunks_with_other_columns_are_refused():
    frame = raw()
    parts = [frame.iloc[:100], frame.iloc[100:200].drop(columns=["b"])]
    with pytest.raises(ValueError, match="row 100.*same columns"):
        mk.data.Preprocessor(missing="most_frequent").fit_stream(parts)


def test_fit_from_a_csv_file_source(tmp_path):
    frame = raw()
    frame["y"] = (frame["b"] > 5).astype(int)
    path = tmp_path / "raw.csv"
    frame.to_csv(path, index=False)
    source = mk.data.FileSource(path, target="y", chunk_rows=128)
    settings = dict(missing="most_frequent")
    streamed = mk.data.Preprocessor(**settings).fit_stream(
        chunk[source.columns] for chunk in source.chunks()
    )
    memory = mk.data.Preprocessor(**settings).fit(pd.read_csv(path)[source.columns])
    assert (
        dict(streamed.steps_)["categorical"].report_ == dict(memory.steps_)["categorical"].report_
    )
    np.testing.assert_allclose(
        dict(streamed.steps_)["scale"].mean_, dict(memory.steps_)["scale"].mean_, rtol=1e-12
    )


def test_raw_table_with_a_preprocessor_streams(parquet):
    path, frame = parquet
    net = network()
    net.preprocessor = mk.data.Preprocessor()
    source = mk.data.FileSource(path, target="y", columns=[*FEATURES, "colour"], row_id="id")
    holdout = mk.data.Holdout(validation=0.2, by="hash")
    history = net.fit(source, loss="binary_cross_entropy", epochs=2, validation_split=holdout)
    assert net.n_features == 7  # four numbers and three colours
    assert np.isfinite(history.history["val_loss"]).all()
    assert net.predict(frame[[*FEATURES, "colour"]].head()).shape == (5, 1)
