"""The zip archive of a model file, checked before anything is decompressed or allocated.

A member may lie: its central-directory entry declares a size, its ``.npy`` header a dtype and
shape. Before reading any array this module checks, per member, from the directory and the
first bytes of the member only:

- the name ends in ``.npy``, appears once, and the member is stored or deflated, unencrypted;
- a stored member's declared size equals its compressed size; a deflated one expands at most
  :data:`MAX_RATIO` times (float weights barely compress; a larger ratio is a zip bomb);
- the compressed sizes fit in the file;
- the ``.npy`` header (format 1.0 or 2.0) declares a plain dtype (bool, integer, float,
  complex; no objects, no records) and a shape whose bytes, ``prod(shape)·itemsize``, plus the
  header equal the declared size.

So reading every array allocates at most :data:`MAX_RATIO` times the file's size, and only what
the headers declared; the caller checks the headers against the document before reading.
"""

from __future__ import annotations

import math
import os
import struct
import tokenize
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np

from .errors import ModelFileError

#: The largest expansion of a deflated member (mlpkit itself writes stored members).
MAX_RATIO = 64
#: The most members an archive may hold.
MAX_MEMBERS = 4096
#: What ``zipfile`` and numpy raise on a malformed archive, besides BadZipFile.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    zlib.error,
    OverflowError,
    KeyError,
    IndexError,
    TypeError,
    SyntaxError,  # numpy parses an .npy header's dict with ast: a damaged one ...
    tokenize.TokenError,  # ... may not even tokenize
)


@dataclass(frozen=True)
class Member:
    """One array of the archive as its header declares it: ``name`` (without ``.npy``),
    ``dtype``, ``shape``, C or Fortran order, and the zip entry ``info``."""

    name: str
    dtype: np.dtype
    shape: tuple[int, ...]
    fortran_order: bool
    info: zipfile.ZipInfo


def open_archive(path: str) -> zipfile.ZipFile:
    """The zip archive at ``path``; ModelFileError when it is none."""
    try:
        with open(path, "rb") as stream:
            magic = stream.read(6)
        if magic == b"\x93NUMPY":
            raise ModelFileError("it holds a single array (.npy), not an archive.", path=path)
        return zipfile.ZipFile(path)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except ZIP_ERRORS as error:
        raise ModelFileError(
            f"not a readable mlpkit model file (truncated, or not an .npz archive of plain "
            f"arrays): {type(error).__name__}: {error}",
            path=path,
        ) from None


def members(archive: zipfile.ZipFile, file_size: int) -> dict[str, Member]:
    """Every member, checked against the file (see the module docstring), by name."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ModelFileError(f"the archive holds {len(infos)} members; at most {MAX_MEMBERS}.")
    if sum(info.compress_size for info in infos) > file_size:
        raise ModelFileError("the archive's members are larger than the file (truncated).")
    found = {}
    for info in infos:
        member = _member(archive, info, file_size)
        if member.name in found:
            raise ModelFileError("the archive holds it twice.", field=_field(info.filename))
        found[member.name] = member
    return found


def _member(archive, info: zipfile.ZipInfo, file_size: int) -> Member:
    field = _field(info.filename)
    if not info.filename.endswith(".npy"):
        raise ModelFileError("not an .npy array (a raw member).", field=field)
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ModelFileError("encrypted or compressed in a way mlpkit does not read.", field=field)
    if info.header_offset + info.compress_size > file_size:
        raise ModelFileError("it extends past the end of the file (truncated).", field=field)
    _check_expansion(info, field)
    try:
        with archive.open(info) as stream:
            dtype, shape, fortran, header = _header(stream)
    except ModelFileError as error:
        raise ModelFileError(error.problem, field=field) from None
    except ZIP_ERRORS as error:
        raise ModelFileError(
            f"unreadable ({type(error).__name__}: {error}).", field=field
        ) from None
    size = math.prod(shape) * dtype.itemsize
    if header + size != info.file_size:
        raise ModelFileError(
            f"its header declares shape {shape} of {dtype} ({size:,} bytes), but the member "
            f"holds {info.file_size - header:,} bytes.",
            field=field,
        )
    return Member(info.filename[: -len(".npy")], dtype, shape, fortran, info)


def _check_expansion(info: zipfile.ZipInfo, field: str) -> None:
    """A stored member expands 1×, a deflated one at most MAX_RATIO× (+ 4 KiB)."""
    stored = info.compress_type == zipfile.ZIP_STORED
    if (stored and info.file_size != info.compress_size) or (
        info.file_size > MAX_RATIO * info.compress_size + 4096
    ):
        raise ModelFileError(
            f"it declares {info.file_size:,} bytes from {info.compress_size:,} compressed (a "
            f"stored member expands 1×, a deflated one at most {MAX_RATIO}×): refused as a "
            f"possible zip bomb.",
            field=field,
        )


def _header(stream) -> tuple[np.dtype, tuple[int, ...], bool, int]:
    """``(dtype, shape, fortran_order, header length)`` of an ``.npy`` stream."""
    version = np.lib.format.read_magic(stream)
    readers = {
        (1, 0): np.lib.format.read_array_header_1_0,
        (2, 0): np.lib.format.read_array_header_2_0,
    }
    if version not in readers:
        raise ModelFileError(f"an .npy header of version {version}; mlpkit reads 1.0 and 2.0.")
    shape, fortran, dtype = readers[version](stream)
    plain = dtype.kind in "biufc" and dtype.names is None and dtype.shape == ()
    if dtype.hasobject or not plain:
        raise ModelFileError(f"dtype {dtype} is not a plain number type.")
    return dtype, tuple(int(n) for n in shape), bool(fortran), stream.tell()


def read(archive: zipfile.ZipFile, member: Member) -> np.ndarray:
    """The array of ``member`` (no pickle), its zip CRC checked."""
    try:
        with archive.open(member.info) as stream:
            array = np.lib.format.read_array(stream, allow_pickle=False)
            if stream.read(1):
                raise ValueError("bytes follow the array")
    except ZIP_ERRORS as error:
        raise ModelFileError(
            f"unreadable ({type(error).__name__}: {error}).", field=_field(member.info.filename)
        ) from None
    return array


def _field(filename: str) -> str:
    return f"archive member {filename.removesuffix('.npy')!r}"


def file_size(path: str) -> int:
    """The size of the file at ``path``, in bytes."""
    return os.stat(path).st_size
