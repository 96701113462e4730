"""Resumable fits: a checkpoint of everything a fit needs, written atomically after every
epoch, and the restore that lets a killed fit finish bit-identical to an uninterrupted one.

One checkpoint is one model file (``<directory>/fit.mlpk``, written through
:mod:`mlpkit.modelfile`: a temporary file renamed over the old one, no pickle) holding

    document = {"network": the network's document (weights, layer state, optimizer state and
                step counts, random streams, epochs trained),
                "fit": {"end_epoch", "stop_training", "stop_reason", "trainer": the trainer's
                own state, "history": History state, "callbacks": [each callback's state]}}
    arrays   = the network's arrays, plus "fit/<i>" for every array in the fit state

so a kill at any moment leaves either the previous epoch's checkpoint or this one.
"""

from __future__ import annotations

import os

import numpy as np

from .. import modelfile
from .._version import __version__
from .callbacks import Callback

FILE_NAME = "fit.mlpk"


class Checkpoint(Callback):
    """Make a fit resumable: after every epoch, save everything it needs to ``directory``;
    with ``resume=True`` (default), a fit that finds a checkpoint there first restores it and
    runs only the epochs left, ending as the uninterrupted fit would (weights bit-identical,
    early stopping and learning-rate reductions included).

    The fit to resume must be called as the interrupted one was: the same network
    (architecture, random_state), data, optimizer, ``epochs`` and callbacks in the same order;
    each callback's state (``get_state``/``set_state``) is restored by position.

    Args:
        directory: the folder of the checkpoint (created if missing).
        resume: restore a checkpoint found there at train begin.
    """

    def __init__(self, directory: str | os.PathLike, resume: bool = True) -> None:
        self.directory, self.resume = os.fspath(directory), bool(resume)

    @property
    def path(self) -> str:
        return os.path.join(self.directory, FILE_NAME)

    def write(self, network_document: tuple[dict, dict], fit_state: dict) -> None:
        """Write the checkpoint atomically: ``network_document`` is ``net.to_document()``."""
        document, arrays = network_document
        arrays = dict(arrays)
        fit_plain = _split_arrays(fit_state, arrays)
        os.makedirs(self.directory, exist_ok=True)
        modelfile.write(
            self.path, {"network": document, "fit": fit_plain}, arrays, version=__version__
        )

    def read(self) -> tuple[dict, dict, dict] | None:
        """``(network document, network arrays, fit state)``, or None when there is none."""
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


def set_callback_states(callbacks, states: list) -> None:
    """Give each callback its saved state back, by position."""
    if len(states) != len(callbacks):
        raise ValueError(
            f"The checkpoint holds the state of {len(states)} callback(s), but this fit has "
            f"{len(callbacks)}; resume with the callbacks of the interrupted fit, in order."
        )
    for callback, state in zip(callbacks, states, strict=True):
        if state and callable(getattr(callback, "set_state", None)):
            callback.set_state(state)


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


__all__ = ["Checkpoint", "restore_network", "callback_states", "set_callback_states"]
