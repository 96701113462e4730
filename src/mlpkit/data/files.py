"""Reading a CSV or Parquet file into a DataFrame, every failure a :class:`TableFileError` that
names the file and, where there is one, the line.

pandas alone answers a bad file in its own words ("No columns to parse from file", "Error
tokenizing data. C error: Expected 2 fields in line 3, saw 3", a UnicodeDecodeError naming a
byte position but not the file) and silently renames duplicate column names (``a``, ``a.1``).
Here the file is checked as it is read:

- the path: no NUL byte, an existing file and not a folder;
- the text: UTF-8 (a byte-order mark is stripped), or UTF-16 when the file starts with its
  byte-order mark, or the ``encoding`` passed; a byte that does not decode is named by line
  and the encodings likely meant are suggested;
- the header: no duplicate names; at least one data row below it;
- the rows: as many fields as the header (a ragged row is named by its line).
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from pathlib import Path

import pandas as pd

from .cleaning import leading_zeros

PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = ",;\t|"
#: What a file that is not UTF-8 most likely is, in the order suggested.
LIKELY_ENCODINGS = ("cp1252", "latin-1")


class TableFileError(pd.errors.ParserError):
    """A data file cannot be read as a table. A ``ValueError`` (and pandas' ``ParserError``,
    so code catching that still works); ``path`` is the file, ``line`` the 1-based line at
    fault or None."""

    def __init__(self, path, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path, self.line = os.fspath(path), line


class EmptyTableFileError(TableFileError, pd.errors.EmptyDataError):
    """The file holds no columns at all (zero bytes or only blank lines)."""


def read_file(path: Path, *, sep, header, names, encoding) -> pd.DataFrame:
    """The table in ``path`` (CSV, or Parquet by its suffix), checked as the module says."""
    check_path(path)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return _read_parquet(path)
    encoding = encoding or text_encoding(path)
    if sep is None:
        sep = sniff_separator(path, encoding=encoding)
    options = {
        "sep": sep,
        "header": header,
        "names": None if names is None else list(names),
        "encoding": encoding,
        "skipinitialspace": True,  # "39, State-gov" reads as "39" and "State-gov"
    }
    _check_header(path, options)
    text = _read_csv(path, dtype=str, **options)
    # pandas reads "02134" as 2134: columns with leading zeros are read again as text
    codes = {name: str for name in text.columns if leading_zeros(text[name].dropna())}
    frame = _read_csv(path, dtype=codes or None, **options)
    if frame.shape[0] == 0:
        raise TableFileError(
            path,
            f"{_quoted(path)} has a header line (columns {list(map(str, frame.columns))}) but no "
            f"data rows; a table needs at least one row.",
        )
    return frame


def check_path(path: Path) -> None:
    """Refuse a path with a NUL byte, a missing file and a folder, naming the path."""
    if "\x00" in str(path):
        raise TableFileError(
            str(path).replace("\x00", "\\x00"),
            f"read_table path {str(path)!r} contains a NUL byte (\\x00), which no file name can "
            f"hold. Check how the path was built.",
        )
    if not path.exists():
        raise FileNotFoundError(
            f"read_table found no file at {str(path)!r} (resolved: {str(path.resolve())!r}). "
            f"Check the path and the working directory."
        )
    if path.is_dir():
        raise TableFileError(
            path, f"read_table path {str(path)!r} is a folder; pass the CSV or Parquet file in it."
        )


def text_encoding(path: Path) -> str:
    """ "utf-16" for a file that starts with a UTF-16 byte-order mark, else "utf-8-sig" (UTF-8,
    a byte-order mark stripped, so the first column is "UDI" and not "\\ufeffUDI")."""
    with open(path, "rb") as handle:
        start = handle.read(2)
    return "utf-16" if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"


def sniff_separator(path: str | os.PathLike, n_lines: int = 20, *, encoding=None) -> str:
    """Guess a CSV file's field separator among ``, ; tab |`` from its first lines.

    Args:
        path: The CSV file.
        n_lines: How many lines to look at.
        encoding: The file's text encoding; None: UTF-8 (or UTF-16 with its byte-order mark).

    Returns:
        The separator; ``","`` when the lines give no clear answer (e.g. a single column).
    """
    encoding = encoding or text_encoding(Path(path))
    try:
        with open(path, encoding=encoding, newline="") as handle:
            sample = "".join(line for _, line in zip(range(n_lines), handle, strict=False))
    except UnicodeDecodeError:
        raise decoding_error(Path(path), encoding) from None
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {delimiter: sample.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def decoding_error(path: Path, encoding: str) -> TableFileError:
    """The error for a file that is not text in ``encoding``: the first line and byte that do
    not decode, and the encodings it likely is."""
    number, byte = _first_bad_line(path, encoding)
    likely = [name for name in LIKELY_ENCODINGS if name != encoding and _decodes(path, name)]
    where = f"line {number} holds the byte {byte!r}, which" if number else "its bytes"
    suggestion = " or ".join(f"encoding={name!r}" for name in likely) or "the file's encoding"
    return TableFileError(
        path,
        f"{_quoted(path)} is not {_encoding_name(encoding)} text: {where} is not valid "
        f"{_encoding_name(encoding)}. Pass read_table(..., {suggestion}) if that is how it was "
        f"saved (cp1252: Windows, Western Europe), or save the file as UTF-8.",
        line=number,
    )


def _first_bad_line(path: Path, encoding: str) -> tuple[int | None, bytes]:
    """The 1-based number of the first line that does not decode, and its first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError as error:
                return number, line[error.start : error.start + 1]
    return None, b""


def _read_csv(path: Path, **options) -> pd.DataFrame:
    try:
        return pd.read_csv(path, **options)
    except UnicodeDecodeError:
        raise decoding_error(path, options["encoding"]) from None
    except pd.errors.EmptyDataError:
        raise EmptyTableFileError(
            path, f"{_quoted(path)} is empty: no header line and no rows."
        ) from None
    except pd.errors.ParserError as error:
        line = _fields_line(str(error))
        raise TableFileError(
            path,
            f"{_quoted(path)} cannot be read as a table: "
            + (
                f"line {line[0]} has {line[2]} fields where the lines before have {line[1]}"
                if line
                else str(error).strip()
            )
            + f" (separator {options['sep']!r}). Fix that line, quote fields that hold the "
            f"separator, or pass sep=.",
            line=line[0] if line else None,
        ) from None


def _check_header(path: Path, options: dict) -> None:
    """Refuse duplicate column names, in the header line or in ``names``, before pandas renames
    them ``a``, ``a.1``."""
    names = options["names"]
    if names is None and options["header"] is not None:
        row = 0 if options["header"] == "infer" else int(options["header"])
        raw = {**options, "header": None, "names": None}
        top = _read_csv(path, **raw, nrows=row + 1, dtype=str)
        names = [] if len(top) <= row else [str(v) for v in top.iloc[row] if not pd.isna(v)]
    duplicates = sorted({name for name in names or [] if list(names).count(name) > 1})
    if duplicates:
        raise TableFileError(
            path,
            f"{_quoted(path)} has duplicate column names {duplicates}; each column needs its "
            f"own name. Rename them in the file, or pass names= (with header=0) to replace them.",
        )


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path, engine="pyarrow")
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        raise TableFileError(
            path, f"{_quoted(path)} is not a readable Parquet file ({error})."
        ) from None
    if frame.shape[0] == 0:
        raise TableFileError(path, f"{_quoted(path)} has no rows; a table needs at least one.")
    return frame


def _decodes(path: Path, encoding: str) -> bool:
    try:
        with open(path, encoding=encoding) as handle:
            while handle.read(1 << 20):
                pass
    except UnicodeDecodeError:
        return False
    return True


def _fields_line(message: str):
    """(line, expected, found) from pandas' "Expected 2 fields in line 3, saw 3", or None."""
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    return None if found is None else (int(found[2]), int(found[1]), int(found[3]))


def _encoding_name(encoding: str) -> str:
    utf8 = encoding.lower().replace("_", "-") in ("utf-8-sig", "utf-8", "utf8")
    return "UTF-8" if utf8 else encoding


def _quoted(path) -> str:
    return f"read_table: {str(path)!r}"
