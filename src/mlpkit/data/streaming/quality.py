"""Is the stream shuffled? Two statistics of the targets along the stream, against i.i.d.

For targets y₁ … y_N in the order they are trained on (each column on its own), batched in B
batches of sizes n_b with means ȳ_b:

- the **lag-1 autocorrelation** r₁ = Σₜ (yₜ − ȳ)(yₜ₊₁ − ȳ) / Σₜ (yₜ − ȳ)². For i.i.d. rows
  r₁ ≈ N(0, 1/N), so its z-score is z₁ = r₁·√N;
- the **batch-mean ratio** R = Σ_b n_b (ȳ_b − ȳ)² / ((B − 1)·σ²): the spread of the batch means
  against what i.i.d. batches would give. R ≈ 1 ± √(2/(B − 1)) for shuffled rows; on a file
  sorted by its label, batches hold one class each and R ≫ 1. Its z-score is
  z_R = (R − 1)/√(2/(B − 1)).

The stream is called *ordered* when either z-score exceeds :data:`Z_LIMIT` in some column; a
shuffle buffer far smaller than the file passes the autocorrelation on a sorted file only
where it mixes well locally, and is caught by R. Both are running sums, so the check costs
nothing extra and holds O(n_outputs) numbers.

:func:`batch_balance` is the issue's measure of a binary target: the mean over batches of
|positive fraction − 0.5| (0.5 for pure batches; ≈ 0.07 for i.i.d. batches of 32 balanced rows).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

#: z-score above which the stream is reported as ordered.
Z_LIMIT = 5.0


class ShuffleWarning(UserWarning):
    """The rows reach training in an order far from random (e.g. a file sorted by label)."""


@dataclass
class ShuffleReport:
    """What :class:`OrderCheck` found: r₁, R and their z-scores (largest over the columns)."""

    n_rows: int
    n_batches: int
    autocorrelation: float
    batch_ratio: float
    z_autocorrelation: float
    z_batch_ratio: float

    @property
    def ordered(self) -> bool:
        """Whether either z-score exceeds :data:`Z_LIMIT`."""
        return max(self.z_autocorrelation, self.z_batch_ratio) > Z_LIMIT

    def message(self) -> str:
        """The warning's words: the numbers, what i.i.d. would give, and what to do."""
        return (
            f"The training rows arrive ordered: the targets' lag-1 autocorrelation along the "
            f"stream is {self.autocorrelation:.3f} (i.i.d. rows: 0 ± "
            f"{1 / math.sqrt(max(self.n_rows, 1)):.3f}) and the batch means spread "
            f"{self.batch_ratio:.2f}× as much as i.i.d. batches would, over {self.n_rows:,} "
            f"rows in {self.n_batches:,} batches. Gradient steps then follow the file's order, "
            f"not the data. Shuffle it: shuffle=True (mk.data.ExternalShuffle, two passes "
            f"through temporary bucket files), or shuffle the file once before training."
        )


class OrderCheck:
    """Running sums of the targets of consecutive batches (see the module's formulas)."""

    def __init__(self) -> None:
        self.n, self.batches = 0, 0
        self.sums = self.squares = self.lagged = self.batch_squares = None
        self.last = None

    def add(self, y: np.ndarray) -> None:
        """One batch of targets, (n_b, k) or (n_b,), in training order."""
        y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if not len(y):
            return
        if self.sums is None:
            zeros = np.zeros(y.shape[1])
            self.sums, self.squares, self.lagged = zeros.copy(), zeros.copy(), zeros.copy()
            self.batch_squares = zeros.copy()
        total = y.sum(axis=0)
        self.sums += total
        self.squares += np.einsum("ij,ij->j", y, y)
        self.lagged += np.einsum("ij,ij->j", y[1:], y[:-1])
        if self.last is not None:
            self.lagged += self.last * y[0]
        self.batch_squares += total**2 / len(y)
        self.last = y[-1].copy()
        self.n += len(y)
        self.batches += 1

    def report(self) -> ShuffleReport | None:
        """The statistics so far, or None before two batches of three rows or a constant y."""
        if self.batches < 2 or self.n < 3:
            return None
        mean = self.sums / self.n
        spread = self.squares - self.n * mean**2  # Σ (yₜ − ȳ)²
        varying = spread > 1e-12 * np.maximum(self.squares, 1.0)
        if not varying.any():
            return None
        r1 = (self.lagged - (self.n - 1) * mean**2)[varying] / spread[varying]
        between = (self.batch_squares - self.n * mean**2)[varying]
        ratio = between / ((self.batches - 1) * spread[varying] / self.n)
        z1 = np.abs(r1) * math.sqrt(self.n)
        zr = (ratio - 1) / math.sqrt(2 / (self.batches - 1))
        worst = int(np.argmax(np.maximum(z1, zr)))
        return ShuffleReport(
            self.n,
            self.batches,
            float(r1[worst]),
            float(ratio[worst]),
            float(z1[worst]),
            float(zr[worst]),
        )


def check_shuffle(target_batches, *, warn: bool = True) -> ShuffleReport | None:
    """Check the order of a stream of target batches; warn if it is ordered.

    Args:
        target_batches: the batches' targets in training order, each (n_b, k) or (n_b,).
        warn: emit a :class:`ShuffleWarning` when the stream is ordered. Defaults to True.

    Returns:
        The :class:`ShuffleReport` (None for fewer than two batches or a constant target).

    Example:
        >>> import numpy as np
        >>> y = np.repeat([0.0, 1.0], 500)                   # a file sorted by its label
        >>> check_shuffle(np.split(y, 20), warn=False).ordered
        True
        >>> rng = np.random.default_rng(0)
        >>> check_shuffle(np.split(rng.permutation(y), 20), warn=False).ordered
        False
    """
    check = OrderCheck()
    for y in target_batches:
        check.add(y)
    report = check.report()
    if warn:
        warn_if_ordered(report)
    return report


def warn_if_ordered(report: ShuffleReport | None, stacklevel: int = 3) -> None:
    """Emit a :class:`ShuffleWarning` if ``report`` says the stream is ordered."""
    if report is not None and report.ordered:
        warnings.warn(report.message(), ShuffleWarning, stacklevel=stacklevel)


def batch_balance(target_batches) -> float:
    """Mean over batches of |fraction of positive rows − 0.5| of 0/1 targets."""
    gaps = [abs(float(np.mean(np.asarray(y) > 0.5)) - 0.5) for y in target_batches if len(y)]
    return float(np.mean(gaps))


__all__ = [
    "OrderCheck",
    "ShuffleReport",
    "ShuffleWarning",
    "Z_LIMIT",
    "batch_balance",
    "check_shuffle",
    "warn_if_ordered",
]
