"""The model-file format, as the rest of mlpkit uses it (see :mod:`mlpkit.persistence`).

``write(path, document, arrays, version=..., key=None)`` and ``read(path, key=None,
check=None)`` (:mod:`mlpkit.persistence.container`), ``write_atomically(path, write_to)``
(:mod:`mlpkit.persistence.atomic`) and :class:`ModelFileError`, the one exception a refused
file raises; and :func:`save`, what every model's ``save`` method is. It imports nothing of
mlpkit outside :mod:`mlpkit.persistence` (and the version), whose container modules import
nothing of the models.
"""

from __future__ import annotations

from ._version import __version__
from .persistence.atomic import write_atomically
from .persistence.container import FORMAT, FORMAT_VERSION, read, write
from .persistence.errors import ModelFileError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ModelFileError",
    "read",
    "save",
    "write",
    "write_atomically",
]


def save(model, path, *, key=None, overwrite: bool = False) -> str:
    """Write ``model`` — anything with ``to_document() -> (document, arrays)``: a network, an
    estimator, an ensemble — to the model file ``path`` atomically; no pickle. ``key`` (bytes
    or str) signs it with HMAC-SHA256. A file already at ``path`` is a FileExistsError unless
    ``overwrite=True``. Returns the path."""
    document, arrays = model.to_document()
    return write(path, document, arrays, version=__version__, key=key, overwrite=overwrite)
