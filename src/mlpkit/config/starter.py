"""``starter_config``: a first run configuration for a table (``mlpkit init-config``)."""

from __future__ import annotations


def starter_config(data_path, target, **read) -> str:
    """A starter configuration for the table at ``data_path`` predicting ``target``."""
    raise NotImplementedError("starter_config lands in the next commit.")
