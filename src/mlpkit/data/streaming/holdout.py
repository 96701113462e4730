"""Holdout: which rows of a stream are validation or test, decided row by row, seeded.

A stream cannot be permuted to pick its validation rows, so each row's part is a function of
the row alone (its id or its position) and the seed, the same however the file is chunked:

- ``by="hash"``: u = h(row id; seed) / 2⁶⁴ from pandas' 64-bit hash of the ``row_id``
  column, mixed with the seed; a row keeps its part when rows are added, removed or
  reordered (the rule to use when the file grows);
- ``by="position"``: u = h(position; seed) / 2⁶⁴, the row's 0-based position in the stream;
- ``by="time"``: no randomness: the stream is in time order and the last rows are held out,
  test last — positions p ≥ (1 − validation − test)·n are validation, p ≥ (1 − test)·n test.

For "hash" and "position", a row is validation when u < validation and test when
validation ≤ u < validation + test; the fractions are met in expectation (binomially).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...exceptions import ConfigError

TRAIN, VALIDATION, TEST = 0, 1, 2
PARTS = {"train": TRAIN, "validation": VALIDATION, "test": TEST}
RULES = ("hash", "position", "time")


@dataclass(frozen=True)
class Holdout:
    """The rule that sets validation and test rows of a stream apart before anything is learned.

    Args:
        validation: the fraction of rows for validation, in [0, 1). Defaults to 0.1.
        test: the fraction of rows for test, in [0, 1). Defaults to 0.
        by: "hash" (of ``row_id``), "position" or "time" (see the module). Defaults to
            "position".
        row_id: the column hashed by ``by="hash"`` (default: the source's ``row_id``).
        random_state: the seed of the hash (an int). Defaults to 0.

    Example:
        >>> rule = Holdout(validation=0.25, by="time")
        >>> rule.parts(np.arange(8), n_rows=8).tolist()
        [0, 0, 0, 0, 0, 0, 1, 1]
    """

    validation: float = 0.1
    test: float = 0.0
    by: str = "position"
    row_id: str | None = None
    random_state: int = 0

    def __post_init__(self) -> None:
        for name in ("validation", "test"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
                raise ConfigError(
                    f"Holdout {name} must be a fraction in [0, 1); received {name}={value!r}."
                )
        if self.validation + self.test >= 1:
            raise ConfigError(
                f"Holdout validation + test must leave training rows; received "
                f"validation={self.validation!r}, test={self.test!r}."
            )
        if self.by not in RULES:
            raise ConfigError(f"Holdout by must be one of {list(RULES)}; received by={self.by!r}.")
        if not isinstance(self.random_state, (int, np.integer)) or self.random_state < 0:
            raise ConfigError(
                f"Holdout random_state must be a non-negative int; received "
                f"random_state={self.random_state!r}."
            )

    def parts(self, positions: np.ndarray, *, n_rows: int | None = None, ids=None) -> np.ndarray:
        """The part of each row (0 train, 1 validation, 2 test), int8 of shape (n,).

        Args:
            positions: the rows' 0-based positions in the stream, (n,).
            n_rows: the stream's length (needed by ``by="time"``).
            ids: the rows' ids, (n,) (needed by ``by="hash"``).
        """
        if self.by == "time":
            if n_rows is None:
                raise ConfigError("Holdout(by='time') needs the stream's row count.")
            train_end = math.floor((1 - self.validation - self.test) * n_rows)
            validation_end = math.floor((1 - self.test) * n_rows)
            return (
                (positions >= train_end).astype(np.int8) + (positions >= validation_end)
            ).astype(np.int8)
        if self.by == "hash":
            if ids is None:
                raise ConfigError(
                    "Holdout(by='hash') needs a row id column: pass row_id= to the FileSource "
                    "(or to Holdout)."
                )
            hashed = pd.util.hash_pandas_object(pd.Series(np.asarray(ids)), index=False)
            hashed = hashed.to_numpy()
        else:
            hashed = pd.util.hash_array(np.asarray(positions, dtype=np.uint64))
        u = self._seeded(hashed).astype(np.float64) / 2.0**64
        return ((u < self.validation).astype(np.int8) * VALIDATION) + (
            ((u >= self.validation) & (u < self.validation + self.test)).astype(np.int8) * TEST
        )

    def _seeded(self, hashed: np.ndarray) -> np.ndarray:
        """h′ = mix(h ⊕ k(seed)): pandas hashes numbers with one fixed mixer (no key), so
        the seed enters as a 64-bit key XORed in before a second mixing."""
        key = pd.util.hash_array(np.array([self.random_state], dtype=np.uint64))[0]
        return pd.util.hash_array(np.asarray(hashed, dtype=np.uint64) ^ key)


__all__ = ["Holdout", "PARTS", "RULES", "TEST", "TRAIN", "VALIDATION"]
