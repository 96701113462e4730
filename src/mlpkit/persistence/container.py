"""The model-file format: named arrays in a NumPy ``.npz`` archive plus one JSON document.

This module knows the container, not the models: each class writes and reads its own document
and ``mk.load`` dispatches on the document's ``"class"``. It imports nothing of mlpkit outside
this package.

A file holds the caller's arrays (plain dtypes only) and ``meta``: UTF-8 JSON
``{"format": "mlpkit-model", "format_version": 2, "mlpkit_version": ..., "model": <document>,
["signature": {...},] "sha256": ...}`` (see :mod:`.integrity`). Reading checks, in order and
each before the next costs anything: the archive and every ``.npy`` header against the file
(:mod:`.archive`), the document within bounds (:mod:`.jsontext`), the format, the caller's
``check(document, shapes)`` (the document against the declared shapes, before any array is
read), then the arrays, the checksum and, given a key, the signature. Every refusal is a
:class:`~.errors.ModelFileError` naming the file.
"""

from __future__ import annotations

import json
import os

import numpy as np

from . import archive as archive_module
from . import integrity, jsontext
from .atomic import write_atomically
from .errors import ModelFileError

FORMAT = "mlpkit-model"
#: 2: one document per class (``"model"``), the target and preprocessor states inside it.
FORMAT_VERSION = 2


def write(
    path,
    document: dict,
    arrays: dict[str, np.ndarray],
    *,
    version: str,
    key=None,
    overwrite: bool = True,
) -> str:
    """Write ``document`` (JSON-compatible) and ``arrays`` to ``path`` atomically; returns the
    path as a string. ``version``: the writer's mlpkit version, kept for messages. ``key``
    (bytes or str): sign the file with HMAC-SHA256 under it. ``overwrite=False``: an existing
    file is a FileExistsError (see :func:`~mlpkit.persistence.atomic.write_atomically`)."""
    arrays = dict(arrays)
    for name, array in arrays.items():
        if np.asarray(array).dtype.hasobject:
            raise TypeError(f"Model file entry {name!r} holds Python objects; store plain arrays.")
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "mlpkit_version": version,
        "model": document,
    }
    if key is not None:
        meta["signature"] = integrity.signature(key, arrays, meta)
    meta["sha256"] = integrity.checksum(arrays, meta)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    path = target(path)
    write_atomically(path, lambda stream: np.savez(stream, **arrays), overwrite=overwrite)
    return path


def file_name(path) -> str:
    """``path`` as a string; TypeError naming the argument when it is no path."""
    try:
        return os.fspath(path)
    except TypeError:
        raise TypeError(
            f"path must be a file name (str or os.PathLike), such as 'model.mlpk'; got "
            f"path={path!r} ({type(path).__name__})."
        ) from None


def target(path) -> str:
    """``path`` as a string, refused before anything is written when it is no path
    (TypeError) or a folder (IsADirectoryError, suggesting a file name in it)."""
    path = file_name(path)
    if os.path.isdir(path):
        suggestion = os.path.join(path, "model.mlpk")
        raise IsADirectoryError(
            f"{path} is a folder; save the model to a file in it, e.g. {suggestion!r}."
        )
    return path


def read(path, *, key=None, check=None) -> tuple[dict, dict[str, np.ndarray]]:
    """``(document, arrays)`` of a model file written by :func:`write`, checked.

    ``check(document, shapes)``, where ``shapes`` maps each array's name to its declared
    ``(dtype, shape)``, runs before any array is read; it raises ModelFileError (with or
    without a path) to refuse. ``key``: refuse a file not signed under it."""
    path = file_name(path)
    try:
        return _read(path, key, check)
    except ModelFileError as error:
        raise error.at(path) from None


def _read(path: str, key, check) -> tuple[dict, dict]:
    size = archive_module.file_size(path)
    with archive_module.open_archive(path) as archive:
        members = archive_module.members(archive, size)
        meta = _meta(archive, members)
        if key is not None and "signature" not in meta:
            integrity.verify_signature(key, {}, meta)  # refuses at once: unsigned
        declared = {n: (m.dtype, m.shape) for n, m in members.items() if n != "meta"}
        try:
            if check is not None:
                check(meta["model"], declared)
        except ModelFileError as problem:
            _refuse_checked(archive, members, meta, size, problem)
        arrays = {n: archive_module.read(archive, members[n]) for n in declared}
    _verify_checksum(arrays, meta)
    if key is not None:
        integrity.verify_signature(key, arrays, meta)
    return meta["model"], arrays


def _verify_checksum(arrays: dict, meta: dict, problem: ModelFileError | None = None) -> None:
    if integrity.checksum(arrays, meta) != meta.get("sha256"):
        also = "" if problem is None else f" (and {problem.field or 'the file'}: {problem.problem})"
        raise ModelFileError(
            f"the file is corrupted or was modified: its checksum does not match{also}."
        )


def _refuse_checked(archive, members: dict, meta: dict, size: int, problem) -> None:
    """Raise ``problem``, the document's refusal, or the checksum's when the file was
    modified: the arrays are read for that only when the document's arrays are not at fault
    and hold no more than the file's bytes (stored members), so a refusal never costs more
    than the file itself."""
    about_arrays = (problem.field or "").startswith("archive member")
    if not about_arrays and sum(m.info.file_size for m in members.values()) <= size:
        arrays = {n: archive_module.read(archive, m) for n, m in members.items() if n != "meta"}
        _verify_checksum(arrays, meta, problem)
    raise problem


def _meta(archive, members: dict) -> dict:
    entry = members.get("meta")
    if entry is None or entry.dtype != np.uint8 or len(entry.shape) != 1:
        raise ModelFileError("not an mlpkit model file: it has no 'meta' document.")
    if entry.info.file_size > jsontext.MAX_BYTES + 4096:
        raise ModelFileError(
            f"the document is {entry.info.file_size:,} bytes; at most {jsontext.MAX_BYTES:,}.",
            field="meta",
        )
    meta = jsontext.parse(archive_module.read(archive, entry).tobytes())
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        raise ModelFileError(f"not an mlpkit model file (format {found!r}).")
    _check_version(meta)
    if not isinstance(meta.get("model"), dict):
        raise ModelFileError("the model file holds no model document.", field="model")
    return meta


def _check_version(meta: dict) -> None:
    version = meta.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ModelFileError(f"{version!r} is not a number.", field="format_version")
    if version != FORMAT_VERSION:
        newer = version > FORMAT_VERSION
        raise ModelFileError(
            f"written by mlpkit {meta.get('mlpkit_version')} in model-file format {version}; "
            f"this mlpkit reads format {FORMAT_VERSION} only. "
            + (
                "Upgrade mlpkit to load it."
                if newer
                else "Load it with the mlpkit that wrote it and train again, or retrain with "
                "this one (format 2 keeps the preprocessor and the class labels inside the model)."
            )
        )
