"""Judge a trained model: a task-aware report, stability over seeds and splits, bias and variance.

* :func:`evaluate` scores a network, an estimator or a Pipeline ending in one on (X, y) in the
  user's labels and returns an :class:`EvaluationReport` (JSON-serialisable), warning when
  accuracy is misleading (:mod:`.scoring`; what a model is to the evaluation: :mod:`.models`).
* :func:`stability` retrains one configuration with several seeds (and splits) and summarises
  each test metric by its mean, std, min and max (:mod:`.runs`).
* :func:`complexity_curve` and :func:`bias_variance` show under- and over-fitting
  (:mod:`.capacity`).
"""

from .capacity import bias_variance, complexity_curve
from .models import (
    TASKS,
    ScoredModel,
    label_text,
    names_of,
    network_of,
    scored_model,
    unit_indices,
)
from .runs import stability
from .scoring import PARADOX_MARGIN, EvaluationReport, evaluate, paradox_warnings, report_of

__all__ = [
    "PARADOX_MARGIN",
    "TASKS",
    "EvaluationReport",
    "ScoredModel",
    "bias_variance",
    "complexity_curve",
    "evaluate",
    "label_text",
    "names_of",
    "network_of",
    "paradox_warnings",
    "report_of",
    "scored_model",
    "stability",
    "unit_indices",
]
