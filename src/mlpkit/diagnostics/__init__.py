"""The training doctor, the learning-rate finder and explain mode: see inside a network.

- :func:`doctor` (``mk.doctor``): a short probe run and a verdict per rule (vanishing or
  exploding gradients, dying ReLU, saturation, initialisation, learning rate, unscaled data,
  overfitting, the accuracy paradox), each with its numbers, threshold and fix;
- :class:`LayerStatistics`: the per-layer statistics during ``fit`` (a callback, off by
  default);
- :func:`lr_find` (``mk.lr_find``): loss against an exponentially growing learning rate;
- :func:`explain` (``mk.explain``): every number of one forward and backward pass and update.

See docs/doctor.md.
"""

from .doctor import RULES, doctor
from .explain import explain
from .explanation import Explanation
from .lr_finder import LRFinderResult, lr_find
from .report import DoctorReport
from .statistics import LayerStatistics
from .thresholds import Thresholds

__all__ = [
    "RULES",
    "DoctorReport",
    "Explanation",
    "LRFinderResult",
    "LayerStatistics",
    "Thresholds",
    "doctor",
    "explain",
    "lr_find",
]
