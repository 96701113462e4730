"""Class weights as row weights: ``class_weight`` ("balanced" or ``{label: weight}``) read
against the labels of y, with errors that name the label at fault.

``"balanced"`` gives class c the weight n / (k · n_c) (scikit-learn's
``compute_sample_weight``). In a dict, a class of y that the dict does not name keeps weight 1,
as in scikit-learn; a key that is not a class of y is refused, naming it and the classes (a
misspelt label, or a label of another type such as ``"0"`` for ``0``, would otherwise weight
nothing and pass unseen).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.utils.class_weight import compute_sample_weight


def row_class_weights(class_weight, y: np.ndarray, owner: str, classes=None) -> np.ndarray:
    """(n_samples,) weight of each row's class; ``y`` holds one label per row. ``classes``:
    every class the model has (``partial_fit``'s ``classes``, or ``classes_`` when a fit
    continues), when a batch of y may lack some; None: the labels of y.

    Raises:
        ValueError: (the parameter does not fit the data, as scikit-learn raises it) a key
            of ``class_weight`` that is not a class, naming the keys, the classes and, when
            the types differ, the type of each.
    """
    if not isinstance(class_weight, Mapping):
        return compute_sample_weight(class_weight, y)
    classes = np.unique(y) if classes is None else np.unique(np.asarray(classes))
    known = set(classes.tolist())
    unknown = [key for key in class_weight if key not in known]
    if unknown:
        raise ValueError(_unknown_labels(owner, unknown, classes))
    by_class = np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])
    index = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
    # a label outside ``classes`` weighs 1 here; the fit refuses it, naming it, right after
    return np.where(classes[index] == y, by_class[index], 1.0)


def _unknown_labels(owner: str, unknown: list, classes: np.ndarray) -> str:
    names = ", ".join(map(repr, unknown))
    listed = ", ".join(map(repr, classes.tolist()))
    text = (
        f"{owner} class_weight names label(s) {names}, which are not classes of y (classes: "
        f"{listed})."
    )
    key_types = sorted({type(key).__name__ for key in unknown})
    label_types = sorted({type(c).__name__ for c in classes.tolist()})
    if not set(key_types) & set(label_types):
        text += (
            f" The keys are {'/'.join(key_types)} but the labels are {'/'.join(label_types)}: "
            f"write the keys as the labels of y are, e.g. {{{classes.tolist()[0]!r}: 2.0}}."
        )
    else:
        text += " Remove the keys that are not labels, or check y."
    return text + " A class the dict leaves out keeps weight 1."
