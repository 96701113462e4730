"""Shared by the ONNX export tests: run an exported file, and the repository's tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import mlpkit as mk

DATA = Path(__file__).resolve().parents[1] / "data"


def run_onnx(path, rows) -> dict:
    """The outputs of the ONNX file at ``path`` on ``rows``, by name (onnxruntime only)."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, mk.export.onnx_feed(session, rows))))


def metadata(path) -> dict:
    import onnx

    return {prop.key: prop.value for prop in onnx.load(str(path)).metadata_props}


def wine(n_rows: int = 300) -> tuple[pd.DataFrame, np.ndarray]:
    """The first rows of the red-wine table (numbers only) and its quality as text labels."""
    frame = pd.read_csv(DATA / "winequality-red.csv", sep=";").head(n_rows)
    quality = frame.pop("quality").to_numpy()
    labels = np.where(quality <= 5, "plain", np.where(quality == 6, "good", "fine"))
    return frame, labels


def housing(n_rows: int = 400, *, categorical: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of the housing table (with its missing bedrooms) and the house values in dollars;
    ``categorical`` keeps the text column ocean_proximity."""
    frame = pd.read_csv(DATA / "housing.csv")
    frame = (
        frame[frame["total_bedrooms"].isna()]
        .head(20)
        .pipe(lambda gaps: pd.concat([gaps, frame.dropna().head(n_rows - len(gaps))]))
    )
    y = frame.pop("median_house_value").to_numpy()
    if not categorical:
        frame = frame.drop(columns=["ocean_proximity"])
    return frame.reset_index(drop=True), y
