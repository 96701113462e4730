"""``mk.load``: read a model file and rebuild what it holds, by the document's class."""

from __future__ import annotations

import os

from . import modelfile
from .estimators import MLPClassifier, MLPRegressor
from .network import Sequential

#: The classes a model file may hold, by the name their document gives.
MODELS = {cls.__name__: cls for cls in (Sequential, MLPClassifier, MLPRegressor)}


def load(path):
    """Read a model file written by ``save``; returns the ``mk.Sequential``, ``MLPClassifier``
    or ``MLPRegressor`` it holds, ready to predict and to train on. No pickle: the arrays are
    read with ``allow_pickle=False`` and objects are built from registered names only."""
    path = os.fspath(path)
    document, arrays = modelfile.read(path)
    cls = MODELS.get(document.get("class"))
    if cls is None:
        raise ValueError(
            f"{path} holds a {document.get('class')!r}, which this mlpkit cannot build; it "
            f"builds {', '.join(MODELS)}."
        )
    try:
        return cls.from_document(document, arrays)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f"{path}: the model file's description does not match what this mlpkit can build "
            f"({type(error).__name__}: {error})."
        ) from None
