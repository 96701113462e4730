#!/usr/bin/env python
"""Preparing a raw table: ``mk.data.Preprocessor(missing="auto")`` against the scikit-learn
pipeline that does the same fills, scaling and encoding.

What every fit on a raw table pays, and every trial of a search on one, once per fold. The
peer is a ``ColumnTransformer``: median imputation and ``StandardScaler`` for the number
columns, most-frequent imputation and ``OneHotEncoder(handle_unknown="ignore")`` for the text
columns. mlpkit's preprocessor does more in the same call (text cells that mean missing,
numbers held as text, typos in numeric columns, identifier-like columns, a report), so the
ratio is the price of those checks. Tables: California housing (tests/data/housing.csv,
text and gaps); with ``../shared/datasets`` beside the repository also Ames, Toyota and telco
churn, as the quality suite reads them (benchmarks/bench_quality.py, 2,000 rows at most), cut
to the 2/3 a fold of a 3-fold search trains on. Each side times ``fit_transform`` on those
rows and ``transform`` of them, in interleaved rounds (``bench_predict.time_rounds``): the
median and range per call and mlpkit's time as a multiple of scikit-learn's.

Run as ``python benchmarks/bench_preprocess.py`` (--rounds 7 --seconds 0.5; ``--smoke``:
housing only, 500 rows, two short rounds, run by the test suite).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_predict import median_cells, print_machine, time_rounds  # noqa: E402

import mlpkit as mk  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data"
SHARED_TABLES = ("toyota", "ames", "telco")


def tables(smoke: bool) -> dict[str, pd.DataFrame]:
    """name: the raw feature table (the target dropped)."""
    housing = pd.read_csv(DATA / "housing.csv").drop(columns="median_house_value")
    out = {"california housing": housing.head(500) if smoke else housing.head(1333)}
    shared = HERE.parent.parent / "shared" / "datasets"
    if smoke or not shared.is_dir():
        return out
    from bench_quality import subsample, tasks

    for name, kind, X, y in tasks():
        if any(word in name for word in SHARED_TABLES):
            X, _ = subsample(X, y, kind)
            out[name] = X.head(len(X) * 2 // 3).reset_index(drop=True)
    return out


def sklearn_pipeline(X: pd.DataFrame) -> ColumnTransformer:
    """The peer: medians and z-scores for numbers, most frequent values and one-hot for text."""
    numbers = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    text = [c for c in X.columns if c not in numbers]
    return ColumnTransformer(
        [
            ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numbers),
            (
                "text",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                text,
            ),
        ]
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        args.rounds, args.seconds = 2, 0.002
    print_machine()
    warnings.simplefilter("ignore")  # identifier-like columns: the report names them
    ratios = []
    for name, X in tables(args.smoke).items():
        fitted = mk.data.Preprocessor(missing="auto").fit(X)
        peer = sklearn_pipeline(X).fit(X)
        calls = {
            "mlpkit fit": lambda data: mk.data.Preprocessor(missing="auto").fit_transform(data),
            "sklearn fit": lambda data: sklearn_pipeline(data).fit_transform(data),
            "mlpkit transform": fitted.transform,
            "sklearn transform": peer.transform,
        }
        times = time_rounds(calls, X, args.rounds, args.seconds)
        medians, cells = median_cells(times, "ms")
        fit_ratio = medians["mlpkit fit"] / medians["sklearn fit"]
        transform_ratio = medians["mlpkit transform"] / medians["sklearn transform"]
        ratios += [fit_ratio, transform_ratio]
        print(
            f"{name:28s} {X.shape[0]:5d} × {X.shape[1]:3d}: {cells}; mlpkit ÷ sklearn: "
            f"fit {fit_ratio:.2f}, transform {transform_ratio:.2f}"
        )
    return 0 if all(r > 0 for r in ratios) else 1


if __name__ == "__main__":
    sys.exit(main())
