"""Hypothesis fuzzing of mk.data.read_table and mk.data.Preprocessor on generated tables.

The properties:

- a generated CSV file (numbers, missing tokens, text, empty cells, quoted separators, any
  Unicode) is read into a Table of its header's columns and its rows, or refused with a
  ValueError or TypeError of ours that names the file; never an exception of numpy's, pandas'
  or Python's own kinds (UnicodeDecodeError, ParserError, IndexError, KeyError...);
- arbitrary bytes in a .csv file: the same;
- ``Preprocessor(missing="auto")`` on a generated DataFrame gives finite float features, one
  row per input row, the same again from ``transform`` and from its saved state; or refuses
  with a ValueError naming a column.
"""

from __future__ import annotations

import csv
import io
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlpkit as mk

FUZZ = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
OURS = ("builtins", "mlpkit", "sklearn")
FOREIGN = (UnicodeError, KeyError, IndexError, AttributeError, AssertionError)

numbers = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(["inf", "-inf", "1e308", "0.0", "-0", "007"]),
)
tokens = st.sampled_from(["", "?", "NA", "n/a", "null", " ", "NaN"])
words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
    min_size=1,
    max_size=8,
)
cells = st.one_of(numbers, tokens, words)


@st.composite
def csv_texts(draw):
    """A CSV file as text: a header of distinct names, then rows of cells (some ragged)."""
    n_columns = draw(st.integers(1, 5))
    names = draw(st.lists(words, min_size=n_columns, max_size=n_columns, unique=True))
    rows = draw(st.lists(st.lists(cells, min_size=1, max_size=n_columns + 1), max_size=12))
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(rows)
    return buffer.getvalue(), sep


def read_or_refuse(path: Path, **options):
    """read_table's Table, or None after checking the refusal is ours and names the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return mk.data.read_table(path, **options)
    except (ValueError, TypeError) as error:
        assert not isinstance(error, FOREIGN), f"{type(error).__name__}: {error}"
        assert type(error).__module__.split(".")[0] in OURS, type(error).__module__
        assert path.name in str(error), str(error)
        return None


@FUZZ
@given(csv_texts(), st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252"]))
def test_generated_csv_files_are_read_or_refused_naming_the_file(text_and_sep, encoding):
    text, sep = text_and_sep
    try:
        content = text.encode(encoding)
    except UnicodeEncodeError:
        content = text.encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(content)
        table = read_or_refuse(path, sep=sep)
    if table is not None:
        assert table.X.shape[1] == len(table.feature_names)
        assert table.X.columns.tolist() == table.feature_names
        assert len(set(table.feature_names)) == len(table.feature_names)


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_are_read_or_refused_naming_the_file(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bytes.csv"
        path.write_bytes(content)
        read_or_refuse(path)


@st.composite
def frames(draw):
    """A DataFrame of numeric columns (with NaN and ±inf), text columns (with tokens and None)
    and boolean columns, 1 to 15 rows."""
    n_rows = draw(st.integers(1, 15))
    columns = {}
    for index in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["number", "text", "flag"]))
        if kind == "number":
            values = st.one_of(
                st.floats(-1e6, 1e6, allow_nan=False), st.just(np.nan), st.just(np.inf)
            )
        elif kind == "text":
            values = st.one_of(st.sampled_from(["red", "green", "blue", "?", "NA"]), st.none())
        else:
            values = st.booleans()
        columns[f"{kind}{index}"] = draw(st.lists(values, min_size=n_rows, max_size=n_rows))
    return pd.DataFrame(columns)


@FUZZ
@given(frames())
def test_the_auto_preprocessor_gives_finite_features_or_names_a_column(frame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        preprocessor = mk.data.Preprocessor(missing="auto")
        try:
            features = np.asarray(preprocessor.fit_transform(frame), dtype=np.float64)
        except ValueError as error:
            assert type(error).__module__.split(".")[0] in OURS
            assert any(repr(name) in str(error) for name in frame.columns), str(error)
            return
        again = np.asarray(preprocessor.transform(frame), dtype=np.float64)
        restored = mk.data.Preprocessor.from_state(preprocessor.get_state())
        saved = np.asarray(restored.transform(frame), dtype=np.float64)
    assert features.shape[0] == len(frame)
    assert np.isfinite(features).all()
    np.testing.assert_allclose(again, features)
    np.testing.assert_allclose(saved, features)


@pytest.mark.parametrize("missing", ["median", "most_frequent", "zero"])
@FUZZ
@given(frame=frames())
def test_read_table_then_the_preprocessor_on_a_frame_keeps_its_rows(missing, frame):
    """A frame through read_table (tokens and ±inf become NaN) and a filling Preprocessor: one
    finite row per row, or a ValueError naming a column."""
    table = mk.data.read_table(frame)
    assert table.X.shape == frame.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            features = mk.data.Preprocessor(missing=missing).fit_transform(table.X)
        except ValueError as error:
            assert any(repr(name) in str(error) for name in frame.columns), str(error)
            return
    assert np.isfinite(np.asarray(features, dtype=np.float64)).all()
    assert len(features) == len(frame)
