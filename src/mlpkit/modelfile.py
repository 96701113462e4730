"""The model-file format: named arrays in a NumPy ``.npz`` archive plus one JSON document.

This module knows the container, not the models: each class writes and reads its own document
(``Sequential.to_document``, ``MLPClassifier.to_document``, the preprocessor's ``get_state``)
and ``mk.load`` dispatches on the document's ``"class"``. It imports nothing of mlpkit.

A file holds the caller's arrays (plain dtypes only) and ``meta``: UTF-8 JSON
``{"format": "mlpkit-model", "format_version": 2, "mlpkit_version": ..., "model": <document>,
"sha256": ...}``, the checksum covering every array (name, dtype, shape, bytes) and the rest
of the document. Loading reads arrays with ``allow_pickle=False``, so opening a file never runs
code from it; a truncated, tampered, foreign, older- or newer-format file is refused with a
message saying which. Writes are atomic: the archive goes to a temporary file beside the target
and is moved over it only when complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile

import numpy as np

FORMAT = "mlpkit-model"
#: 2: one document per class (``"model"``), the target and preprocessor states inside it.
FORMAT_VERSION = 2


def write(path, document: dict, arrays: dict[str, np.ndarray], *, version: str) -> str:
    """Write ``document`` (JSON-compatible) and ``arrays`` to ``path`` atomically; returns the
    path as a string. ``version``: the writer's mlpkit version, kept for messages."""
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
    meta["sha256"] = _checksum(arrays, meta)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    path = os.fspath(path)
    _write_atomically(path, arrays)
    return path


def read(path) -> tuple[dict, dict[str, np.ndarray]]:
    """``(document, arrays)`` of a model file written by :func:`write`, checked."""
    path = os.fspath(path)
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array (.npy), not an archive")
        with loaded as archive:
            arrays = {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise ValueError(
            f"{path} is not a readable mlpkit model file (truncated, or not an .npz archive of "
            f"plain arrays): {error}"
        ) from None
    meta = _meta(path, arrays)
    if _checksum(arrays, meta) != meta.get("sha256"):
        raise ValueError(f"{path} is corrupted or was modified: its checksum does not match.")
    if not isinstance(meta.get("model"), dict):
        raise ValueError(f"{path}: the model file holds no model document.")
    return meta["model"], arrays


def _meta(path: str, arrays: dict) -> dict:
    if "meta" not in arrays or arrays["meta"].dtype != np.uint8:
        raise ValueError(f"{path} is not an mlpkit model file: it has no 'meta' document.")
    try:
        meta = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(
            f"{path}: the model file's 'meta' document is not valid JSON ({error})."
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        raise ValueError(f"{path} is not an mlpkit model file (format {found!r}).")
    version = meta.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"{path}: the model file's format_version {version!r} is not a number.")
    if version != FORMAT_VERSION:
        newer = version > FORMAT_VERSION
        raise ValueError(
            f"{path} was written by mlpkit {meta.get('mlpkit_version')} in model-file format "
            f"{version}; this mlpkit reads format {FORMAT_VERSION} only. "
            + (
                "Upgrade mlpkit to load it."
                if newer
                else "Load it with the mlpkit that wrote it and train again, or retrain with "
                "this one (format 2 keeps the preprocessor and the class labels inside the model)."
            )
        )
    return meta


def _checksum(arrays: dict, meta: dict) -> str:
    """SHA-256 of every array (name, dtype, shape, bytes) and of the document without it."""
    digest = hashlib.sha256()
    document = {key: value for key, value in meta.items() if key != "sha256"}
    digest.update(json.dumps(document, sort_keys=True).encode("utf-8"))
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(name.encode())
        digest.update(str((array.dtype.str, array.shape)).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def write_atomically(path: str, write_to) -> None:
    """Call ``write_to(stream)`` on a temporary file beside ``path`` (binary mode), then move it
    over ``path``: readers see the old file or the whole new one, never a part."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".mlpkit-", suffix=".tmp", dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
    try:
        with os.fdopen(handle, "wb") as stream:
            write_to(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _write_atomically(path: str, arrays: dict) -> None:
    write_atomically(path, lambda stream: np.savez(stream, **arrays))
