"""ColumnSummary: what one pass over a stream learns of one raw column.

Per column, over every row: the missing count, whether its text values are all numbers (and
without leading zeros), up to two distinct values (constant columns); over the rows the
preprocessor keeps (not dropped for a "drop" column): the missing count, the numbers'
:class:`~mlpkit.data.streaming.moments.Moments`, the count of each distinct value (text, bool
and declared categorical columns, or a "most_frequent" fill), and the first and last observed
values (a "previous" fill; its column is summarised forward-filled, as training sees it,
the last value carried from chunk to chunk). That is enough to write the state an in-memory
``fit`` would learn (:mod:`mlpkit.data.streaming.fitting`), in memory O(columns + distinct
values).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from ..cleaning import TYPO_MAX_CELLS, few_typos, leading_zeros, without_tokens
from ..missing import is_numeric_column
from .moments import Moments

#: Distinct values counted per column before the column is taken as an identifier.
MAX_DISTINCT = 100_000


class ColumnSummary:
    """One raw column's running summary (see the module).

    Args:
        name: the column's label (text).
        column: its first chunk, to read its kind from the dtype.
        counted: whether to count its distinct values.
        forward_fill: whether its gaps are filled forward ("previous").
    """

    def __init__(
        self, name: str, column: pd.Series, counted: bool, forward_fill: bool = False
    ) -> None:
        self.name, self.forward_fill = name, forward_fill
        self.text = not is_numeric_column(column) and not pd.api.types.is_bool_dtype(column)
        self.categorical_dtype = isinstance(column.dtype, pd.CategoricalDtype)
        self.bool = pd.api.types.is_bool_dtype(column)
        self.counts: Counter | None = Counter() if counted or self.text or self.bool else None
        self.moments = Moments(1)
        self.missing = self.missing_kept = self.kept = 0
        self.numeric_text, self.any_present = True, False
        self.leading_zeros, self.n_present, self.n_not_numbers = False, 0, 0
        self.not_numbers: list[tuple] = []  # (row, text) of the first cells that are not numbers
        self.first_missing: bool | None = None
        self.last = None
        self.distinct: set = set()

    def cleaned(self, column: pd.Series, tokens) -> pd.Series:
        """The column with missing tokens as NaN (text columns), as ``TextCleaner`` makes it."""
        return without_tokens(column, tokens) if self.text else column

    def add(self, column: pd.Series, missing: np.ndarray, keep: np.ndarray) -> None:
        """Fold in a chunk: the cleaned column, its missing mask, the rows kept."""
        self.missing += int(missing.sum())
        present = column[~missing]
        if self.text and len(present):
            self.any_present = True
            bad = present[pd.to_numeric(present, errors="coerce").isna()]
            self.leading_zeros |= leading_zeros(present)
            self.numeric_text &= not len(bad) and not self.leading_zeros
            self.n_present += len(present)
            self.n_not_numbers += len(bad)
            room = TYPO_MAX_CELLS - len(self.not_numbers)
            self.not_numbers += list(zip(bad.index[:room], bad.to_numpy()[:room]))
        self._distinct(column, missing)
        kept, kept_missing = column[keep], missing[keep]
        self.kept += len(kept)
        self.missing_kept += int(kept_missing.sum())
        if len(kept) and self.first_missing is None:
            self.first_missing = bool(kept_missing[0])
        if self.forward_fill:  # "previous": the values training sees, carried across chunks
            kept = kept.mask(kept_missing).ffill()
            if self.last is not None:
                kept = kept.fillna(self.last)
            kept_missing = kept.isna().to_numpy()
        observed = kept[~kept_missing]
        if len(observed):
            self.last = observed.iloc[-1]
        self._add_numbers(observed)
        if self.counts is not None:
            self.counts.update(observed.tolist())
            if len(self.counts) > MAX_DISTINCT:
                self.counts = None
                self.overflow = True

    def _add_numbers(self, observed: pd.Series) -> None:
        if self.bool or not len(observed):
            return
        if self.text:
            if not self.numeric_text:
                return
            observed = pd.to_numeric(observed, errors="coerce")
        self.moments.add(observed.to_numpy(dtype=np.float64, na_value=np.nan)[:, None])

    def _distinct(self, column: pd.Series, missing: np.ndarray) -> None:
        if len(self.distinct) > 1:
            return
        if missing.any():
            self.distinct.add("<missing>")
        self.distinct.update(column[~missing].head(2).tolist())
        if len(self.distinct) < 2:
            self.distinct.update(pd.unique(column[~missing])[:2].tolist())

    @property
    def numeric(self) -> bool:
        """Whether ``TextCleaner`` reads the column as numbers (as its ``fit`` decides)."""
        if self.bool:
            return False
        if not self.text:
            return True
        return self.any_present and self.numeric_text and not self.categorical_dtype

    def typos(self) -> pd.Series | None:
        """The first cells that are typos (index: rows), when the column is numbers with typos
        (:func:`~mlpkit.data.cleaning.numeric_typos`); None otherwise."""
        if not self.text or self.categorical_dtype or self.leading_zeros:
            return None
        if not few_typos(self.n_not_numbers, self.n_present):
            return None
        rows, values = zip(*self.not_numbers)
        return pd.Series(values, index=rows, dtype=object)

    @property
    def constant(self) -> bool:
        return len(self.distinct) <= 1

    def most_frequent(self):
        """The most frequent observed value, the smallest among ties (as SimpleImputer)."""
        if not self.counts:
            return None
        top = max(self.counts.values())
        return min(value for value, count in self.counts.items() if count == top)


__all__ = ["ColumnSummary", "MAX_DISTINCT"]
