"""Every data step writes and reads its state through one implementation (data/state.py)."""

import json

import numpy as np
import pandas as pd
import pytest

from mlpkit.data import Categorical, MissingValues, Preprocessor, TextCleaner
from mlpkit.data.state import StepState

FRAME = pd.DataFrame(
    {"a": [1.0, np.nan, 3.0, 4.0], "n": ["1", "?", "3", "4"], "k": ["x", "y", "x", None]}
)


@pytest.mark.parametrize(
    "step, X",
    [
        (TextCleaner(missing_tokens=None), FRAME),
        (TextCleaner(keep_text=["n"]), FRAME),
        (Categorical(columns=["k"], max_categories=None), FRAME[["a", "k"]].fillna({"k": "z"})),
        (
            MissingValues("previous", columns={1: "mean"}, fill_value={0: 5.0}),
            np.array([[1.0, np.nan], [np.nan, 2.0], [3.0, 4.0]]),
        ),
        (
            Preprocessor(
                missing="auto",
                missing_columns={"a": "median"},
                scaler="minmax",
                feature_range=(-1.0, 1.0),
                missing_tokens=None,
            ),
            FRAME,
        ),
    ],
    ids=lambda value: type(value).__name__,
)
def test_every_step_round_trips_its_parameters_and_state_exactly(step, X):
    step.fit(X)
    document = json.loads(json.dumps(step.get_state()))  # plain JSON, no pickle
    restored = type(step).from_state(document)
    assert isinstance(restored, StepState)
    assert restored.get_params() == step.get_params()  # None stays None, tuples stay tuples
    assert restored.get_state() == step.get_state()
    assert {"params", "input"} <= set(document)
    expected = step.transform(X)
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(restored.transform(X), expected)
    else:
        np.testing.assert_array_equal(restored.transform(X), expected)
