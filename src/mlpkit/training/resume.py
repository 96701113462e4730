"""Resumable fits: a checkpoint of everything a fit needs, written atomically after every
epoch, and the restore that lets a killed fit finish bit-identical to an uninterrupted one.

One checkpoint is one model file (``<directory>/fit.mlpk``, written through
:mod:`mlpkit.modelfile`: a temporary file renamed over the old one, no pickle) holding

    document = {"network": the network's document (weights, layer state, optimizer state and
                step counts, random streams, epochs trained),
                "fit": {"identity": the fit's identity (below), "end_epoch", "stop_training",
                "stop_reason", "trainer": the trainer's own state, "callback_names",
                "callbacks": [each callback's state, History's included]}}
    arrays   = the network's arrays, plus "fit/<i>" for every array in the fit state

so a kill at any moment leaves either the previous epoch's checkpoint or this one.

A fit can only resume the fit it was called as, so the checkpoint records that fit's identity
(:func:`fit_identity`): the network's config (layers, ``random_state``, ...), the optimizer's and
the loss's config, ``batch_size``, ``epochs``, ``shuffle``, the clipping, the class names of the
user's callbacks in order, and a fingerprint of the data (:func:`array_fingerprint`: shape,
dtype and a hash of every row, or of 4096 evenly spaced rows when there are more). A resumed
fit whose identity differs is refused with a ConfigError listing each difference, old and new
(:func:`check_identity`), before anything is restored.
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np

from .. import modelfile
from .._version import __version__
from ..exceptions import ConfigError
from ..persistence.atomic import refuse_existing
from .callbacks import Callback

FILE_NAME = "fit.mlpk"

#: Rows hashed for a data fingerprint: every row up to this many, else this many evenly spaced.
FINGERPRINT_ROWS = 4096


class Checkpoint(Callback):
    """Make a fit resumable: after every epoch, save everything it needs to ``directory``;
    with ``resume=True`` (default), a fit that finds a checkpoint there first restores it and
    runs only the epochs left, ending as the uninterrupted fit would (weights bit-identical,
    early stopping and learning-rate reductions included).

    The fit to resume must be called as the interrupted one was: the same network
    (architecture, random_state), data, optimizer, ``epochs`` and callbacks in the same order;
    each callback's state (``get_state``/``set_state``) is restored by position.

    This is checked: the checkpoint records the fit's identity, and resuming it from a fit
    called otherwise (another optimizer, loss, ``epochs``, ``batch_size``, ``shuffle``, data,
    network or ``random_state``, other callbacks) raises a ConfigError naming what differs.
    A folder with no checkpoint in it (or none yet) starts the fit from the beginning, and
    the fit then checkpoints there. With ``resume=False`` (``fit(checkpoint=folder)``), a
    checkpoint already there belongs to another fit and is never replaced unasked: the fit
    is refused (FileExistsError) before it trains, unless ``overwrite=True``. The checkpoints
    the fit itself writes are replaced after every epoch.

    Args:
        directory: the folder of the checkpoint (created if missing; a file there is refused).
        resume: restore a checkpoint found there at train begin.
        overwrite: with ``resume=False``, replace a checkpoint that was there before the fit.
    """

    def __init__(
        self, directory: str | os.PathLike, resume: bool = True, overwrite: bool = False
    ) -> None:
        self.directory, self.resume = os.fspath(directory), bool(resume)
        self.overwrite = bool(overwrite)
        self.check_folder()

    @property
    def path(self) -> str:
        return os.path.join(self.directory, FILE_NAME)

    def check_folder(self) -> None:
        """Raise a ConfigError if ``directory`` (or a folder above it) is a file."""
        folder = os.path.abspath(self.directory)
        while folder and not os.path.exists(folder):
            folder = os.path.dirname(folder) if os.path.dirname(folder) != folder else ""
        if folder and not os.path.isdir(folder):
            own = folder == os.path.abspath(self.directory)
            where = "is a file" if own else f"lies under {folder!r}, a file"
            raise ConfigError(
                f"A fit's checkpoint is kept in a folder, but {self.directory!r} {where}. "
                f"Pass checkpoint=/resume= (or Checkpoint(directory)) the path of a folder; "
                f"a folder that does not exist yet is created."
            )

    def write(self, network_document: tuple[dict, dict], fit_state: dict) -> None:
        """Write the checkpoint atomically: ``network_document`` is ``net.to_document()``."""
        document, arrays = network_document
        arrays = dict(arrays)
        fit_plain = _split_arrays(fit_state, arrays)
        self.check_folder()
        os.makedirs(self.directory, exist_ok=True)
        modelfile.write(
            self.path, {"network": document, "fit": fit_plain}, arrays, version=__version__
        )

    def read(self) -> tuple[dict, dict, dict] | None:
        """``(network document, network arrays, fit state)``, or None when there is none (or
        it is not resumed). Called once, at train begin, so with ``resume=False`` a
        checkpoint already there is refused here (FileExistsError) unless ``overwrite``."""
        self.check_folder()
        if not self.resume and not self.overwrite:
            refuse_existing(
                self.path,
                f"it is the checkpoint of another fit. Pass resume={self.directory!r} to "
                f"continue that fit, choose another checkpoint folder, or replace it with "
                f"mk.callbacks.Checkpoint({self.directory!r}, resume=False, overwrite=True) "
                f"among the callbacks (in place of checkpoint=)",
            )
        if not (self.resume and os.path.exists(self.path)):
            return None
        document, arrays = modelfile.read(self.path)
        fit_state = _join_arrays(document["fit"], arrays)
        network = {k: a for k, a in arrays.items() if not k.startswith("fit/")}
        return document["network"], network, fit_state


def restore_network(net, document: dict, arrays: dict) -> None:
    """Write a saved network state into ``net`` in place: weights, layer state, epochs
    trained, random streams (in place: layers hold them) and the optimizer's state."""
    net.restore({name: arrays[name] for name in net.snapshot()})
    net.epochs_trained = document["epochs_trained"]
    for name, state in document["random_streams"].items():
        net.rngs[name].bit_generator.state = state
    saved = document["optimizer"]
    if saved is not None and net.optimizer is not None:
        prefix = "optimizer/"
        state = {k[len(prefix) :]: a for k, a in arrays.items() if k.startswith(prefix)}
        net.optimizer.load_state(saved, state, net.params, net.grads)


def callback_states(callbacks) -> list:
    """Each callback's ``get_state()`` ({} for one without the contract)."""
    return [_state_of(callback) for callback in callbacks]


def set_callback_states(callbacks, states: list, saved_names: list | None = None) -> None:
    """Give each callback its saved state back, by position; ``saved_names`` are the class
    names of the checkpoint's callbacks, for the message when the counts differ."""
    if len(states) != len(callbacks):
        now = [type(callback).__name__ for callback in callbacks]
        raise ConfigError(
            f"The checkpoint was written by a fit with the callbacks "
            f"{_user_names(saved_names) if saved_names else f'({len(states)} in all)'}, but "
            f"this fit has {_user_names(now)}; resume with the callbacks of the interrupted "
            f"fit, in order."
        )
    for callback, state in zip(callbacks, states, strict=True):
        if state and callable(getattr(callback, "set_state", None)):
            callback.set_state(state)


def _user_names(names: list) -> list:
    """The class names the user passed: without the History and ProgressLogger every fit has."""
    return [name for name in names if name not in ("History", "ProgressLogger")]


# -- the fit's identity ----------------------------------------------------------------------------
def array_fingerprint(array) -> dict | None:
    """``{"shape", "dtype", "hash"}`` of an array (None for None): the hash is of every row,
    or of :data:`FINGERPRINT_ROWS` evenly spaced rows (first and last included) beyond that,
    so fingerprinting costs the same for any size of data."""
    if array is None:
        return None
    array = np.asarray(array)
    if array.ndim and array.shape[0] > FINGERPRINT_ROWS:
        array = array[np.linspace(0, array.shape[0] - 1, FINGERPRINT_ROWS).astype(np.intp)]
    digest = hashlib.blake2b(np.ascontiguousarray(array).tobytes(), digest_size=16)
    return {"shape": list(np.shape(array)), "dtype": array.dtype.str, "hash": digest.hexdigest()}


def fit_identity(**fields) -> dict:
    """The fields a resumed fit must match, as plain JSON values (objects by their repr)."""
    return json.loads(json.dumps(fields, default=repr))


def check_identity(saved: dict | None, current: dict, path: str) -> None:
    """Raise a ConfigError naming every field of ``current`` that differs from ``saved`` (the
    checkpoint's identity); a checkpoint without one (written by an older mlpkit) passes."""
    if saved is None:
        return
    differences = _differences(saved, current)
    if differences:
        raise ConfigError(
            f"Cannot resume the checkpoint {path!r}: this fit is called otherwise than the fit "
            f"that wrote it. "
            f"{'; '.join(differences)}. Call fit as the interrupted fit was to resume it, or "
            f"start a new fit with another checkpoint folder (or delete {path!r})."
        )


def _differences(saved, current, prefix: str = "") -> list[str]:
    """``"<field>: <old> in the checkpoint, <new> now"`` for each differing field; dicts are
    compared field by field when they name the same thing (same "name"/"class")."""
    found = []
    for key in dict.fromkeys([*current, *saved]):
        old, new = saved.get(key, "(absent)"), current.get(key, "(absent)")
        if old == new:
            continue
        name = f"{prefix}{key}"
        if key == "hash":  # a shape that differs says it already
            if saved.get("shape") == current.get("shape"):
                found.append(f"{prefix.rstrip('.')}: other values (another hash of its rows)")
        elif isinstance(old, dict) and isinstance(new, dict) and _same_kind(old, new):
            found += _differences(old, new, f"{name}.")
        else:
            found.append(f"{name}: {old!r} in the checkpoint, {new!r} now")
    return found


def _same_kind(old: dict, new: dict) -> bool:
    return all(old.get(key) == new.get(key) for key in ("name", "class"))


def _state_of(callback) -> dict:
    get_state = getattr(callback, "get_state", None)
    return get_state() if callable(get_state) else {}


def _split_arrays(value, arrays: dict):
    """``value`` with every NumPy array replaced by ``{"array": name}`` and put in
    ``arrays`` under ``fit/<n>``; NumPy scalars become Python numbers."""
    if isinstance(value, np.ndarray):
        name = f"fit/{sum(k.startswith('fit/') for k in arrays)}"
        arrays[name] = value
        return {"array": name}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {key: _split_arrays(item, arrays) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_split_arrays(item, arrays) for item in value]
    return value


def _join_arrays(value, arrays: dict):
    """The inverse of :func:`_split_arrays`."""
    if isinstance(value, dict):
        if set(value) == {"array"} and isinstance(value["array"], str):
            return np.array(arrays[value["array"]])
        return {key: _join_arrays(item, arrays) for key, item in value.items()}
    if isinstance(value, list):
        return [_join_arrays(item, arrays) for item in value]
    return value


__all__ = [
    "Checkpoint",
    "restore_network",
    "callback_states",
    "set_callback_states",
    "array_fingerprint",
    "fit_identity",
    "check_identity",
]
