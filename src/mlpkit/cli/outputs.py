"""What the commands write: HTML reports, prediction tables, model files.

Each writer checks its path first (:func:`~.conventions.output_path`: the folder exists, and an
existing file is replaced only with ``force``), writes whole or not at all (a temporary file
beside the target, moved over it), and returns the absolute path written.
"""

from __future__ import annotations

from pathlib import Path

from .conventions import FAILURE, USAGE, CommandError, as_bad_data, output_path

#: Table formats of prediction files, by suffix.
TABLE_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def write_report(model, X, y, out, *, force: bool, **kwargs) -> Path:
    """``mk.report(model, X, y, out, **kwargs)``: data the model cannot score is bad data, a
    failed write a failure."""
    from mlpkit.html_report import report

    output_path(out, force=force, what="report")
    try:
        return as_bad_data(
            lambda: report(model, X, y, out, overwrite=force, **kwargs),
            "the data cannot be scored by this model",
        )
    except OSError as error:
        raise CommandError(f"cannot write {str(out)!r}: {error}", FAILURE) from error


def table_format(out) -> str:
    """ "csv" or "parquet", by the suffix of ``out``."""
    suffix = Path(out).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise CommandError(
            f"cannot tell the format of {str(out)!r} from its suffix {suffix or '(none)'!r}; "
            f"name it .csv or .parquet.",
            USAGE,
        )
    return TABLE_SUFFIXES[suffix]


def write_table(frame, out, *, force: bool) -> Path:
    """Write a DataFrame as CSV or Parquet (by the suffix of ``out``), without its index."""
    from mlpkit.modelfile import write_atomically

    kind = table_format(out)
    path = output_path(out, force=force, what="predictions file")

    def write_to(stream):
        if kind == "csv":
            stream.write(frame.to_csv(index=False).encode("utf-8"))
        else:
            frame.to_parquet(stream, index=False)

    try:
        write_atomically(str(path), write_to, overwrite=force)
    except OSError as error:
        raise CommandError(f"cannot write {str(out)!r}: {error}", FAILURE) from error
    return path.resolve()


def save_model(model, out, *, force: bool) -> Path:
    """``model.save(out)`` (replacing a file there only with ``force``)."""
    path = output_path(out, force=force, what="model file")
    try:
        model.save(path, overwrite=force)
    except OSError as error:
        raise CommandError(f"cannot write {str(out)!r}: {error}", FAILURE) from error
    return path.resolve()
