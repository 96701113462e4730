"""The table ``mlpkit predict`` writes: row ids, then labels and probabilities, or values.

Columns, after the row-id columns (or ``row``, the row number from 0):

* a binary or multi-class model: ``prediction`` (the label) and ``proba_<label>`` for every
  class, in the model's class order;
* a multi-label model: ``prediction_<label>`` (0/1) and ``proba_<label>`` per label;
* a regression: ``prediction`` (one output) or ``prediction_<j>`` per output, in the target's
  own units;
* a network that never learned a target: ``output_<j>``, its raw outputs.
"""

from __future__ import annotations

import numpy as np

from .conventions import BAD_DATA, CommandError


def predictions_frame(found, ids: list[str], threshold: float, data: str):
    """The predictions of ``found.model`` for ``found.X`` (see the module docstring)."""
    import pandas as pd

    frame = found.frame
    if ids:
        table = frame[ids].reset_index(drop=True)
    else:
        table = pd.DataFrame({"row": np.arange(len(frame))})
    try:
        columns = prediction_columns(found.network, found.X, threshold)
    except (ValueError, TypeError) as error:
        raise CommandError(f"{data} cannot be scored by this model: {error}", BAD_DATA) from error
    clash = [name for name in columns if name in table.columns]
    if clash:
        raise CommandError(
            f"the id column(s) {clash} have the names of prediction columns; rename them in "
            f"{data} or leave them out of --id.",
            BAD_DATA,
        )
    for name, values in columns.items():
        table[name] = values
    return table


def prediction_columns(net, X, threshold: float) -> dict[str, np.ndarray]:
    """Column name → values, for every output of ``net`` on ``X``."""
    from mlpkit.evaluation import names_of

    output = np.asarray(net.predict(X))
    output = output.reshape(len(output), -1)
    target = net.target
    if target is None:
        return {f"output_{j}": output[:, j] for j in range(output.shape[1])}
    if not target.classification:
        if output.shape[1] == 1:
            return {"prediction": output[:, 0]}
        return {f"prediction_{j}": output[:, j] for j in range(output.shape[1])}
    classes = names_of(net.classes_)
    labels = net.target.labels(output, threshold)
    if net.task == "multilabel":
        columns = {f"prediction_{label}": labels[:, j] for j, label in enumerate(classes)}
        columns.update({f"proba_{label}": output[:, j] for j, label in enumerate(classes)})
        return columns
    if output.shape[1] == 1:  # one sigmoid: the probability of classes_[1]
        output = np.hstack([1 - output, output])
    columns = {"prediction": labels}
    columns.update({f"proba_{label}": output[:, j] for j, label in enumerate(classes)})
    return columns
