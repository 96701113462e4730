"""The table of confusion-matrix ratios (Wikipedia, "Confusion matrix"), per class and averaged.

Each class c is judged one-vs-rest: a row is *positive* when its true class is c, *predicted
positive* when its predicted class is c. From the counts TP, FP, FN, TN (P = TP + FN positives,
N = FP + TN negatives, n = P + N):

====================  ==================================================  =======================
key                   formula                                             also called
====================  ==================================================  =======================
tpr                   TP / P                                              recall, sensitivity
tnr                   TN / N                                              specificity
ppv                   TP / (TP + FP)                                      precision
npv                   TN / (TN + FN)
fpr                   FP / N = 1 − TNR                                    fall-out
fnr                   FN / P = 1 − TPR                                    miss rate
fdr                   FP / (TP + FP) = 1 − PPV
for                   FN / (TN + FN) = 1 − NPV                            false omission rate
lr_plus               TPR / FPR                                           positive likelihood r.
lr_minus              FNR / TNR                                           negative likelihood r.
dor                   LR+ / LR− (= TP·TN / (FP·FN))                       diagnostic odds ratio
mcc                   (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN))   Matthews correlation
informedness          TPR + TNR − 1                                       Youden's J, bookmaker
markedness            PPV + NPV − 1                                       Δp
threat_score          TP / (TP + FN + FP)                                 critical success index
fowlkes_mallows       √(PPV · TPR)
prevalence            P / n
prevalence_threshold  (√(TPR · FPR) − FPR) / (TPR − FPR)
accuracy              (TP + TN) / n
balanced_accuracy     (TPR + TNR) / 2
f1                    2·TP / (2·TP + FP + FN)
====================  ==================================================  =======================

A ratio whose
denominator is 0 is **NaN** (never 0, never ±inf: LR+ with no false positive is NaN, not
infinity), and a ratio built from a NaN is NaN; ``mk.evaluate``'s JSON writes NaN as null. MCC
is ``sklearn.metrics.matthews_corrcoef`` on the one-vs-rest labels (NaN where scikit-learn
returns 0 for a zero denominator), the counts are ``sklearn.metrics.confusion_matrix``.

**Averaged** ("macro"): each ratio's unweighted mean over the classes for which it is defined
(NaN classes are left out, as scikit-learn's ``zero_division=np.nan`` does; NaN if no class has
it), every class counting the same however rare. So macro TPR is scikit-learn's balanced
accuracy. The counts are not averaged.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn import metrics as skm

#: The ratio keys, in the order of the table above.
RATIOS = (
    "tpr",
    "tnr",
    "ppv",
    "npv",
    "fpr",
    "fnr",
    "fdr",
    "for",
    "lr_plus",
    "lr_minus",
    "dor",
    "mcc",
    "informedness",
    "markedness",
    "threat_score",
    "fowlkes_mallows",
    "prevalence",
    "prevalence_threshold",
    "accuracy",
    "balanced_accuracy",
    "f1",
)
COUNTS = ("tp", "fp", "fn", "tn")


def ratios_from_counts(tp, fp, fn, tn) -> dict[str, np.ndarray]:
    """Every ratio of the module's table from the counts (numbers or equal-shape arrays, one
    entry per class), NaN where a denominator is 0; MCC here by its formula.

    Example:
        Wikipedia's 12 people, 8 with cancer: TP 6, FN 2, FP 1, TN 3 give TPR 0.75, PPV 6/7,
        LR+ 3, DOR 9: ``ratios_from_counts(6, 1, 2, 3)["dor"]`` is 9.0.
    """
    tp, fp, fn, tn = (np.asarray(count, dtype=np.float64) for count in (tp, fp, fn, tn))
    positives, negatives = tp + fn, fp + tn
    r = {
        "tpr": _divide(tp, positives),
        "tnr": _divide(tn, negatives),
        "ppv": _divide(tp, tp + fp),
        "npv": _divide(tn, tn + fn),
        "fpr": _divide(fp, negatives),
        "fnr": _divide(fn, positives),
        "fdr": _divide(fp, tp + fp),
        "for": _divide(fn, tn + fn),
    }
    r["lr_plus"] = _divide(r["tpr"], r["fpr"])
    r["lr_minus"] = _divide(r["fnr"], r["tnr"])
    r["dor"] = _divide(r["lr_plus"], r["lr_minus"])
    product = (tp + fp) * positives * negatives * (tn + fn)
    r["mcc"] = _divide(tp * tn - fp * fn, np.sqrt(product))
    r["informedness"] = r["tpr"] + r["tnr"] - 1
    r["markedness"] = r["ppv"] + r["npv"] - 1
    r["threat_score"] = _divide(tp, tp + fn + fp)
    r["fowlkes_mallows"] = np.sqrt(r["ppv"] * r["tpr"])
    r["prevalence"] = _divide(positives, positives + negatives)
    r["prevalence_threshold"] = _divide(
        np.sqrt(r["tpr"] * r["fpr"]) - r["fpr"], r["tpr"] - r["fpr"]
    )
    r["accuracy"] = _divide(tp + tn, positives + negatives)
    r["balanced_accuracy"] = (r["tpr"] + r["tnr"]) / 2
    r["f1"] = _divide(2 * tp, 2 * tp + fp + fn)
    return {key: np.asarray(r[key], dtype=np.float64) for key in RATIOS}


def one_vs_rest_counts(y_true, y_pred, labels) -> dict[str, np.ndarray]:
    """TP, FP, FN, TN of each label (arrays in ``labels`` order) from
    ``sklearn.metrics.confusion_matrix``: TP the diagonal, FP its column's rest, FN its row's."""
    matrix = skm.confusion_matrix(y_true, y_pred, labels=labels)
    tp = np.diag(matrix)
    fp, fn = matrix.sum(axis=0) - tp, matrix.sum(axis=1) - tp
    return {"tp": tp, "fp": fp, "fn": fn, "tn": matrix.sum() - tp - fp - fn}


def confusion_ratios(y_true, y_pred, *, labels=None) -> dict:
    """The whole ratio table of a classification: per class (one-vs-rest) and macro-averaged.

    Args:
        y_true: true labels, shape (n_samples,); or a 0/1 matrix (n_samples, n_labels) for
            multi-label, each column then judged on its own (label present or not).
        y_pred: predicted labels (or the predicted 0/1 matrix), the same shape.
        labels: the classes, in order. Defaults to the sorted union of the labels in y_true
            and y_pred (for a matrix: the column indices).

    Returns:
        ``{"per_class": {label: {"tp", "fp", "fn", "tn", "tpr", ..., "f1"}}, "macro": {"tpr",
        ..., "f1"}}``: counts as ints, ratios as floats (NaN when undefined), keys as in the
        module's table.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim == 2:
        columns = range(y_true.shape[1])
        labels = list(columns) if labels is None else list(labels)
        truth, found = y_true.astype(bool), y_pred.astype(bool)
        counts = {
            "tp": (truth & found).sum(axis=0),
            "fp": (~truth & found).sum(axis=0),
            "fn": (truth & ~found).sum(axis=0),
            "tn": (~truth & ~found).sum(axis=0),
        }
        binary = [(truth[:, j], found[:, j]) for j in columns]
    else:
        if labels is None:
            labels = np.unique(np.concatenate([y_true, y_pred]))
        labels = list(labels)
        counts = one_vs_rest_counts(y_true, y_pred, labels)
        binary = [(y_true == label, y_pred == label) for label in labels]
    table = ratios_from_counts(**counts)
    table["mcc"] = np.array([_sklearn_mcc(t, p) for t, p in binary]) + 0 * table["mcc"]
    per_class = {
        _plain_label(label): {
            **{key: int(counts[key][j]) for key in COUNTS},
            **{key: float(table[key][j]) for key in RATIOS},
        }
        for j, label in enumerate(labels)
    }
    return {"per_class": per_class, "macro": {key: _macro(table[key]) for key in RATIOS}}


def _sklearn_mcc(truth: np.ndarray, predicted: np.ndarray) -> float:
    """``matthews_corrcoef`` of one class's yes/no labels; the caller's ``+ 0 * formula`` turns
    scikit-learn's 0 for a zero denominator into NaN."""
    return float(skm.matthews_corrcoef(truth, predicted))


def _macro(values: np.ndarray) -> float:
    defined = values[~np.isnan(values)]
    return float(defined.mean()) if defined.size else float("nan")


def _divide(numerator, denominator) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0 (or either is NaN)."""
    numerator, denominator = np.broadcast_arrays(
        np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    )
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        result = numerator / denominator
    return np.where(denominator == 0, np.nan, result)


def _plain_label(label):
    return label.item() if isinstance(label, np.generic) else label


__all__ = ["COUNTS", "RATIOS", "confusion_ratios", "one_vs_rest_counts", "ratios_from_counts"]
