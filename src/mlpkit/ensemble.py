"""``Ensemble``: a weighted average of fitted models, and its model file.

``predict_proba(X) = Σ_k w_k · P_k(X)`` with Σ w_k = 1 ((n_rows, n_classes), in ``classes_``
order); ``predict`` is the most probable class, or ``Σ_k w_k · ŷ_k(X)`` for values. A search
makes one by ensemble selection (:mod:`mlpkit.search.ensemble`); ``mk.search.auto`` returns it
as ``result.ensemble_``.

An ensemble of ``MLPClassifier`` or ``MLPRegressor`` members saves to one model file (no
pickle): the document ``{"class": "Ensemble", "weights", "trials", "members": [the members'
documents]}``, member k's arrays stored under ``member<k>/``. ``mk.load`` checks every member
as it checks a file of its own, and the members against each other (one kind, the same input
columns and classes).
"""

from __future__ import annotations

import numpy as np

from . import modelfile
from .estimators import MLPClassifier, MLPRegressor
from .exceptions import ConfigError
from .outputs import outputs_of
from .persistence.plan import member_prefix


class Ensemble:
    """A weighted average of fitted models: class probabilities for classes, values otherwise.

    Args:
        members: the fitted models (estimators, or anything with ``predict`` and, for
            classes, ``predict_proba`` and ``classes_``).
        weights: (n_members,) non-negative; scaled to sum to 1.
        trials: the search trial number of each member.
        classes: the class labels (None for values).

    Attributes:
        members, weights, trials: as given (the weights summing to 1).
        classes_: the class labels (None for values).
    """

    def __init__(self, members, weights, trials, classes=None):
        weights = np.asarray(weights, dtype=np.float64)
        if (
            len(members) == 0
            or len(members) != len(weights)
            or len(trials) != len(members)
            or np.any(weights < 0)
            or not weights.sum() > 0
        ):
            raise ConfigError(
                f"an Ensemble needs one non-negative weight and one trial number per member, "
                f"the weights not all 0; received {len(members)} members, weights "
                f"{weights.tolist()} and trials {list(trials)}."
            )
        self.members = list(members)
        self.weights = weights / weights.sum()
        self.trials = [int(t) for t in trials]
        self.classes_ = None if classes is None else np.asarray(classes)

    def _average(self, X) -> np.ndarray:
        return sum(w * outputs_of(m, X, self.classes_) for m, w in zip(self.members, self.weights))

    def predict_proba(self, X) -> np.ndarray:
        """(n_rows, n_classes) the weighted mean of the members' class probabilities."""
        if self.classes_ is None:
            raise ConfigError("predict_proba: this Ensemble predicts values, not classes.")
        return self._average(X)

    def predict(self, X) -> np.ndarray:
        """The most probable class of each row, or the weighted mean of the members' values."""
        average = self._average(X)
        if self.classes_ is None:
            return average
        return self.classes_[np.argmax(average, axis=1)]

    def save(self, path, *, overwrite: bool = False) -> str:
        """Save the ensemble — weights, trial numbers and every member — to one model file (no
        pickle); ``mk.load(path)`` returns the Ensemble. A file already there is a
        FileExistsError unless ``overwrite=True``. Returns the path."""
        return modelfile.save(self, path, overwrite=overwrite)

    def to_document(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The ensemble as a JSON document and named arrays (member k's under ``member<k>/``)."""
        documents, arrays = [], {}
        for k, member in enumerate(self.members):
            if not isinstance(member, MLPClassifier | MLPRegressor):
                raise ConfigError(
                    f"an Ensemble saves MLPClassifier or MLPRegressor members; member {k} "
                    f"(trial {self.trials[k]}) is a {type(member).__name__}. Save it on its "
                    f"own, or keep the ensemble in memory."
                )
            document, own = member.to_document()
            documents.append(document)
            arrays.update({member_prefix(k) + name: array for name, array in own.items()})
        document = {
            "class": type(self).__name__,
            "weights": self.weights.tolist(),
            "trials": self.trials,
            "members": documents,
        }
        return document, arrays

    def __repr__(self) -> str:
        parts = ", ".join(f"trial {t}: {w:.2f}" for t, w in zip(self.trials, self.weights))
        return f"Ensemble({len(self.members)} members; {parts})"
