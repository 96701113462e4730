"""Data that ships with mlpkit, for the demo, examples and tests.

``ai4i2020.csv``: AI4I 2020 Predictive Maintenance Dataset, S. Matzka (2020), UCI Machine
Learning Repository, dataset 601, licensed CC BY 4.0 (https://doi.org/10.24432/C5HS5C).
10,000 milling-machine records; 339 (3.39 %) are failures. See ATTRIBUTION.md beside this file.
"""

from __future__ import annotations

import csv
from importlib.resources import files

import numpy as np

#: The five failure-mode flags make up the label (any of them ⇒ failure), so they leak it.
FAILURE_MODES = ("TWF", "HDF", "PWF", "OSF", "RNF")
_NUMERIC = (
    "Air temperature [K]",
    "Process temperature [K]",
    "Rotational speed [rpm]",
    "Torque [Nm]",
    "Tool wear [min]",
)
_TYPES = ("L", "M", "H")


def load_machine_failure() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The AI4I 2020 data as ``(X, y, feature_names)``.

    X (10000, 8) float64: the five sensor/process readings and the product quality ``Type``
    one-hot encoded (L, M, H). y (10000,) int: ``Machine failure`` (1 = failure). The row ids
    (``UDI``, ``Product ID``) and the leaking failure-mode flags are dropped.
    """
    path = files(__package__) / "ai4i2020.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    numeric = np.array([[float(row[c]) for c in _NUMERIC] for row in rows])
    types = np.array([[row["Type"] == t for t in _TYPES] for row in rows], dtype=np.float64)
    y = np.array([int(row["Machine failure"]) for row in rows])
    names = list(_NUMERIC) + [f"Type={t}" for t in _TYPES]
    return np.hstack([numeric, types]), y, names


__all__ = ["load_machine_failure", "FAILURE_MODES"]
