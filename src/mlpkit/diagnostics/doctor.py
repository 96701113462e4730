"""``mk.doctor``: a short probe run of a copy of the network, then a verdict per rule.

    report = mk.doctor(net, X, y, loss="binary_cross_entropy")
    print(report)                       # one line per rule: OK / WARN / FAIL, numbers, fix
    report.verdicts                     # [{"rule", "status", "evidence", "advice", ...}]

The probe trains a twin of the network (:mod:`.twin`: the user's network, optimizer and random
streams do not move) for ``epochs`` epochs with :class:`~.statistics.LayerStatistics`, holding
out ``validation_split`` of the rows (the same rows ``fit`` would pick). With ``history=`` (a
finished fit's History) nothing is trained: the rules read that history and the network's
current weights. The rules are in :mod:`.rules` and :mod:`.data_rules`, their thresholds in
:mod:`.thresholds`.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._checks import check_integer
from .._validation import n_rows, take_rows
from ..training import preparation
from . import data_rules, rules
from .evidence import Evidence, baseline_loss, class_scores, hidden_keys
from .probe import probe_statistics
from .report import DoctorReport
from .statistics import LayerStatistics
from .thresholds import thresholds_from
from .twin import check_fused_output, network_of, require_built, resolve_loss, twin

#: The rules, in the order of the report.
RULES = (
    rules.vanishing_gradients,
    rules.exploding_gradients,
    rules.dying_relu,
    rules.saturation,
    rules.initialization,
    rules.learning_rate_too_high,
    rules.learning_rate_too_low,
    data_rules.unscaled_inputs,
    data_rules.unscaled_targets,
    data_rules.overfitting,
    data_rules.accuracy_paradox,
)


def doctor(
    model,
    X,
    y,
    loss=None,
    *,
    history=None,
    epochs: int = 20,
    batch_size: int | None = 32,
    optimizer=None,
    validation_data=None,
    validation_split: float = 0.2,
    probe_rows: int = 256,
    thresholds=None,
) -> DoctorReport:
    """Diagnose a network's training: a verdict (ok / warn / fail) per rule.

    Args:
        model: an ``mk.Sequential`` (built or not: an unbuilt one is diagnosed at the weights
            its ``random_state`` gives it) or a fitted mlpkit estimator.
        X, y: the training data, as ``fit`` takes them.
        loss: as ``fit`` takes it; defaults to the network's loss from its last fit.
        history: a finished fit's History (or its dict): judge it instead of a probe run.
        epochs, batch_size, optimizer: the probe run's (the optimizer defaults to the
            network's, with its state, or Adam).
        validation_data, validation_split: rows held out of the probe run for the validation
            loss and the class scores (``validation_split=0`` holds none out).
        probe_rows: how many training rows the activation statistics are measured on.
        thresholds: a dict of overrides such as ``{"dead_relu_warn": 0.2}`` or a
            :class:`~.thresholds.Thresholds`.

    Returns:
        DoctorReport: ``verdicts`` (one dict per rule that could judge), ``skipped`` (rules
        that could not, and why), the probe's ``history`` and ``statistics``.
    """
    limits = thresholds_from(thresholds)
    check_integer("probe_rows", probe_rows, low=1, owner="doctor")
    net = network_of(model, "doctor")
    loss = resolve_loss(net, loss, "doctor")
    check_fused_output(net, loss, "doctor")
    if history is not None:
        require_built(net, "doctor(history=...)")
    work = twin(net)
    X_train, y_train, validation = _split(work, X, y, validation_data, validation_split, history)
    probe = take_rows(X_train, np.arange(min(n_rows(X_train), probe_rows)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if history is None:
            fit = {"epochs": epochs, "batch_size": batch_size, "optimizer": optimizer}
            run = _probe_run(work, X_train, y_train, loss, validation, probe, limits, **fit)
        else:
            run = _judged_history(work, probe, limits, history)
        evidence = _evidence(work, loss, X_train, y_train, validation, *run)
    notes = list(dict.fromkeys(str(w.message) for w in caught))
    return _judge(evidence, limits, run[3], notes)


def _split(work, X, y, validation_data, validation_split, history):
    """(X_train, y_train, (X_val, y_val) or None): the rows fit's ``validation_split`` would
    hold out, by the network's own split seed; all rows when judging a given history."""
    if validation_data is not None or history is not None or not validation_split:
        return X, y, validation_data
    if n_rows(X) != n_rows(y):
        raise ValueError(f"doctor: X has {n_rows(X)} rows but y has {n_rows(y)}; they must match.")
    rng = np.random.default_rng(work.split_seed)
    train, val = preparation.validation_rows(n_rows(X), validation_split, rng)
    return take_rows(X, train), take_rows(y, train), (take_rows(X, val), take_rows(y, val))


def _probe_run(work, X, y, loss, validation, probe, limits, **fit):
    """Train the twin with LayerStatistics: (history, diverged, initial, statistics)."""
    stats = LayerStatistics(probe, saturation_margin=limits.saturation_margin)
    found = work.fit(
        X, y, loss=loss, validation_data=validation, callbacks=[stats], verbose=0, **fit
    )
    return found.history, found.diverged, stats.initial, stats


def _judged_history(work, probe, limits, history):
    """A given History judged at the network's current weights: (history, diverged,
    probe statistics, None)."""
    values = dict(getattr(history, "history", history))
    rows = preparation.transform_inputs(work, probe, name="X", purpose="evaluating")[0]
    return (
        values,
        getattr(history, "diverged", None),
        probe_statistics(work, rows, limits.saturation_margin),
        None,
    )


def _evidence(work, loss, X, y, validation, history, diverged, initial, stats) -> Evidence:
    """The Evidence of the twin after the run, its training rows and its scored rows."""
    train = preparation.dataset(work, X, y, loss)
    final = initial if stats is None else _last(stats.history)
    scored, rows = (
        ((X, y), "training rows") if validation is None else (validation, "validation rows")
    )
    return Evidence(
        history=history,
        diverged=diverged,
        initial=initial,
        final=final or initial,
        hidden=hidden_keys(work),
        inputs=train.X,
        targets=train.y,
        task=work.task,
        baseline_loss=baseline_loss(loss, train.y),
        scores=class_scores(work, *scored, rows),
    )


def _last(history: dict) -> dict:
    return {key: values[-1] for key, values in history.items() if values}


def _judge(evidence, limits, stats, notes) -> DoctorReport:
    verdicts, skipped = [], []
    for rule in RULES:
        with np.errstate(all="ignore"):
            found = rule(evidence, limits)
        if isinstance(found, rules.Skip):
            skipped.append({"rule": found.rule, "reason": found.reason})
        else:
            verdicts.append(found)
    return DoctorReport(verdicts, skipped, evidence.history, stats, notes, limits)


__all__ = ["RULES", "doctor"]
