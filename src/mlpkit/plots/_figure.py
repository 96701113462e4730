"""Shared figure plumbing: a new pyplot-free figure, saving by suffix, the title.

Every plot function takes ``path`` (None: nothing is written) and ``overwrite``: a picture is
written atomically to a PNG or SVG file, and a file already at ``path`` is a FileExistsError
unless ``overwrite=True``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..persistence.atomic import write_atomically

#: Width and height in inches of a single-panel picture: readable on a laptop screen.
SIZE = (6.4, 4.0)
#: Resolution of saved PNG files (6.4 × 4 in → 704 × 440 pixels).
PNG_DPI = 110
_FORMATS = {".png": "png", ".svg": "svg"}


def new_figure(size: tuple[float, float] = SIZE) -> Figure:
    """A figure that no pyplot state knows about; savefig picks Agg (PNG) or SVG by format."""
    return Figure(figsize=size, layout="constrained")


def save(figure: Figure, path, overwrite: bool = False) -> Figure:
    """Save ``figure`` to ``path`` atomically: PNG (110 dpi) or SVG by the suffix; return the
    figure.

    Raises:
        ValueError: when the suffix is neither ``.png`` nor ``.svg``.
        FileExistsError: a file is at ``path`` and ``overwrite`` is False.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"plots save PNG or SVG files; got path={str(path)!r}. "
            f"End the file name with '.png' or '.svg'."
        )
    dpi = PNG_DPI if fmt == "png" else 72
    write_atomically(
        str(path),
        lambda stream: figure.savefig(stream, format=fmt, dpi=dpi, metadata=_no_date(fmt)),
        overwrite=overwrite,
    )
    return figure


def finish(figure: Figure, title: str | None, default: str, path, overwrite: bool) -> Figure:
    """Give the figure its title (``title`` or the default) and save it when a path is given."""
    figure.suptitle(default if title is None else title)
    return figure if path is None else save(figure, path, overwrite)


def _no_date(fmt: str) -> dict:
    """Leave the creation date out of SVG files so that the same picture gives the same file."""
    return {"Date": None} if fmt == "svg" else {}


def grid_shape(n_panels: int, max_columns: int) -> tuple[int, int]:
    """Rows and columns for ``n_panels`` small panels, at most ``max_columns`` wide."""
    n_columns = min(n_panels, max_columns)
    return -(-n_panels // n_columns), n_columns


def label_text(label) -> str:
    """A class label on a picture: as the user wrote it; ``1.0`` reads as ``1``."""
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return str(int(label))
    return str(label)
