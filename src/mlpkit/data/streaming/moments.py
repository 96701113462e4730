"""Moments: count, mean, variance, min and max of columns, merged chunk by chunk.

Chunks are merged with Chan, Golub & LeVeque's pairwise update: for a running (n_a, μ_a, M_a)
and a chunk (n_b, μ_b, M_b), where M = Σ (x − μ)²,

    n = n_a + n_b,   δ = μ_b − μ_a,   μ = μ_a + δ·n_b/n,   M = M_a + M_b + δ²·n_a·n_b/n,

so the variance σ² = M/n matches a one-pass-over-memory computation to floating-point rounding
(no Σx² − n·μ² cancellation). NaN cells are missing and left out, column by column.
"""

from __future__ import annotations

import numpy as np


class Moments:
    """Running moments of k columns.

    Args:
        n_columns: k.

    Attributes:
        count, mean, m2, min, max: arrays of shape (k,) (min/max NaN before any value).
    """

    def __init__(self, n_columns: int) -> None:
        self.count = np.zeros(n_columns)
        self.mean = np.zeros(n_columns)
        self.m2 = np.zeros(n_columns)
        self.min = np.full(n_columns, np.nan)
        self.max = np.full(n_columns, np.nan)

    def add(self, x: np.ndarray) -> None:
        """Fold in a chunk x of shape (n, k) (float; NaN is missing)."""
        x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
        present = ~np.isnan(x)
        n_b = present.sum(axis=0).astype(np.float64)
        safe = np.maximum(n_b, 1)
        mean_b = np.where(present, x, 0.0).sum(axis=0) / safe
        m2_b = (np.where(present, x - mean_b, 0.0) ** 2).sum(axis=0)
        self._merge(n_b, mean_b, m2_b)
        with np.errstate(invalid="ignore"):
            self.min = np.fmin(self.min, np.nanmin(np.where(present, x, np.inf), axis=0))
            self.max = np.fmax(self.max, np.nanmax(np.where(present, x, -np.inf), axis=0))
        self.min[np.isinf(self.min)] = np.nan
        self.max[np.isinf(self.max)] = np.nan

    def add_constant(self, value: np.ndarray, count: np.ndarray) -> None:
        """Fold in ``count[j]`` copies of ``value[j]`` in each column j (a fill)."""
        value = np.asarray(value, dtype=np.float64)
        count = np.asarray(count, dtype=np.float64)
        self._merge(count, value, np.zeros_like(value))
        has = count > 0
        self.min = np.where(has, np.fmin(self.min, value), self.min)
        self.max = np.where(has, np.fmax(self.max, value), self.max)

    def _merge(self, n_b, mean_b, m2_b) -> None:
        total = self.count + n_b
        safe = np.maximum(total, 1)
        delta = mean_b - self.mean
        self.mean = self.mean + delta * n_b / safe
        self.m2 = self.m2 + m2_b + delta**2 * self.count * n_b / safe
        self.count = total

    def copy(self) -> Moments:
        """An independent copy."""
        copy = Moments(self.mean.size)
        copy.count, copy.mean, copy.m2 = self.count.copy(), self.mean.copy(), self.m2.copy()
        copy.min, copy.max = self.min.copy(), self.max.copy()
        return copy

    def representative(self, extremes: bool = False) -> np.ndarray:
        """Two rows, (2, k), from which a scaler learns what it would from all the rows:
        μ − σ and μ + σ (their mean is μ and their variance σ²), or with ``extremes`` the
        min and max (for a min-max scaler)."""
        if extremes:
            return np.stack([self.min, self.max])
        spread = np.sqrt(self.var)
        return np.stack([self.mean - spread, self.mean + spread])

    @staticmethod
    def join(parts: list[Moments]) -> Moments:
        """The moments of the columns of ``parts`` side by side."""
        joined = Moments(0)
        for name in ("count", "mean", "m2", "min", "max"):
            setattr(joined, name, np.concatenate([getattr(m, name) for m in parts]))
        return joined

    @property
    def var(self) -> np.ndarray:
        """σ² = M/n (population variance, as StandardScaler's ``var_``)."""
        return self.m2 / np.maximum(self.count, 1)


__all__ = ["Moments"]
