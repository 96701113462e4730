"""FileSource: a Parquet or CSV file (or a folder of them) read in chunks, never whole.

The files are found and their schemas checked with :func:`pyarrow.dataset.dataset`; each file
is then read synchronously, only the selected columns, Parquet one row group at a time and CSV
one block at a time, and a thread reads at most ``read_ahead`` chunks ahead of the one in use
(:mod:`mlpkit.data.streaming.reading` says why not pyarrow's own asynchronous scanner), so the
memory held is about ``(read_ahead + 2) · chunk_rows · row bytes`` plus one row group, whatever
the file's size.

The names follow pyarrow's scanner (``columns``, ``batch_readahead``), with
``chunk_rows`` for its ``batch_size`` (``batch_size`` is the training batch's name here).
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from ..._checks import check_integer
from ...exceptions import ConfigError
from .reading import bad_csv_row, file_batches, read_ahead

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".txt": "csv"}


class StreamError(ValueError):
    """A file of a stream cannot be read as asked; the message names the file and the fix."""


class FileSource:
    """A table too large for memory, read chunk by chunk with pyarrow datasets.

    Args:
        path: a ``.parquet``/``.csv`` file or a folder of such files (all one format and one
            schema; the files are read in name order).
        target: the target column(s): a name or a list of names; None for features only.
        columns: the feature columns to read (None: every column but the target and
            ``row_id``).
        row_id: a column naming each row, used by ``mk.data.Holdout(by="hash")``; it is read
            but never a feature.
        chunk_rows: rows per chunk read (pyarrow's ``batch_size``). Defaults to 65,536.
        read_ahead: chunks read ahead of the one in use, by a background thread (0: none).
            Defaults to 1.
        format: "parquet" or "csv"; None infers it from the file names.

    Raises:
        StreamError: the path does not exist, holds no readable file, mixes formats or
            schemas, or lacks a named column.

    Example:
        >>> import pandas as pd, tempfile, os
        >>> folder = tempfile.mkdtemp()
        >>> pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0]}).to_parquet(f"{folder}/t.parquet")
        >>> source = FileSource(f"{folder}/t.parquet", target="y", chunk_rows=2)
        >>> [len(chunk) for chunk in source.chunks()], source.n_rows
        ([2, 1], 3)
    """

    def __init__(
        self,
        path,
        *,
        target=None,
        columns=None,
        row_id=None,
        chunk_rows: int = 65_536,
        read_ahead: int = 1,
        format: str | None = None,
    ) -> None:
        check_integer("chunk_rows", chunk_rows, low=1)
        check_integer("read_ahead", read_ahead, low=0)
        self.path = Path(os.fspath(path))
        self.chunk_rows, self.read_ahead = int(chunk_rows), int(read_ahead)
        self.files = _files(self.path)
        self.format = format or _format(self.path, self.files)
        self.dataset = _open(self.path, self.files, self.format)
        names = list(self.dataset.schema.names)
        self.target = _names("target", target)
        self.row_id = row_id
        if columns is None:  # pandas' saved index is not data
            skip = {*self.target, row_id, *_index_columns(self.dataset.schema)}
            columns = [name for name in names if name not in skip]
        self.columns = _names("columns", columns)
        for argument, wanted in (
            ("columns", self.columns),
            ("target", self.target),
            ("row_id", [] if row_id is None else [row_id]),
        ):
            _require(wanted, names, argument, self.path)
        self._n_rows: int | None = None

    @property
    def read_columns(self) -> list[str]:
        """Every column a chunk holds: features, then target(s), then the row id."""
        extra = [] if self.row_id is None else [self.row_id]
        return [*self.columns, *[t for t in self.target if t not in self.columns], *extra]

    @property
    def n_rows(self) -> int:
        """The rows of the whole source (Parquet metadata; one counting pass for CSV)."""
        if self._n_rows is None:
            self._n_rows = int(self._guard(lambda: self.dataset.count_rows()))
        return self._n_rows

    def chunks(self, columns=None):
        """Yield the source as pandas DataFrames of at most ``chunk_rows`` rows, in file order.

        Args:
            columns: the columns to read (default :attr:`read_columns`).

        Raises:
            StreamError: a file cannot be parsed (a CSV row with the wrong number of fields, a
                value of the wrong type); the message names the file and the row reached.
        """
        columns = self.read_columns if columns is None else list(columns)
        yield from read_ahead(self._frames(columns), self.read_ahead)

    def _frames(self, columns: list[str]):
        schema = self.dataset.schema
        for file in self.files:
            rows = 0
            batches = file_batches(str(file), self.format, columns, self.chunk_rows, schema)
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    break
                except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as error:
                    found = None
                    if self.format == "csv" and not isinstance(error, OSError):
                        found = bad_csv_row(str(file), rows, schema)
                    raise _read_error(file, rows, error, found) from None
                rows += batch.num_rows
                if batch.num_rows:
                    yield batch.to_pandas()

    def _guard(self, read):
        try:
            return read()
        except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as error:
            raise _read_error(self.path, 0, error) from None

    def __repr__(self) -> str:
        return f"FileSource({str(self.path)!r}, target={self.target!r}, format={self.format!r})"


def _index_columns(schema: pa.Schema) -> list[str]:
    """The columns pandas wrote for a DataFrame's index (``__index_level_0__``)."""
    metadata = schema.pandas_metadata or {}
    return [name for name in metadata.get("index_columns", []) if isinstance(name, str)]


def _names(argument: str, value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f"FileSource {argument} must be a column name or a list of names; received "
            f"{argument}={value!r}."
        )
    return list(value)


def _require(wanted: list[str], names: list[str], argument: str, path: Path) -> None:
    missing = [name for name in wanted if name not in names]
    if missing:
        raise StreamError(
            f"FileSource {argument} names column(s) {missing} that {str(path)!r} does not "
            f"have. Its columns: {names}. Check the spelling, or pass {argument}= with "
            f"existing names."
        )


def _files(path: Path) -> list[Path]:
    if not path.exists():
        raise StreamError(
            f"FileSource path {str(path)!r} does not exist. Give a .parquet or .csv file, or "
            f"a folder of them."
        )
    if path.is_file():
        return [path]
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS)
    if not files:
        raise StreamError(
            f"FileSource folder {str(path)!r} holds no .parquet or .csv file. Point it at the "
            f"folder that holds the data files."
        )
    return files


def _format(path: Path, files: list[Path]) -> str:
    kinds = {FORMATS.get(p.suffix.lower()) for p in files}
    if None in kinds:
        raise StreamError(
            f"FileSource cannot tell the format of {str(path)!r} from its name; pass "
            f"format='parquet' or format='csv'."
        )
    if len(kinds) > 1:
        raise StreamError(
            f"FileSource folder {str(path)!r} mixes Parquet and CSV files; keep one format per "
            f"folder (or pass format= and only those files' folder)."
        )
    return kinds.pop()


def _open(path: Path, files: list[Path], format: str) -> ds.Dataset:
    """The dataset over ``files``, every file's schema checked against the first's."""
    parts = []
    for file in files:
        try:
            parts.append(ds.dataset(str(file), format=format))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as error:
            raise _read_error(file, 0, error) from None
    first = parts[0].schema
    for file, part in zip(files[1:], parts[1:]):
        if not part.schema.equals(first):
            raise StreamError(
                f"FileSource folder {str(path)!r} mixes schemas: {str(file)!r} has "
                f"{_describe(part.schema)}, but {str(files[0])!r} has {_describe(first)}. "
                f"Rewrite the files with one schema, or point FileSource at one kind."
            )
    return ds.dataset([str(p) for p in files], format=format, schema=first)


def _describe(schema: pa.Schema) -> str:
    return "columns " + ", ".join(f"{f.name}: {f.type}" for f in schema)


def _read_error(path, rows: int, error: Exception, found: str | None = None) -> StreamError:
    """The error of a file that cannot be read: ``found`` (where a CSV goes wrong, from
    :func:`bad_csv_row`) when known, else pyarrow's words and the rows read before."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if found is not None:
        return StreamError(
            f"FileSource cannot read {str(path)!r}: {found}. Fix that row of the file, or "
            f"remove it."
        )
    where = f" after its first {rows:,} rows" if rows else ""
    return StreamError(
        f"FileSource cannot read {str(path)!r}{where}: {text}. Fix that "
        f"row of the file (a CSV row with the wrong number of fields, or a value of another "
        f"type than the column's), or remove it."
    )


__all__ = ["FORMATS", "FileSource", "StreamError"]
