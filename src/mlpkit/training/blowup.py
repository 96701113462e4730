"""Numerical blow-ups caught while the numbers are still finite.

A non-finite loss or gradient already stops a fit (see :mod:`.trainer`); these rules catch
the runs that go wrong without ever overflowing:

- **growth** (stops the fit): a batch loss ℓₜ > GROWTH · max(ℓ₀, FLOOR), ℓ₀ the fit's first
  batch loss (at the weights it started from) — the loss grew by orders of magnitude, the
  mark of a learning rate far too large;
- **flat** (warns once): the last FLAT_EPOCHS epoch losses L all within a relative
  FLAT_TOLERANCE of each other, max L − min L ≤ FLAT_TOLERANCE · |L|, while L > 0 — the loss
  never moves, as when the targets are so large (1e12) that the steps cannot change it;
- **magnitude** (warns at fit start): inputs, or a regression's targets, of magnitude above
  LARGE, which saturate activations or dwarf the steps; the fix is a scaler.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..exceptions import DivergenceWarning
from .state import Stateful

GROWTH = 1e4
FLOOR = 1e-3
FLAT_EPOCHS = 5
FLAT_TOLERANCE = 1e-6
LARGE = 1e6


class BlowUpGuard(Stateful):
    """The growth and flat rules over one fit's losses (see the module docstring).

    Attributes:
        start: ℓ₀, the fit's first batch loss, or None before it.
        recent: the last FLAT_EPOCHS epoch losses.
    """

    state_attributes = ("start", "recent", "warned_flat")

    def __init__(self) -> None:
        self.start: float | None = None
        self.recent: list[float] = []
        self.warned_flat = False

    def growth(self, value: float) -> str | None:
        """Why batch loss ``value`` means divergence (the growth rule), or None."""
        if self.start is None:
            self.start = float(value)
            return None
        if value <= GROWTH * max(self.start, FLOOR):
            return None
        return (
            f"the loss grew from {self.start:.3g} (the fit's first batch) to {value:.3g}, "
            f"more than {GROWTH:.0e} times (rule: loss growth); the learning rate is most "
            f"likely far too large for this optimizer: lower it (by 10x to 1000x)"
        )

    def epoch_end(self, epoch: int, loss: float) -> None:
        """Record epoch ``epoch``'s loss; warn once if the flat rule fires."""
        self.recent = [*self.recent[-(FLAT_EPOCHS - 1) :], float(loss)]
        if self.warned_flat or len(self.recent) < FLAT_EPOCHS or not loss > 0:
            return
        if max(self.recent) - min(self.recent) > FLAT_TOLERANCE * abs(loss):
            return
        self.warned_flat = True
        warnings.warn(
            f"The training loss has not moved for {FLAT_EPOCHS} epochs (rule: flat loss): "
            f"{loss:.4g} at epoch {epoch + 1}, within a relative {FLAT_TOLERANCE:g}. If the "
            f"loss is large, the data are likely unscaled (targets or inputs of huge "
            f"magnitude: use target_scaler='standard' and scale the inputs) or the learning "
            f"rate is far too small; if the model has converged, stop earlier "
            f"(EarlyStopping).",
            DivergenceWarning,
            stacklevel=5,
        )


def check_magnitudes(X: np.ndarray, y: np.ndarray, regression: bool) -> None:
    """Warn when max |X| or (for a regression) max |y| exceeds LARGE (the magnitude rule)."""
    for what, array, fix in (
        ("inputs", X, "scale them (mk.data.Preprocessor, or divide by their spread)"),
        ("targets", y if regression else None, "use target_scaler='standard'"),
    ):
        if array is None or array.size == 0:
            continue
        size = max(float(np.max(array)), -float(np.min(array)))
        if size > LARGE:
            warnings.warn(
                f"The {what} reach a magnitude of {size:.3g} (rule: magnitude above "
                f"{LARGE:.0e}); activations saturate and the loss hardly moves, or "
                f"diverges. {fix[0].upper()}{fix[1:]}.",
                DivergenceWarning,
                stacklevel=5,
            )


__all__ = ["BlowUpGuard", "check_magnitudes"]
