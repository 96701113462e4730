"""The doctor's rules about the data and about generalisation: unscaled inputs or targets,
overfitting, and the accuracy paradox on imbalanced classes (see :mod:`.rules` for the verdict
format and :mod:`.thresholds` for the numbers)."""

from __future__ import annotations

import numpy as np

from ..evaluation.scoring import PARADOX_MARGIN
from ..training.preparation import column_std
from .rules import FAIL, OK, WARN, Skip, verdict


def _scale(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and standard deviations (float64) of (n, d) values."""
    mean = np.add.reduce(values, axis=0, dtype=np.float64) / max(values.shape[0], 1)
    return mean, column_std(values)


def unscaled_inputs(ev, t) -> dict:
    """max_j max(|μ_j|, σ_j) > input_scale or max σ ÷ min σ > input_spread warns; any |x| >
    magnitude_fail fails (columns of the network's inputs, after any preprocessor)."""
    mean, std = _scale(ev.inputs)
    largest = float(np.max(np.abs(ev.inputs))) if ev.inputs.size else 0.0
    size = float(max(np.max(np.abs(mean)), np.max(std)))
    varying = std[std > 0]
    spread = float(varying.max() / varying.min()) if varying.size > 1 else 1.0
    far = size > t.input_scale or spread > t.input_spread
    status = FAIL if largest > t.magnitude_fail else WARN if far else OK
    column = int(np.argmax(np.maximum(np.abs(mean), std)))
    return verdict(
        "unscaled_inputs",
        status,
        f"largest feature |mean| or std {size:.3g} (column {column}); column stds differ by a "
        f"factor {spread:.3g}; largest |x| {largest:.3g}",
        "Standardise the inputs (zero mean, unit variance): preprocessor=mk.data.Preprocessor() "
        "in the network, or mk.data.StandardScaler() fitted on the training rows.",
        f"warn when a |mean| or std exceeds {t.input_scale:g} or the stds differ by more than "
        f"{t.input_spread:g}x, fail beyond |x| = {t.magnitude_fail:g}",
        size=size,
        spread=spread,
        largest=largest,
    )


def unscaled_targets(ev, t) -> dict | Skip:
    """A regression's max_k max(|μ_k|, σ_k) of y in the network's units > target_scale warns;
    any |y| > magnitude_fail fails."""
    if ev.task != "regression":
        return Skip("unscaled_targets", "a classification: the targets are labels")
    mean, std = _scale(ev.targets)
    size = float(max(np.max(np.abs(mean)), np.max(std)))
    largest = float(np.max(np.abs(ev.targets))) if ev.targets.size else 0.0
    status = FAIL if largest > t.magnitude_fail else WARN if size > t.target_scale else OK
    return verdict(
        "unscaled_targets",
        status,
        f"the targets' largest |mean| or std is {size:.3g} in the network's units",
        "Scale the target: Sequential(..., target_scaler='standard') trains on z-scores and "
        "still predicts in your units.",
        f"warn above {t.target_scale:g}, fail beyond |y| = {t.magnitude_fail:g}",
        size=size,
    )


def overfitting(ev, t) -> dict | Skip:
    """GL = 100·(val_last ÷ min val − 1) (Prechelt 1998) past overfit_warn / _fail, while the
    training loss is below its value at the best validation epoch."""
    val = np.asarray(ev.history.get("val_loss", []), dtype=float)
    train = np.asarray(ev.history.get("loss", []), dtype=float)
    if len(val) < 3 or len(train) != len(val) or not np.isfinite(val).all():
        return Skip("overfitting", "no validation loss over three epochs or more")
    best = int(np.argmin(val))
    gl = 100.0 * (val[-1] / val[best] - 1) if val[best] > 0 else 0.0
    falling = train[-1] < train[best]
    status = OK
    if falling:
        status = FAIL if gl > t.overfit_fail else WARN if gl > t.overfit_warn else OK
    return verdict(
        "overfitting",
        status,
        f"val_loss lowest {val[best]:.4g} at epoch {best + 1}, {val[-1]:.4g} at the end "
        f"(GL = {gl:.1f}%), while the training loss went {train[best]:.4g} → {train[-1]:.4g}",
        "Stop early (mk.callbacks.EarlyStopping(restore_best_weights=True)), add weight decay "
        "or dropout, use a smaller network or more data.",
        f"warn when GL exceeds {t.overfit_warn:g}%, fail beyond {t.overfit_fail:g}%, while the "
        f"training loss falls (Prechelt 1998)",
        gl=float(gl),
        best_epoch=best,
    )


def accuracy_paradox(ev, t) -> dict | Skip:
    """Fail when the majority share ≥ imbalance and the evaluation's paradox_warnings find
    the accuracy no better than the majority guess, or a minority class never found; warn on
    the same findings with balanced classes, where they are no paradox (a high accuracy that
    only reflects the majority) but a model that learned less than a constant guess."""
    scores = ev.scores
    if scores is None:
        return Skip("accuracy_paradox", "not a binary or multi-class classification")
    majority, accuracy = scores["majority_share"], scores["accuracy"]
    imbalanced = majority >= t.imbalance
    if scores["paradox"] and not imbalanced:
        return _no_better_than_a_guess(scores, t)
    status = FAIL if imbalanced and scores["paradox"] else OK
    found = " ".join(scores["paradox"]) or "no accuracy-paradox finding"
    return verdict(
        "accuracy_paradox",
        status,
        f"majority class {majority:.1%} of the {scores['rows']}, accuracy {accuracy:.1%}: {found}",
        "The accuracy only reflects the majority class: read recall, precision, balanced "
        "accuracy or AUC; weight the classes (sample_weight) or resample, and choose the "
        "decision threshold from a precision-recall curve.",
        _paradox_threshold(t),
        majority_share=majority,
        accuracy=accuracy,
    )


def _paradox_threshold(t) -> str:
    return (
        f"fail when the majority share is at least {t.imbalance:.0%} and the evaluation finds "
        f"the paradox (accuracy within {PARADOX_MARGIN:g}·(1 − share) of the majority guess, "
        f"or a minority class never found); warn on those findings with balanced classes"
    )


def _no_better_than_a_guess(scores: dict, t) -> dict:
    """WARN: balanced classes, yet the model is no better than always guessing the majority."""
    majority, accuracy = scores["majority_share"], scores["accuracy"]
    return verdict(
        "accuracy_paradox",
        WARN,
        f"majority class {majority:.1%} of the {scores['rows']} (balanced: below "
        f"{t.imbalance:.0%}, so no paradox), accuracy {accuracy:.1%}: the model does no better "
        f"than always predicting the majority class, or never finds a class",
        "The model has not learned the task: read the training rules first (dead units, "
        "vanishing gradients, the learning rate), then train longer.",
        _paradox_threshold(t),
        majority_share=majority,
        accuracy=accuracy,
    )
