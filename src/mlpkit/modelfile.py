"""The model-file format, as the rest of mlpkit uses it (see :mod:`mlpkit.persistence`).

``write(path, document, arrays, version=..., key=None)`` and ``read(path, key=None,
check=None)`` (:mod:`mlpkit.persistence.container`), ``write_atomically(path, write_to)``
(:mod:`mlpkit.persistence.atomic`) and :class:`ModelFileError`, the one exception a refused
file raises. It imports nothing of mlpkit outside :mod:`mlpkit.persistence`, whose container
modules import nothing of the models.
"""

from __future__ import annotations

from .persistence.atomic import write_atomically
from .persistence.container import FORMAT, FORMAT_VERSION, read, write
from .persistence.errors import ModelFileError

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelFileError", "read", "write", "write_atomically"]
