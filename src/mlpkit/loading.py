"""``mk.load``: read a model file and rebuild what it holds, by the document's class; and
``save(model, path, key=...)``, the keyed counterpart of ``model.save(path)``.

Loading refuses a file that cannot be trusted to build the model it describes with one
exception, :class:`~mlpkit.modelfile.ModelFileError` (a ValueError), naming the file and the
field, and does so before the cost grows: the archive and the array headers are checked
against the file, the document against its schema and the declared shapes (see
:mod:`mlpkit.persistence.plan`) before any array is read, the values after, the model's parts
against each other once built.
"""

from __future__ import annotations

import os

import numpy as np

from . import modelfile
from .ensemble import Ensemble
from .estimators import MLPClassifier, MLPRegressor
from .network import Sequential
from .persistence import plan
from .persistence.errors import ModelFileError

#: The classes a model file may hold, by the name their document gives.
MODELS = {cls.__name__: cls for cls in (Sequential, MLPClassifier, MLPRegressor)}
#: The document class of an ensemble of estimators (:mod:`mlpkit.ensemble`).
ENSEMBLE = Ensemble.__name__


def load(path, *, key=None):
    """Read a model file written by ``save``; returns the ``mk.Sequential``, ``MLPClassifier``
    or ``MLPRegressor`` it holds, ready to predict and to train on, or the ``Ensemble`` of
    estimators (``mk.search.auto``'s ``result.ensemble_``), ready to predict. No pickle: the
    arrays are read with ``allow_pickle=False`` and objects are built from registered names
    only.

    Args:
        path: the model file.
        key: bytes or str; refuse the file unless it was saved with this key (HMAC-SHA256).

    Raises:
        ModelFileError: the file is unreadable, tampered with, unsigned or wrongly signed (given
            a key), or its document or arrays do not describe a model this mlpkit can build.
        FileNotFoundError: there is no file at ``path``. IsADirectoryError: ``path`` is a
            folder. TypeError: ``path`` is not a path. ValueError: it holds a NUL byte.
    """
    path = model_path(path)
    document, arrays = modelfile.read(path, key=key, check=_check)
    try:
        plan.check_arrays(arrays)
        if document["class"] == ENSEMBLE:
            return _ensemble(document, arrays)
        return _model(document, arrays, "model")
    except ModelFileError as error:
        raise error.at(path) from None


def _model(document: dict, arrays: dict, where: str):
    """The network or estimator of a checked document, its built parts checked."""
    with plan.part(where):
        model = MODELS[document["class"]].from_document(document, arrays)
    network = model if isinstance(model, Sequential) else model.network_
    plan.check_built(network, where if model is network else f"{where}.network")
    _check_estimator(model, network, where)
    return model


def _ensemble(document: dict, arrays: dict):
    """The Ensemble of a checked document: its members built one by one, then checked to take
    the same input columns and, for classes, to know the same labels."""
    members = [
        _model(member, plan.member_entries(arrays, k), f"model.members[{k}]")
        for k, member in enumerate(document["members"])
    ]
    first = members[0]
    for k, member in enumerate(members[1:], 1):
        if member.n_features_in_ != first.n_features_in_:
            raise ModelFileError(
                f"{member.n_features_in_}; member 0 takes {first.n_features_in_} columns.",
                field=f"model.members[{k}].fitted.n_features_in_",
            )
        if hasattr(first, "classes_") and not np.array_equal(member.classes_, first.classes_):
            raise ModelFileError(
                f"{member.classes_.tolist()}; member 0 knows {first.classes_.tolist()}.",
                field=f"model.members[{k}].fitted.classes_",
            )
    classes = getattr(first, "classes_", None)
    return Ensemble(members, document["weights"], document["trials"], classes)


def model_path(path) -> str:
    """``path`` as the model file to read: a path (not a number or None), without a NUL byte,
    not a folder; refused otherwise before anything is opened."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise TypeError(
            "mk.load takes the path of a model file (a str or os.PathLike); "
            f"received path={path!r}."
        ) from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if "\x00" in path:
        raise ValueError(f"mk.load: the path {path!r} holds a NUL byte (\\x00); remove it.")
    if os.path.isdir(path):
        raise IsADirectoryError(
            f"mk.load: {path!r} is a folder; pass the model file in it (e.g. "
            f"{os.path.join(path, 'model.mlpk')!r})."
        )
    return path


def save(model, path, *, key=None, overwrite: bool = False) -> str:
    """Write ``model`` (an ``mk.Sequential``, a fitted estimator or an ensemble) to ``path`` as
    ``model.save(path)`` does, signed with HMAC-SHA256 under ``key`` (bytes or str) if given,
    for ``load(path, key=key)``; an existing file only with ``overwrite=True``. Returns the
    path."""
    return modelfile.save(model, path, key=key, overwrite=overwrite)


def _check(document: dict, shapes: dict) -> None:
    if document.get("class") == ENSEMBLE:
        plan.check_ensemble(document, shapes)
        return
    if document.get("class") not in MODELS:
        raise ModelFileError(
            f"{document.get('class')!r} is not a model this mlpkit builds; it builds "
            f"{', '.join(MODELS)} and {ENSEMBLE}.",
            field="model.class",
        )
    plan.check_document(document, shapes)


def _check_estimator(model, network, where: str) -> None:
    if model is network:
        return
    takes = network.n_features if network.preprocessor is None else None
    if network.preprocessor is not None:
        takes = network.preprocessor.n_features_in_
    if model.n_features_in_ != takes:
        raise ModelFileError(
            f"{model.n_features_in_}; the network takes {takes} input columns.",
            field=f"{where}.fitted.n_features_in_",
        )
