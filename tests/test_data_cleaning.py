"""TextCleaner: missing tokens become NaN and text columns of numbers become numbers."""

import doctest
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from mlpkit.data import cleaning as cleaning_module
from mlpkit.data.cleaning import TextCleaner


def table():
    return pd.DataFrame(
        {
            "n": ["1", " ? ", "3", "NA"],
            "w": ["a", "n/a", "b", "a"],
            "zip": ["02134", "02139", "?", "02134"],
            "x": [1.0, 2.0, 3.0, 4.0],
            "flag": [True, False, True, True],
        }
    )


def test_tokens_become_nan_and_numbers_in_text_become_floats():
    model = TextCleaner(keep_text=["zip"]).fit(table())
    assert model.numeric_columns_ == ["n", "x"] and model.text_columns_ == ["w", "zip"]
    out = model.transform(table())
    assert out["n"].dtype == np.float64 and out["n"].isna().tolist() == [False, True, False, True]
    assert out["w"].isna().tolist() == [False, True, False, False]
    assert out["zip"].tolist()[:2] == ["02134", "02139"] and out["zip"].isna()[2]
    assert out["flag"].tolist() == [True, False, True, True]
    pd.testing.assert_frame_equal(table(), table())  # the input is not modified


def test_a_numeric_column_spelled_as_text_later_is_read_as_numbers():
    model = TextCleaner().fit(pd.DataFrame({"x": [1.0, 2.0]}))
    out = model.transform(pd.DataFrame({"x": ["?", "4"]}))
    assert out["x"].isna()[0] and out["x"][1] == 4.0
    with pytest.raises(ValueError, match=r"'x' held numbers in fit but has text here: \['four'\]"):
        model.transform(pd.DataFrame({"x": ["four", "4"]}))


def test_state_through_json_gives_the_same_transform():
    model = TextCleaner(missing_tokens=("?", "NA", "n/a"), keep_text=["zip"]).fit(table())
    restored = TextCleaner.from_state(json.loads(json.dumps(model.get_state())))
    assert restored.get_params() == model.get_params()
    pd.testing.assert_frame_equal(restored.transform(table()), model.transform(table()))


@parametrize_with_checks([TextCleaner()])
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_docstring_examples_run():
    assert doctest.testmod(cleaning_module).failed == 0


def test_digit_strings_with_leading_zeros_stay_text_and_are_named_identifiers():
    X = pd.DataFrame({"zip": ["02134", "10001", "?"], "n": ["1", "2", "3"]})
    model = TextCleaner().fit(X)
    assert model.text_columns_ == ["zip"] and model.numeric_columns_ == ["n"]
    out = model.transform(X)
    assert out["zip"].tolist()[:2] == ["02134", "10001"] and out["zip"].isna()[2]
    assert "leading zeros" in model.identifier_columns_["zip"]
    restored = TextCleaner.from_state(json.loads(json.dumps(model.get_state())))
    assert restored.identifier_columns_ == model.identifier_columns_


def test_identifier_reasons():
    from mlpkit.data.cleaning import identifier_reason

    assert "codes" in identifier_reason(pd.Series(["M14860", "L47181", "M14862"]))
    assert "distinct" in identifier_reason(pd.Series([f"user{i}x" for i in range(30)]))
    assert "distinct" in identifier_reason(pd.Series([str(10_000 + i) for i in range(30)]))
    assert identifier_reason(pd.Series([f"{i / 7:.5f}" for i in range(30)])) is None
    assert identifier_reason(pd.Series(["red", "blue", "red", "green"] * 10)) is None


def test_distinct_cells_merge_text_only():
    codes, distinct = cleaning_module.distinct_cells(["b", "a", None, "b", "a"])
    assert list(distinct) == ["b", "a"] and codes.tolist() == [0, 1, -1, 0, 1]
    # Python calls 1, 1.0 and True equal; the rules tell them apart, so each cell stays its own
    codes, distinct = cleaning_module.distinct_cells([1, 1.0, True, np.nan])
    assert [type(v) for v in distinct[:3]] == [int, float, bool] and codes.tolist() == [0, 1, 2, -1]


def test_the_rules_of_a_cell_run_once_per_distinct_value(monkeypatch):
    # a fit on a raw table is the cost of every trial of a search on it (once per fold): the
    # per-cell rules run over the few distinct values of a text column, not its 10,000 cells
    seen = []
    fullmatch = cleaning_module._LEADING_ZERO.fullmatch
    monkeypatch.setattr(
        cleaning_module,
        "_LEADING_ZERO",
        type("Pattern", (), {"fullmatch": staticmethod(lambda v: seen.append(v) or fullmatch(v))}),
    )
    column = pd.Series(np.tile(["red", " red", "blue", "?", "3"], 2_000), dtype=object)
    frame = pd.DataFrame({"colour": column})
    cleaner = TextCleaner(missing_tokens=("?",)).fit(frame)
    assert cleaner.text_columns_ == ["colour"]
    assert len(seen) <= 3 * 5  # leading_zeros twice and identifier_reason once, 5 values each
    mask = cleaning_module.token_mask(column.to_numpy(), ["?"])
    assert mask.sum() == 2_000 and mask[3] and not mask[0]
    assert cleaning_module.identifier_reason(column) is None
