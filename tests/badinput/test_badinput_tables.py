"""Bad input to mk.data.read_table, the Preprocessor and the transformers is refused in
mlpkit's words: an exception of a clear type whose message names the file, the line, the
column, the parameter or the value at fault.

A row: (case id, call, expected exception, words the message must hold). A call takes the
test's folder (files are written there first).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from refusals import assert_refused

import mlpkit as mk
from mlpkit.data.files import TableFileError

data = mk.data


def refused(call, folder, exception, words) -> None:
    assert_refused(lambda: call(folder), exception, words, quiet=True)


def file(name: str, content: bytes | str, **options):
    """A call that writes ``content`` to ``folder/name`` and reads it with read_table."""

    def call(folder: Path):
        path = folder / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return data.read_table(path, **options)

    return call


def table(source, **options):
    return lambda folder: data.read_table(source, **options)


FRAME = pd.DataFrame({"age": [30.0, 41.0, np.nan, 52.0], "city": ["Oslo", "Rome", "Oslo", None]})
ARRAY = np.arange(12.0).reshape(4, 3)

FILES = [
    ("empty file", file("e.csv", ""), TableFileError, ["e.csv", "empty"]),
    ("blank lines only", file("b.csv", "\n\n\n"), TableFileError, ["b.csv", "empty"]),
    ("header only", file("h.csv", "a,b,c\n"), TableFileError, ["h.csv", "no data rows", "'a'"]),
    (
        "header only with a target",
        file("h.csv", "a,b,y\n", target="y"),
        TableFileError,
        ["h.csv", "no data rows"],
    ),
    (
        "header only, semicolons",
        file("h.csv", "a;b;c\n"),
        TableFileError,
        ["h.csv", "no data rows"],
    ),
    (
        "latin-1 text",
        file("l.csv", "name,n\ncaf\xe9,1\n".encode("latin-1")),
        TableFileError,
        ["l.csv", "not utf-8", "line 2", "encoding='cp1252'"],
    ),
    (
        "latin-1 in the header",
        file("l.csv", "caf\xe9,n\nx,1\n".encode("latin-1")),
        TableFileError,
        ["l.csv", "line 1", "encoding="],
    ),
    (
        "binary bytes",
        file("bin.csv", bytes(range(128, 256)) * 4),
        TableFileError,
        ["bin.csv", "not utf-8"],
    ),
    (
        "a declared encoding that is wrong",
        file("u.csv", "a,b\n\u20ac,1\n".encode("utf-16"), encoding="ascii"),
        TableFileError,
        ["u.csv", "ascii"],
    ),
    (
        "unknown encoding",
        file("ok.csv", "a,b\n1,2\n", encoding="klingon"),
        ValueError,
        ["encoding", "klingon"],
    ),
    (
        "ragged line",
        file("r.csv", "a,b\n1,2\n1,2,3\n"),
        TableFileError,
        ["r.csv", "line 3", "3 fields", "2"],
    ),
    (
        "ragged line far down",
        file("r.csv", "a,b\n" + "1,2\n" * 50 + "1,2,3,4\n"),
        TableFileError,
        ["r.csv", "line 52"],
    ),
    (
        "duplicate header names",
        file("d.csv", "a,a,b\n1,2,3\n"),
        TableFileError,
        ["d.csv", "duplicate", "'a'"],
    ),
    (
        "duplicate names given",
        file("d.csv", "1,2,3\n", header=None, names=["x", "y", "x"]),
        TableFileError,
        ["duplicate", "'x'"],
    ),
    (
        "duplicate header with a later header line",
        file("d.csv", "junk,more\nq,q\n1,2\n", header=1),
        TableFileError,
        ["d.csv", "duplicate", "'q'"],
    ),
    (
        "NUL byte in the path",
        lambda folder: data.read_table(str(folder / "a\x00b.csv")),
        TableFileError,
        ["nul", "a\\x00b.csv"],
    ),
    (
        "missing file",
        lambda folder: data.read_table(folder / "nothing.csv"),
        FileNotFoundError,
        ["nothing.csv", "no file"],
    ),
    ("a folder", lambda folder: data.read_table(folder), TableFileError, ["folder", str(Path())]),
    (
        "damaged parquet",
        file("t.parquet", b"PAR1 this is not a parquet file"),
        TableFileError,
        ["t.parquet", "parquet"],
    ),
    (
        "parquet of no rows",
        lambda folder: (
            FRAME.iloc[:0].to_parquet(folder / "z.parquet"),
            data.read_table(folder / "z.parquet"),
        ),
        TableFileError,
        ["z.parquet", "no rows"],
    ),
    (
        "target not in the file",
        file("t.csv", "a,b\n1,2\n", target="y"),
        ValueError,
        ["target", "'y'", "available columns", "'a'"],
    ),
]

SOURCES = [
    ("source a number", table(42), TypeError, ["source", "int"]),
    ("source a list", table([[1, 2]]), TypeError, ["source", "list"]),
    ("source None", table(None), TypeError, ["source", "nonetype"]),
    ("source a dict", table({"a": [1]}), TypeError, ["source", "dict"]),
    ("1-D array", table(np.arange(4.0)), ValueError, ["2-d", "(4,)"]),
    ("3-D array", table(np.zeros((2, 2, 2))), ValueError, ["2-d", "(2, 2, 2)"]),
    ("array target out of range", table(ARRAY, target=5), ValueError, ["target=5", "3 columns"]),
    ("array target a name", table(ARRAY, target="y"), ValueError, ["target", "'y'", "index"]),
    (
        "array feature names too few",
        table(ARRAY, target=-1, features=["a"]),
        ValueError,
        ["features", "1 names", "2 feature columns"],
    ),
    (
        "frame target unknown",
        table(FRAME, target="town"),
        ValueError,
        ["'town'", "available columns", "'city'"],
    ),
    (
        "frame feature unknown",
        table(FRAME, features=["age", "agee"]),
        ValueError,
        ["'agee'", "available columns"],
    ),
    (
        "features a string",
        table(FRAME, features="age"),
        TypeError,
        ["features", "'age'", "['age']"],
    ),
    (
        "features listed twice",
        table(FRAME, features=["age", "age"]),
        ValueError,
        ["features", "'age'", "more than once"],
    ),
    (
        "target among features",
        table(FRAME, target="age", features=["age", "city"]),
        ValueError,
        ["target", "'age'", "features"],
    ),
    (
        "duplicate frame columns",
        table(pd.DataFrame([[1, 2]], columns=["a", "a"])),
        ValueError,
        ["duplicate", "'a'"],
    ),
    ("target a float", table(FRAME, target=1.5), TypeError, ["target", "1.5"]),
    ("target a list", table(FRAME, target=["age"]), TypeError, ["target", "['age']"]),
    ("sep empty", table(FRAME, sep=""), TypeError, ["sep", "''"]),
    ("sep a number", table(FRAME, sep=1), TypeError, ["sep", "1"]),
    ("header negative", table(FRAME, header=-1), TypeError, ["header", "-1"]),
    ("header a word", table(FRAME, header="yes"), TypeError, ["header", "'yes'"]),
    ("names a string", table(FRAME, names="abc"), TypeError, ["names", "'abc'"]),
    (
        "missing_tokens a string",
        table(FRAME, missing_tokens="NA"),
        TypeError,
        ["missing_tokens", "'NA'"],
    ),
    (
        "missing_tokens numbers",
        table(FRAME, missing_tokens=[1, 2]),
        TypeError,
        ["missing_tokens", "[1, 2]"],
    ),
]


def fit(step, X=FRAME, **kwargs):
    return lambda folder: step.fit(X, **kwargs)


FILLED = FRAME.fillna({"age": 40.0, "city": "Oslo"})
NUMBERS = FILLED[["age"]]

TRANSFORMERS = [
    (
        "Preprocessor missing unknown",
        fit(data.Preprocessor(missing="bogus")),
        ValueError,
        ["missing", "bogus", "median"],
    ),
    (
        "Preprocessor scaler unknown",
        fit(data.Preprocessor(scaler="huge")),
        ValueError,
        ["scaler", "huge"],
    ),
    (
        "Preprocessor tanh_k negative",
        fit(data.Preprocessor(tanh_k=-1)),
        ValueError,
        ["tanh_k", "-1"],
    ),
    (
        "Preprocessor max_categories 0",
        fit(data.Preprocessor(max_categories=0)),
        ValueError,
        ["max_categories", "0"],
    ),
    (
        "Preprocessor missing_tokens a string",
        fit(data.Preprocessor(missing_tokens="NA")),
        ValueError,
        ["missing_tokens", "'na'"],
    ),
    (
        "Preprocessor feature range backwards",
        fit(data.Preprocessor(scaler="minmax", feature_range=(1, 0)), FILLED),
        ValueError,
        ["feature range", "(1, 0)"],
    ),
    (
        "Preprocessor raise on gaps",
        fit(data.Preprocessor()),
        ValueError,
        ["'age'", "'city'", "'raise'", "strategy"],
    ),
    (
        "Preprocessor mean of text",
        fit(data.Preprocessor(missing="mean")),
        ValueError,
        ["'mean'", "'city'", "most_frequent"],
    ),
    (
        "Preprocessor missing_columns unknown",
        fit(data.Preprocessor(missing_columns={"town": "median"}), FILLED),
        ValueError,
        ["'town'", "not a column"],
    ),
    (
        "Preprocessor missing_columns strategy unknown",
        fit(data.Preprocessor(missing_columns={"age": "avg"})),
        ValueError,
        ["'age'", "'avg'"],
    ),
    (
        "Preprocessor categorical unknown",
        fit(data.Preprocessor(categorical=["town"]), FILLED),
        ValueError,
        ["'town'", "not a column"],
    ),
    ("Preprocessor of a number", fit(data.Preprocessor(), 42), ValueError, ["2d", "scalar"]),
    ("Preprocessor of 3-D", fit(data.Preprocessor(), np.zeros((2, 2, 2))), ValueError, ["dim 3"]),
    ("Preprocessor of no rows", fit(data.Preprocessor(), FRAME.iloc[:0]), ValueError, ["0 rows"]),
    (
        "Preprocessor transform before fit",
        lambda folder: data.Preprocessor().transform(FRAME),
        mk.NotFittedError,
        ["not fitted", "fit"],
    ),
    (
        "Preprocessor transform lacking a column",
        lambda folder: data.Preprocessor(missing="auto").fit(FRAME).transform(FRAME[["age"]]),
        ValueError,
        ["city", "missing"],
    ),
    (
        "Preprocessor transform text in a number column",
        lambda folder: (
            data.Preprocessor(missing="auto")
            .fit(FRAME)
            .transform(FRAME.assign(age=["x", "1", "2", "3"]))
        ),
        ValueError,
        ["'age'", "'x'"],
    ),
    (
        "Preprocessor drop with y",
        lambda folder: data.Preprocessor(missing="drop").fit_transform(FRAME, [1, 2, 3, 4]),
        ValueError,
        ["drop", "y", "row_mask"],
    ),
    (
        "Preprocessor text sample_weight",
        fit(data.Preprocessor(missing="auto"), sample_weight=["w"] * 4),
        TypeError,
        ["sample_weight", "'w'"],
    ),
    (
        "Preprocessor from a foreign state",
        lambda folder: data.Preprocessor.from_state({"x": 1}),
        ValueError,
        ["state", "steps"],
    ),
    (
        "Preprocessor check_params",
        lambda folder: data.Preprocessor(missing="bogus").check_params(),
        mk.ConfigError,
        ["missing", "bogus"],
    ),
    (
        "MissingValues strategy unknown",
        fit(data.MissingValues(strategy="bogus")),
        ValueError,
        ["strategy", "bogus"],
    ),
    (
        "MissingValues mean of text",
        fit(data.MissingValues(strategy="mean")),
        ValueError,
        ["'city'", "'mean'"],
    ),
    (
        "MissingValues raise on gaps",
        fit(data.MissingValues(strategy="raise")),
        ValueError,
        ["'age'", "'city'"],
    ),
    (
        "MissingValues transform other columns",
        lambda folder: (
            data.MissingValues(strategy="median").fit(NUMBERS).transform(pd.DataFrame({"x": [1.0]}))
        ),
        ValueError,
        ["age", "x"],
    ),
    (
        "Categorical unknown column",
        fit(data.Categorical(columns=["town"]), FILLED),
        ValueError,
        ["'town'", "not a column"],
    ),
    (
        "Categorical max_categories 0",
        fit(data.Categorical(max_categories=0), FILLED),
        ValueError,
        ["max_categories", "0"],
    ),
    ("TanhScaler k negative", fit(data.TanhScaler(k=-1), NUMBERS), mk.ConfigError, ["k", "-1"]),
    (
        "TanhScaler of text",
        fit(data.TanhScaler(), FILLED),
        ValueError,
        ["'city'", "not numeric", "'oslo'"],
    ),
    ("TanhScaler of gaps", fit(data.TanhScaler(), FRAME[["age"]]), ValueError, ["nan"]),
    (
        "TextCleaner missing_tokens a string",
        fit(data.TextCleaner(missing_tokens="NA")),
        mk.ConfigError,
        ["missing_tokens", "'NA'"],
    ),
    (
        "TextCleaner numbers then text",
        lambda folder: (
            data.TextCleaner()
            .fit(pd.DataFrame({"n": ["1", "2"]}))
            .transform(pd.DataFrame({"n": ["3", "many"]}))
        ),
        ValueError,
        ["'n'", "'many'"],
    ),
    (
        "make_scaler unknown",
        lambda folder: data.make_scaler("huge"),
        mk.ConfigError,
        ["'huge'", "standard"],
    ),
    (
        "scaler_from_state of another thing",
        lambda folder: data.scaler_from_state({"kind": "nope"}),
        ValueError,
        ["scaler_from_state", "params", "fitted"],
    ),
    (
        "scaler_from_state unknown kind",
        lambda folder: data.scaler_from_state({"kind": "nope", "params": {}, "fitted": {}}),
        ValueError,
        ["kind='nope'", "standard"],
    ),
    (
        "returns_features of text",
        lambda folder: data.returns_features(pd.Series(["a", "b"])),
        TypeError,
        ["prices", "'a'"],
    ),
    (
        "returns_features too short",
        lambda folder: data.returns_features(pd.Series([1.0, 2.0])),
        ValueError,
        ["22 prices", "2"],
    ),
    (
        "returns_features of a table",
        lambda folder: data.returns_features(np.ones((30, 2))),
        ValueError,
        ["1-d", "(30, 2)"],
    ),
]

CASES = FILES + SOURCES + TRANSFORMERS


@pytest.mark.parametrize(
    "call, exception, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_tables_are_refused_in_our_words(tmp_path, call, exception, words):
    refused(call, tmp_path, exception, words)


def test_table_file_errors_say_where_and_still_are_what_pandas_callers_catch(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("a,b\n1,2\n1,2,3\n")
    with pytest.raises(pd.errors.ParserError) as caught:
        data.read_table(path)
    assert isinstance(caught.value, ValueError)
    assert (caught.value.path, caught.value.line) == (str(path), 3)
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(pd.errors.EmptyDataError):
        data.read_table(tmp_path / "e.csv")


def test_utf16_with_its_byte_order_mark_and_a_given_encoding_are_read(tmp_path):
    (tmp_path / "u.csv").write_bytes(codecs.BOM_UTF16_LE + "a,b\ncafé,1\n".encode("utf-16-le"))
    assert data.read_table(tmp_path / "u.csv").X["a"].tolist() == ["café"]
    (tmp_path / "l.csv").write_bytes("a,b\ncafé,1\n".encode("latin-1"))
    assert data.read_table(tmp_path / "l.csv", encoding="latin-1").X["a"].tolist() == ["café"]
    (tmp_path / "s.csv").write_bytes("a;b\ncafé;1\n".encode("cp1252"))
    assert data.read_table(tmp_path / "s.csv", encoding="cp1252").X.columns.tolist() == ["a", "b"]


def test_names_that_only_look_renamed_are_kept(tmp_path):
    (tmp_path / "t.csv").write_text("a,a.1\n1,2\n")
    assert data.read_table(tmp_path / "t.csv").feature_names == ["a", "a.1"]
