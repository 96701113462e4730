"""The model file's checksum and its optional keyed signature.

Both digest the same stream: the document as canonical JSON (sorted keys) without the fields
that hold the digests, then every array in name order as its name, ``str((dtype.str,
shape))`` and its C-order bytes.

- ``sha256``: SHA-256 over the document without ``sha256`` (the signature included), catching
  truncation and accidental change; anyone can recompute it.
- ``signature``: ``{"algorithm": "hmac-sha256", "value": hex}``, HMAC-SHA256 under the user's
  key over the document without ``sha256`` and ``signature``: only a holder of the key can
  make a file that verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import numpy as np

from .errors import ModelFileError

ALGORITHM = "hmac-sha256"


def checksum(arrays: dict, meta: dict) -> str:
    """SHA-256 hex digest of ``meta`` without ``"sha256"`` and of ``arrays``."""
    return _digest(hashlib.sha256(), arrays, meta, skip=("sha256",))


def signature(key, arrays: dict, meta: dict) -> dict:
    """The signature entry of ``meta`` (without ``"sha256"``/``"signature"``) and ``arrays``
    under ``key`` (bytes, or str as UTF-8)."""
    mac = hmac.new(key_bytes(key), digestmod=hashlib.sha256)
    return {"algorithm": ALGORITHM, "value": _digest(mac, arrays, meta, ("sha256", "signature"))}


def verify_signature(key, arrays: dict, meta: dict) -> None:
    """Refuse (ModelFileError, field ``signature``) a file that is unsigned or whose
    signature does not verify under ``key``."""
    found = meta.get("signature")
    if not isinstance(found, dict) or found.get("algorithm") != ALGORITHM:
        raise ModelFileError(
            "a key was given but the file is not signed (save it with key=...).",
            field="signature",
        )
    expected = signature(key, arrays, meta)["value"]
    if not isinstance(found.get("value"), str) or not hmac.compare_digest(found["value"], expected):
        raise ModelFileError(
            "does not verify under the given key: the file was signed with another key or "
            "modified after signing.",
            field="signature",
        )


def key_bytes(key) -> bytes:
    """``key`` as bytes: bytes as given, str as UTF-8; refuses an empty or other key."""
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)) or not key:
        raise TypeError(f"key must be non-empty bytes or str; got {type(key).__name__}.")
    return bytes(key)


def _digest(digest, arrays: dict, meta: dict, skip: tuple[str, ...]) -> str:
    document = {key: value for key, value in meta.items() if key not in skip}
    digest.update(json.dumps(document, sort_keys=True).encode("utf-8"))
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(name.encode())
        digest.update(str((array.dtype.str, array.shape)).encode())
        digest.update(array.reshape(-1).view(np.uint8).data if array.size else b"")
    return digest.hexdigest()
