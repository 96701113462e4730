"""The numbers at which the doctor's rules warn or fail: defaults, their sources, overrides.

Every threshold is a field of :class:`Thresholds`; pass ``thresholds={"dead_relu_warn": 0.2}``
(or a ``Thresholds``) to ``mk.doctor`` to change any of them. Defaults and sources:

- ``vanishing_warn`` 1e-2, ``vanishing_fail`` 1e-4: the first layer's ‖g‖₂ ÷ the last
  layer's (medians over the probe's epochs) below this. Hochreiter (1991) and Glorot & Bengio
  (2010) show the ratio falling by orders of magnitude in deep sigmoid nets; a 20-layer
  ReLU/He net stays near 0.2 (measured in tests/diagnostics).
- ``exploding_norm_warn`` 1e2, ``exploding_norm_fail`` 1e4: the largest batch ‖g‖₂ of the
  probe (standardised data give 0.1–10; Pascanu et al. 2013 clip at a few times the usual
  norm); ``exploding_ratio`` 1e2: first ÷ last layer's ‖g‖₂ above it (growing toward the
  inputs) warns too; a non-finite gradient fails.
- ``dead_relu_warn`` 0.3, ``dead_relu_fail`` 0.6: the share of a ReLU layer's units never
  active on the probe rows (CS231n notes: "as much as 40% of your network can be dead").
- ``saturation_warn`` 0.3, ``saturation_fail`` 0.6: the share of a hidden sigmoid/tanh
  layer's units saturated on half the probe rows, where f'(z) < ``saturation_margin`` (0.05)
  times its largest value (LeCun et al. 1998, Efficient BackProp §4.4; Glorot & Bengio 2010).
- ``init_warn`` 10, ``init_fail`` 1e3: std(z) of the last hidden layer ÷ the first's at the
  starting weights, above this or below its inverse: the variance is not kept from layer to
  layer (Glorot & Bengio 2010; He et al. 2015).
- ``oscillation_warn`` 0.25: the share of epoch-to-epoch changes of the training loss that
  rise by more than ``rise`` (0.01) of the first epoch's loss; a loss that ends above where it
  began fails (Smith 2017: a ragged or rising loss means the rate is past its useful range).
- ``progress_warn`` 0.1, ``baseline_share`` 0.9: the loss fell by less than 10% over the probe
  while still above 90% of the best constant prediction's loss: no progress (rate too low).
- ``input_scale`` 10: a feature's |mean| or std above this (LeCun et al. 1998 §4.3: zero
  mean, unit variance); ``input_spread`` 1e3: largest ÷ smallest column std (the factor of
  fit's own warning, ``mlpkit.training.preparation.SCALE_RATIO``); ``magnitude_fail`` 1e6:
  any input or regression target beyond this (fit's magnitude rule,
  ``mlpkit.training.blowup.LARGE``).
- ``target_scale`` 10: a regression target's |mean| or std above this, in the network's units.
- ``overfit_warn`` 10, ``overfit_fail`` 50: Prechelt's (1998) generalisation loss
  GL = 100·(last val_loss ÷ lowest val_loss − 1), in percent, while the training loss falls.
- ``imbalance`` 0.75: a majority class of at least 75% of the rows (He & Garcia 2009) on
  which the evaluation finds the accuracy paradox (:func:`mlpkit.evaluation.paradox_warnings`:
  accuracy within ``PARADOX_MARGIN`` = 0.1 of the majority guess's errors, or a minority class
  never found).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..exceptions import ConfigError
from ..training.blowup import LARGE
from ..training.preparation import SCALE_RATIO
from .statistics import SATURATION_MARGIN


@dataclass(frozen=True)
class Thresholds:
    """The doctor's thresholds (see the module docstring for each one and its source)."""

    vanishing_warn: float = 1e-2
    vanishing_fail: float = 1e-4
    exploding_ratio: float = 1e2
    exploding_norm_warn: float = 1e2
    exploding_norm_fail: float = 1e4
    dead_relu_warn: float = 0.3
    dead_relu_fail: float = 0.6
    saturation_warn: float = 0.3
    saturation_fail: float = 0.6
    saturation_margin: float = SATURATION_MARGIN
    init_warn: float = 10.0
    init_fail: float = 1e3
    oscillation_warn: float = 0.25
    rise: float = 0.01
    progress_warn: float = 0.1
    baseline_share: float = 0.9
    input_scale: float = 10.0
    input_spread: float = SCALE_RATIO
    magnitude_fail: float = LARGE
    target_scale: float = 10.0
    overfit_warn: float = 10.0
    overfit_fail: float = 50.0
    imbalance: float = 0.75


def thresholds_from(value) -> Thresholds:
    """A :class:`Thresholds` from None (the defaults), a Thresholds, or a dict of overrides."""
    if value is None:
        return Thresholds()
    if isinstance(value, Thresholds):
        return value
    if not isinstance(value, dict):
        raise TypeError(
            f"doctor thresholds must be a dict such as {{'dead_relu_warn': 0.2}} or a "
            f"Thresholds; got thresholds={value!r}."
        )
    names = [field.name for field in dataclasses.fields(Thresholds)]
    unknown = [key for key in value if key not in names]
    if unknown:
        raise ConfigError(
            f"doctor thresholds: unknown name(s) {unknown}. Known: {', '.join(names)}."
        )
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, (int, float)) or number < 0:
            raise ConfigError(
                f"doctor threshold {key} must be a number >= 0, got {key}={number!r}."
            )
    return dataclasses.replace(Thresholds(), **{k: float(v) for k, v in value.items()})


__all__ = ["Thresholds", "thresholds_from"]
