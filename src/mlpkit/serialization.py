"""Model files: arrays in a NumPy ``.npz`` archive plus a JSON document; never pickle.

A file holds ``params`` (the flat buffer), each layer's state arrays (``state/<i>/<name>``, e.g.
BatchNorm's running statistics), the optimizer's state arrays (``optimizer/<name>``), and
``meta``: UTF-8 JSON with the format name and version, the mlpkit version, the network's config,
the loss and optimizer configs, the step and epoch counts, and a SHA-256 checksum of every array.

Loading reads arrays with ``allow_pickle=False`` and builds objects only from registered names,
so opening a file never runs code from it. A truncated, tampered or foreign file is rejected with
a message saying which; so is a file of a newer format. Writes are atomic: the archive is written
to a temporary file beside the target and moved over it only when complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile

import numpy as np

FORMAT = "mlpkit-model"
FORMAT_VERSION = 1
#: The network's random streams, saved so that training continues bit for bit after loading.
_STREAMS = ("_init_rng", "_shuffle_rng", "dropout_rng")


def save(net, path, *, estimator: dict | None = None) -> str:
    """Write ``net`` (built) to ``path`` atomically; returns the path. ``estimator``: the
    JSON description of an MLPClassifier/MLPRegressor wrapping it (see ``estimators.py``)."""
    from . import __version__

    arrays = net.snapshot()
    optimizer = net.optimizer
    if optimizer is not None:
        arrays.update({f"optimizer/{name}": array for name, array in optimizer.state.items()})
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "mlpkit_version": __version__,
        "network": net.get_config(),
        "n_features": net.n_features,
        "frozen": [index for index, layer in enumerate(net.walk()) if not layer.trainable],
        "epochs_trained": net.epochs_trained,
        "loss": net.loss.get_config() if net.loss is not None else None,
        "optimizer": None if optimizer is None else _optimizer_meta(optimizer),
        "preprocessor": _preprocessor_meta(net.preprocessor),
        "random_streams": {name: getattr(net, name).bit_generator.state for name in _STREAMS},
        "split_seed": net._split_seed,
        "estimator": estimator,
    }
    meta["sha256"] = _checksum(arrays, meta)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    path = os.fspath(path)
    _write_atomically(path, arrays)
    return path


def _preprocessor_meta(preprocessor) -> dict | None:
    if preprocessor is None or preprocessor.state_ is None:
        return None
    return preprocessor.get_state()


def _optimizer_meta(optimizer) -> dict:
    return {
        "config": optimizer.get_config(),
        "iterations": optimizer.iterations,
        "epoch": optimizer.epoch,
        "lr_factor": optimizer.lr_factor,
    }


def load(path):
    """Read a model file written by :func:`save`; returns a built :class:`~mlpkit.Sequential`."""
    path = os.fspath(path)
    arrays, meta = _read(path)
    try:
        net = _rebuild(arrays, meta)
        if meta.get("estimator") is None:
            return net
        from .estimators import restore_estimator

        return restore_estimator(meta["estimator"], net)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f"{path}: the model file's description does not match what this mlpkit can build "
            f"({type(error).__name__}: {error})."
        ) from None


def _rebuild(arrays: dict, meta: dict):
    from . import losses, optim
    from .layers import deserialize
    from .network import Sequential

    config = meta["network"]
    net = Sequential(
        [deserialize(entry) for entry in config["layers"]],
        random_state=config["random_state"],
        dtype=config["dtype"],
        regularizer=config["regularizer"],
        preprocessor=_preprocessor(meta.get("preprocessor")),
    )
    net.build(meta["n_features"])
    snapshot = net.snapshot()
    net.restore({name: _expect(arrays, name, array.shape) for name, array in snapshot.items()})
    for index, layer in enumerate(net.walk()):
        layer.trainable = index not in meta["frozen"]
    net.epochs_trained = meta["epochs_trained"]
    for name, state in (meta.get("random_streams") or {}).items():
        if name in _STREAMS:  # in place: the layers hold the dropout stream itself
            getattr(net, name).bit_generator.state = state
    net._split_seed = meta.get("split_seed", net._split_seed)
    if meta["loss"] is not None:
        net.loss = losses.get(meta["loss"])
    if meta["optimizer"] is not None:
        saved = meta["optimizer"]
        net.optimizer = optim.get(saved["config"])
        net.optimizer._init_state(net.params)
        for name, array in net.optimizer.state.items():
            array[...] = _expect(arrays, f"optimizer/{name}", array.shape)
        net.optimizer.iterations = saved["iterations"]
        net.optimizer.epoch, net.optimizer.lr_factor = saved["epoch"], saved["lr_factor"]
    return net


def _preprocessor(document):
    if document is None:
        return None
    from .data.preprocessor import Preprocessor

    return Preprocessor.from_state(document)


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


def _write_atomically(path: str, arrays: dict) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".mlpkit-", suffix=".tmp", dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _read(path: str) -> tuple[dict, dict]:
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
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by mlpkit {meta.get('mlpkit_version')} in model-file format "
            f"{meta['format_version']}; this mlpkit reads format {FORMAT_VERSION} and older. "
            f"Upgrade mlpkit to load it."
        )
    if _checksum(arrays, meta) != meta.get("sha256"):
        raise ValueError(f"{path} is corrupted or was modified: its checksum does not match.")
    return arrays, meta


def _expect(arrays: dict, name: str, shape) -> np.ndarray:
    if name not in arrays or arrays[name].shape != tuple(shape):
        found = arrays[name].shape if name in arrays else "nothing"
        raise ValueError(
            f"Model file entry {name!r}: expected shape {tuple(shape)}, found {found}."
        )
    return arrays[name]
