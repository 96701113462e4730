"""The table ``mlpkit predict`` writes: row ids, then labels and probabilities, or values.

The model is a network, an estimator or an ``Ensemble`` (its weighted mean probabilities or
values, labelled as one member labels its own).

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

from .conventions import BAD_DATA, CommandError, as_bad_data


def predictions_frame(found, ids: list[str], threshold: float, data: str):
    """The predictions of ``found.model`` for ``found.X`` (see the module docstring)."""
    import pandas as pd

    frame = found.frame
    if ids:
        table = frame[ids].reset_index(drop=True)
    else:
        table = pd.DataFrame({"row": np.arange(len(frame))})
    columns = as_bad_data(
        lambda: prediction_columns(found.network, model_output(found), threshold),
        f"{data} cannot be scored by this model",
    )
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


def model_output(found) -> np.ndarray:
    """``found.model``'s output for ``found.X`` as its network gives it (n_rows, n_outputs):
    probabilities of a sigmoid (of ``classes_[1]`` for two classes) or softmax output, values
    in the target's units, or raw outputs. An ensemble's is the weighted mean of its members'
    (``Ensemble.predict_proba`` or ``predict``) in that layout."""
    from mlpkit.ensemble import Ensemble

    model, net = found.model, found.network
    if not isinstance(model, Ensemble):
        output = np.asarray(net.predict(found.X))
    elif model.classes_ is None:
        output = np.asarray(model.predict(found.X))
    else:
        output = model.predict_proba(found.X)
        if net.n_outputs == 1:  # one sigmoid: keep the probability of classes_[1]
            output = output[:, 1:]
    return output.reshape(len(output), -1)


def prediction_columns(net, output: np.ndarray, threshold: float) -> dict[str, np.ndarray]:
    """Column name → values, for every column of ``net``'s ``output`` (n_rows, n_outputs)."""
    from mlpkit.evaluation import names_of

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
