"""What a run was made from: the data's fingerprint and the software's versions.

:func:`fingerprint` tells whether two runs saw the same data, :func:`environment` whether the
same software computed them (a different BLAS may change the last digits of every result).
"""

from __future__ import annotations

import functools
import hashlib
import platform

import numpy as np

from .._version import __version__

FINGERPRINT_VERSION = b"mlpkit fingerprint 1\n"


def fingerprint(X, y=None) -> str:
    """The sha256 (hex) of the data: values, dtypes, shapes, and the names of columns.

    ``X`` and ``y`` may be NumPy arrays, anything ``np.asarray`` takes, or tables (pandas or
    polars DataFrames, pandas Series): a table is hashed column by column with each column's
    name and dtype, so renaming a column or changing its type changes the fingerprint, as does
    changing any value. The index of a pandas object is not part of it.

    >>> fingerprint([[1.0, 2.0]], [0]) == fingerprint(np.array([[1.0, 2.0]]), np.array([0]))
    True
    """
    digest = hashlib.sha256(FINGERPRINT_VERSION)
    add_part(digest, "X", X)
    add_part(digest, "y", y)
    return digest.hexdigest()


def add_part(digest, label: str, data) -> None:
    """Feed ``data`` (an array, a table, a Series or None) into ``digest``."""
    if data is None:
        digest.update(f"{label}: none\n".encode())
        return
    columns = getattr(data, "columns", None)
    if columns is not None and hasattr(data, "dtypes"):
        names = list(columns)
        digest.update(f"{label}: table of {len(names)} columns\n".encode())
        for index, name in enumerate(names):
            column = data.iloc[:, index] if hasattr(data, "iloc") else data[name]
            add_column(digest, f"{label}[{name!r}]", column)
    elif hasattr(data, "dtype") and hasattr(data, "name") and not isinstance(data, np.ndarray):
        add_column(digest, f"{label} named {data.name!r}", data)
    else:
        add_array(digest, label, np.asarray(data))


def add_column(digest, label: str, column) -> None:
    """A table column or a Series: its dtype's name (and categories), then its values."""
    digest.update(f"{label} dtype {column.dtype}\n".encode())
    categories = getattr(getattr(column, "cat", None), "categories", None)
    if categories is not None:
        add_array(digest, f"{label} categories", np.asarray(categories))
    add_array(digest, label, np.asarray(column))


def add_array(digest, label: str, array: np.ndarray) -> None:
    """An array's dtype, shape and bytes; an object array's items by type and ``repr``."""
    digest.update(f"{label} {array.dtype.str} {array.shape}\n".encode())
    if array.dtype.kind == "O":
        for item in array.ravel():
            digest.update(f"{type(item).__name__}:{item!r}\x1f".encode())
    else:
        digest.update(np.ascontiguousarray(array).tobytes())


def environment() -> dict:
    """The versions a result depends on: mlpkit, NumPy, Python, the platform, and the BLAS
    libraries NumPy and SciPy run on (from ``threadpoolctl.threadpool_info()``: library, file
    prefix, version, threads, threading layer, CPU architecture)."""
    return {
        "mlpkit": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "blas": [dict(library) for library in blas_libraries()],
    }


@functools.cache
def blas_libraries() -> tuple[dict, ...]:
    """The BLAS libraries loaded in this process (looked up once: it reads the loaded
    shared libraries)."""
    from threadpoolctl import threadpool_info

    keys = ("internal_api", "prefix", "version", "num_threads", "threading_layer", "architecture")
    return tuple(
        {key: info.get(key) for key in keys}
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    )
