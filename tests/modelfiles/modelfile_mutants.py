"""Mutated model files: truncations, byte flips, document and array edits with the checksum
recomputed, huge declared shapes, zip bombs.

Independent of mlpkit's reader: files are taken apart with ``zipfile``/``np.load`` and put back
with ``np.savez``, the checksum recomputed as the format documents it (SHA-256 over the
document without ``sha256`` as sorted JSON, then each array's name, ``str((dtype.str,
shape))`` and bytes, in name order). So the same mutants measure any version of the loader.

Each :class:`Mutant` says what a clean refusal must name besides the file (``field``), and
whether the mutation may leave the model intact (``may_load``: a flipped byte in a zip
header's unused field, a truncation of nothing).
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass

import numpy as np
from modelfile_edits import (
    array_edits,
    classifier_edits,
    ensemble_edits,
    estimator_edits,
    network_edits,
    optimizer_edits,
)

#: Bytes of zeros in the zip bombs (deflated about 1000:1).
BOMB_BYTES = 128 * 2**20


@dataclass(frozen=True)
class Mutant:
    name: str
    data: bytes
    field: str | None = None
    may_load: bool = False


def parts(data: bytes) -> tuple[dict, dict]:
    """``(meta, arrays)`` of an intact model file."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return json.loads(arrays.pop("meta").tobytes()), arrays


def checksum(meta: dict, arrays: dict) -> str:
    digest = hashlib.sha256()
    document = {key: value for key, value in meta.items() if key != "sha256"}
    digest.update(json.dumps(document, sort_keys=True).encode("utf-8"))
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(name.encode())
        digest.update(str((array.dtype.str, array.shape)).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def pack(meta: dict, arrays: dict, *, text: bytes | None = None) -> bytes:
    """A model file of ``meta`` and ``arrays``, the checksum recomputed (``text``: the meta
    member's bytes as given instead)."""
    meta = dict(meta)
    meta["sha256"] = checksum(meta, arrays)
    text = nested(json.dumps(meta).encode()) if text is None else text
    stream = io.BytesIO()
    np.savez(stream, **arrays, meta=np.frombuffer(text, dtype=np.uint8))
    return stream.getvalue()


def truncations(name: str, data: bytes, count: int) -> list[Mutant]:
    cuts = sorted({0, 1, 4, 30, len(data) - 1, len(data) - 22, len(data) // 2})
    cuts += list(np.linspace(2, len(data) - 2, count - len(cuts)).astype(int))
    return [Mutant(f"{name}-cut{n}", data[:n]) for n in sorted(set(cuts))]


def flips(name: str, data: bytes, count: int, seed: int) -> list[Mutant]:
    """``count`` files, each with one byte XOR-ed with a random non-zero value."""
    rng = np.random.default_rng(seed)
    found = []
    for position in rng.choice(len(data), size=count, replace=False):
        flipped = bytearray(data)
        flipped[position] ^= int(rng.integers(1, 256))
        found.append(Mutant(f"{name}-flip{position}", bytes(flipped), may_load=True))
    return found


def edited(name: str, data: bytes, edits: list) -> list[Mutant]:
    """One file per ``(label, change, field)``: ``change(meta["model"], arrays)`` edits in
    place; the checksum is recomputed."""
    meta, arrays = parts(data)
    found = []
    for label, change, field in edits:
        new_meta, new_arrays = copy.deepcopy(meta), {k: a.copy() for k, a in arrays.items()}
        change(new_meta["model"], new_arrays)
        found.append(Mutant(f"{name}-{label}", pack(new_meta, new_arrays), field))
    return found


def nested(text: bytes) -> bytes:
    for marker in set(re.findall(rb'"__deep(\d+)__"', text)):
        levels = int(marker)
        text = text.replace(b'"__deep%d__"' % levels, b"[" * levels + b"0" + b"]" * levels)
    return text


def npy_header(dtype: str, shape: tuple) -> bytes:
    header = repr({"descr": dtype, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def rezipped(data: bytes, replace: dict, *, deflate=()) -> bytes:
    """The archive with members' bytes replaced (``replace``: name → bytes, or None to drop)
    and those in ``deflate`` compressed; the rest copied as stored."""
    source = zipfile.ZipFile(io.BytesIO(data))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as target:
        existing = source.namelist()
        for member in [*existing, *(n for n in replace if n not in existing)]:
            content = replace[member] if member in replace else source.read(member)
            if content is None:
                continue
            method = zipfile.ZIP_DEFLATED if member in deflate else zipfile.ZIP_STORED
            target.writestr(member, content, compress_type=method)
    return stream.getvalue()


def bomb_member(target: zipfile.ZipFile, member: str, header: bytes, size: int) -> None:
    """Write ``member``: ``header`` then ``size`` zero bytes, deflated, 1 MiB at a time."""
    info = zipfile.ZipInfo(member)
    info.compress_type = zipfile.ZIP_DEFLATED
    with target.open(info, "w", force_zip64=True) as stream:
        stream.write(header)
        zeros = bytes(2**20)
        for _ in range(size // len(zeros)):
            stream.write(zeros)


def bombs(name: str, data: bytes, dtype: str) -> list[Mutant]:
    """Zip bombs: a deflated ``params`` of BOMB_BYTES zeros with a matching header; the same
    as an extra member; the meta document inflated to BOMB_BYTES of spaces."""
    found = []
    itemsize = np.dtype(dtype).itemsize
    for label, member in (("params", "params.npy"), ("extra", "junk.npy")):
        stream = io.BytesIO(rezipped(data, {"params.npy": None} if member == "params.npy" else {}))
        with zipfile.ZipFile(stream, "a") as target:
            bomb_member(target, member, npy_header(dtype, (BOMB_BYTES // itemsize,)), BOMB_BYTES)
        found.append(Mutant(f"{name}-bomb-{label}", stream.getvalue(), member[:-4]))
    meta, arrays = parts(data)
    text = json.dumps(meta).encode()
    stream = io.BytesIO(rezipped(data, {"meta.npy": None}))
    with zipfile.ZipFile(stream, "a") as target:
        info = zipfile.ZipInfo("meta.npy")
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as out:
            out.write(npy_header("|u1", (len(text) + BOMB_BYTES,)) + text)
            for _ in range(BOMB_BYTES // 2**20):
                out.write(b" " * 2**20)
    found.append(Mutant(f"{name}-bomb-meta", stream.getvalue(), "meta"))
    return found


def header_lies(name: str, data: bytes, dtype: str) -> list[Mutant]:
    """Members whose ``.npy`` header or zip entry lies about the size."""
    params = zipfile.ZipFile(io.BytesIO(data)).read("params.npy")
    body = params[params.index(b"\n") + 1 :]
    lies = {
        "shape-2p40": npy_header(dtype, (2**40,)) + body,
        "shape-overflow": npy_header(dtype, (2**62, 2**62)) + body,
        "shape-neg": npy_header(dtype, (-1,)) + body,
        "descr-object": npy_header("|O", (3,)) + body,
        "descr-record": npy_header("[('a', '<f8')]", (1,)) + body,
        "descr-garbage": npy_header("evil", (1,)) + body,
        "header-v9": b"\x93NUMPY\x09\x00" + params[8:],
        "header-huge": b"\x93NUMPY\x01\x00\xff\xff" + params[10:],
        "raw-member": b"not an array",
    }
    found = [
        Mutant(f"{name}-{label}", rezipped(data, {"params.npy": content}), "params")
        for label, content in lies.items()
    ]
    found.append(Mutant(f"{name}-raw-extra", rezipped(data, {"notes.txt": b"hello"}), "notes.txt"))
    found.append(Mutant(f"{name}-pickle", rezipped(data, {"evil.npy": pickled_member()}), "evil"))
    found.append(Mutant(f"{name}-duplicate", duplicated(data, "params.npy"), "params"))
    return found


def pickled_member() -> bytes:
    stream = io.BytesIO()
    np.save(stream, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    return stream.getvalue()


def duplicated(data: bytes, member: str) -> bytes:
    stream = io.BytesIO(data)
    with zipfile.ZipFile(stream, "a") as target:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            target.writestr(member, zipfile.ZipFile(io.BytesIO(data)).read(member))
    return stream.getvalue()


def json_texts(name: str, data: bytes) -> list[Mutant]:
    """The meta member's text replaced: not UTF-8, not JSON, deeply nested, NaN-laden."""
    meta, arrays = parts(data)
    text = json.dumps(meta).encode()
    texts = {
        "meta-latin1": (text.replace(b'"', b'"\xe9', 1), "meta"),
        "meta-cut": (text[: len(text) // 2], "meta"),
        "meta-deep": (b"[" * 200_000 + b"]" * 200_000, "meta"),
        "meta-list": (b"[]", None),
        "meta-null": (b"null", None),
        "meta-bigint": (
            text.replace(b'"format_version": 2', b'"format_version": ' + b"9" * 5000),
            "meta",
        ),
        "meta-format": (text.replace(b"mlpkit-model", b"evil-model"), "format"),
        "meta-version": (
            text.replace(b'"format_version": 2', b'"format_version": "2"'),
            "format_version",
        ),
        "meta-nomodel": (text.replace(b'"model":', b'"modes":'), "model"),
    }
    return [
        Mutant(f"{name}-{label}", pack(meta, arrays, text=content), field)
        for label, (content, field) in texts.items()
    ]


def outcome(path: str, mutant: Mutant, load, refusal: type, bound: int) -> tuple[str, str]:
    """``(verdict, detail)`` of loading ``path`` under tracemalloc: ``"clean"`` (``refusal``
    exactly, naming the file and the field, peak allocation within ``bound`` bytes),
    ``"intact"`` (loaded, where the mutation may leave the model intact), else what went
    wrong: ``"obscure"`` (another exception, or the file or field not named), ``"memory"``,
    ``"accepted"``."""
    import tracemalloc

    tracemalloc.start()
    error = None
    try:
        load(path)
    except Exception as caught:  # noqa: BLE001 - every exception is classified
        error = caught
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    detail = f"{mutant.name}: peak {peak / 2**20:.1f} MiB, {type(error).__name__}: {error}"[:600]
    if peak > bound:
        return "memory", detail
    if error is None:
        return ("intact" if mutant.may_load else "accepted"), detail
    named = str(path) in str(error) and (mutant.field is None or mutant.field in str(error))
    return ("clean" if type(error) is refusal and named else "obscure"), detail


def base_files(folder) -> dict[str, bytes]:
    """Four small trained models saved by this mlpkit: a network with every layer kind and
    Adam state, a regressor with a preprocessor and a scaled target, a classifier of text
    labels, and an ensemble of two such classifiers."""
    import mlpkit as mk

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    net = mk.Sequential(
        [
            mk.layers.Dense(6, activation="prelu"),
            mk.layers.BatchNorm(),
            mk.layers.Dropout(0.1),
            mk.layers.Residual([mk.layers.Dense(4, activation="leaky_relu"), mk.layers.Dense(4)]),
            mk.layers.Dense(2, activation="softmax"),
        ],
        random_state=0,
    )
    net.fit(X, (X[:, 0] > 0).astype(int), loss="categorical_cross_entropy", epochs=2)
    options = dict(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    regressor = mk.MLPRegressor(**options, preprocessor=mk.data.Preprocessor())
    regressor.fit(X, X[:, 0] * 3 + 1)
    classifier = mk.MLPClassifier(**options).fit(X, np.where(X[:, 1] > 0, "yes", "no"))
    other = mk.MLPClassifier(**(options | {"random_state": 1}))
    other.fit(X, np.where(X[:, 1] > 0, "yes", "no"))
    ensemble = mk.search.Ensemble([classifier, other], [1, 3], [0, 4], classifier.classes_)
    models = {"seq": net, "reg": regressor, "clf": classifier, "ens": ensemble}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            name: open(model.save(f"{folder}/{name}.mlpk"), "rb").read()
            for name, model in models.items()
        }


def mutants(folder, *, with_bombs=True) -> list[Mutant]:
    """Every mutant of the four base files (see the module docstring)."""
    found = []
    for name, data in base_files(folder).items():
        meta, arrays = parts(data)
        if name == "ens":  # the members' arrays and documents are checked as a model's are
            member = ("members", 1, "network")
            edits = network_edits(member) + optimizer_edits(member) + ensemble_edits()
            edits += array_edits(None, prefix="member1/")
            found += truncations(name, data, 20) + flips(name, data, 30, seed=len(found))
            found += edited(name, data, edits) + json_texts(name, data)
            continue
        is_net = meta["model"]["class"] == "Sequential"
        prefix = () if is_net else ("network",)
        edits = network_edits(prefix) + optimizer_edits(prefix)
        edits += array_edits("state/1" if is_net else None)
        edits += [] if is_net else estimator_edits() if name == "reg" else classifier_edits()
        dtype = arrays["params"].dtype.str
        found += truncations(name, data, 40) + flips(name, data, 60, seed=len(found))
        found += edited(name, data, edits) + header_lies(name, data, dtype)
        found += json_texts(name, data)
        if with_bombs and is_net:
            found += bombs(name, data, dtype)
    return found
