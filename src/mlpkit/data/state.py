"""Learned state as plain JSON: the helpers the data steps share for ``get_state``/``from_state``.

A step's document holds lists, numbers, strings, booleans and None only, so a model file that
carries it never needs pickle. Column labels may be integers (a step fitted on an array), and a
JSON object would turn integer keys into text, so mappings keyed by column travel as lists of
``[label, value]`` pairs.
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.utils.validation import check_is_fitted


def plain(value):
    """NumPy arrays and scalars (also inside dicts, lists and tuples) as lists and numbers."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(item) for item in value]
    return value.item() if isinstance(value, np.generic) else value


def pairs(mapping):
    """A dict as ``[[key, value], ...]`` (keys keep their type); anything else as it is."""
    if isinstance(mapping, dict):
        return [[plain(key), plain(value)] for key, value in mapping.items()]
    return plain(mapping)


def unpairs(items) -> dict:
    """The dict written by :func:`pairs`."""
    return {key: value for key, value in items}


def input_state(estimator) -> dict:
    """``n_features_in_`` and ``feature_names_in_`` (None when fitted without names)."""
    names = getattr(estimator, "feature_names_in_", None)
    return {
        "n_features_in": int(estimator.n_features_in_),
        "feature_names_in": None if names is None else [str(name) for name in names],
    }


def set_input_state(estimator, state: dict) -> None:
    """Set what :func:`input_state` wrote on a new estimator."""
    estimator.n_features_in_ = int(state["n_features_in"])
    if state["feature_names_in"] is not None:
        estimator.feature_names_in_ = np.asarray(state["feature_names_in"], dtype=object)


class StepState:
    """``get_state``/``from_state`` written once for the data steps (a mixin).

    The document is ``{"params": constructor arguments, "input": input_state(step)}`` plus one
    entry per fitted attribute named in the class's ``_state_fields``, keyed by the attribute
    without its trailing underscore (``text_columns_`` → ``"text_columns"``). A step declares:

    - ``_state_fields``: ``{attribute: kind}``; kind "list" (a list of labels or values),
      "mapping" (a dict keyed by column, written with :func:`pairs`), "int", or "value" (already
      JSON: a dict with text keys, a number, a string).
    - ``_mapping_params``: constructor arguments that may be a dict keyed by column (written
      with :func:`pairs`, read back as dicts); ``_tuple_params``: arguments read back as tuples.

    A step with more to its state (a sub-step, an encoder) extends both methods and calls
    these.
    """

    _state_fields: dict = {}
    _mapping_params: tuple = ()
    _tuple_params: tuple = ()

    def get_state(self) -> dict:
        """Return the parameters and everything learned, as JSON-compatible values."""
        check_is_fitted(self)
        params = {
            name: pairs(value) if name in self._mapping_params else plain(value)
            for name, value in self.get_params(deep=False).items()
        }
        state = {"params": params, "input": input_state(self)}
        for attribute, kind in self._state_fields.items():
            state[attribute.rstrip("_")] = _WRITE[kind](getattr(self, attribute))
        return state

    @classmethod
    def from_state(cls, state: dict):
        """Return the fitted step whose :meth:`get_state` gave ``state``."""
        params = dict(state["params"])
        for name in cls._mapping_params:
            if isinstance(params[name], list):
                params[name] = unpairs(params[name])
        for name in cls._tuple_params:
            if params[name] is not None:
                params[name] = tuple(params[name])
        model = cls(**params)
        set_input_state(model, state["input"])
        for attribute, kind in cls._state_fields.items():
            setattr(model, attribute, _READ[kind](state[attribute.rstrip("_")]))
        return model


_WRITE = {"list": plain, "mapping": pairs, "int": int, "value": plain}
_READ = {"list": list, "mapping": unpairs, "int": int, "value": copy.deepcopy}


def own_output(step):
    """Return ``step`` set to give what it computes (its frames, a scaler's arrays) whatever
    ``sklearn.set_config(transform_output=...)`` says: the Preprocessor alone follows
    ``set_output`` (in ``Preprocessor._output``); the scalers mlpkit makes or loads never do."""
    return step.set_output(transform="default") if hasattr(step, "set_output") else step
