#!/usr/bin/env python
"""Streaming benchmark: peak RSS and throughput of a streamed fit as the file grows.

Writes Parquet files of 1×, 10× and 100× a base size (``--rows`` rows of ``--features``
float32 features and a 0/1 label, written row group by row group so the writer never holds
the file), then trains one epoch on each in a fresh subprocess (``--child``) with
``mk.data.FileSource`` and reports:

- the file's size on disk and in memory (rows · (features + 1) · 4 bytes as float32);
- the peak resident set size of the child (``resource.getrusage(RUSAGE_SELF).ru_maxrss``),
  and its baseline after importing mlpkit (the difference is what streaming itself holds);
- throughput in rows/s for the epoch, in file order (``shuffle=False``) and with the
  external shuffle (``shuffle=True``: two passes, bucket files in the temporary folder).

Memory stays flat when the peak does not grow with the file. Files live in a temporary folder
(``--folder`` to choose one) and are removed at the end.

Run: ``python benchmarks/bench_streaming.py`` (about 10 minutes on two cores) or
``--smoke`` (a few seconds: 2,000 base rows, sizes 1× and 10×). ``--json PATH`` saves the rows.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_file(path: Path, n_rows: int, n_features: int, group: int = 100_000) -> None:
    """A Parquet file of ``n_rows`` rows written ``group`` rows at a time (seeded)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    weights = rng.normal(size=n_features)
    names = [f"x{i}" for i in range(n_features)]
    writer = None
    for start in range(0, n_rows, group):
        n = min(group, n_rows - start)
        X = rng.normal(size=(n, n_features)).astype(np.float32)
        y = (X @ weights + rng.normal(size=n) > 0).astype(np.int8)
        table = pa.table({**{name: X[:, i] for i, name in enumerate(names)}, "y": y})
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=group)
    writer.close()


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(path: str, shuffle: bool, batch_size: int) -> None:
    """Train one epoch on the file; print a JSON line of RSS and time."""
    import pandas  # noqa: F401  (the libraries a streamed fit uses, imported before the baseline)
    import pyarrow.dataset  # noqa: F401
    import sklearn.preprocessing  # noqa: F401

    import mlpkit as mk
    import mlpkit.training.streamed  # noqa: F401

    baseline = peak_kib()
    source = mk.data.FileSource(path, target="y", chunk_rows=65_536)
    net = mk.Sequential(
        [mk.layers.Dense(32, activation="relu"), mk.layers.Dense(1, activation="sigmoid")],
        random_state=0,
    )
    started = time.perf_counter()
    net.fit(source, loss="binary_cross_entropy", epochs=1, batch_size=batch_size, shuffle=shuffle)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "baseline_kib": baseline,
                "peak_kib": peak_kib(),
                "seconds": seconds,
                "rows": source.n_rows,
            }
        )
    )


def measure(path: Path, shuffle: bool, batch_size: int) -> dict:
    command = [sys.executable, __file__, "--child", str(path), "--batch-size", str(batch_size)]
    if shuffle:
        command.append("--shuffle")
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="base rows (1×)")
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--folder", default=None)
    parser.add_argument("--json", default=None)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--shuffle", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.shuffle, args.batch_size)
        return 0
    if args.smoke:
        args.rows, args.scales = 2_000, "1,10"
    rows = []
    with tempfile.TemporaryDirectory(prefix="mlpkit-bench-", dir=args.folder) as folder:
        for scale in (int(s) for s in args.scales.split(",")):
            path = Path(folder) / f"x{scale}.parquet"
            n = args.rows * scale
            write_file(path, n, args.features)
            row = {
                "scale": scale,
                "rows": n,
                "disk_mib": path.stat().st_size / 2**20,
                "memory_mib": n * (args.features + 1) * 4 / 2**20,
            }
            for shuffle in (False, True):
                found = measure(path, shuffle, args.batch_size)
                key = "external" if shuffle else "in_order"
                row[f"{key}_peak_mib"] = found["peak_kib"] / 1024
                row[f"{key}_own_mib"] = (found["peak_kib"] - found["baseline_kib"]) / 1024
                row[f"{key}_rows_per_s"] = n / found["seconds"]
            rows.append(row)
            print(_line(row), flush=True)
            path.unlink()
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


def _line(row: dict) -> str:
    return (
        f"{row['scale']:>4}× {row['rows']:>11,} rows  {row['memory_mib']:8.1f} MiB as float32 "
        f"({row['disk_mib']:.1f} on disk) | file order: peak {row['in_order_peak_mib']:.0f} MiB "
        f"(+{row['in_order_own_mib']:.0f}), {row['in_order_rows_per_s']:,.0f} rows/s | external "
        f"shuffle: peak {row['external_peak_mib']:.0f} MiB (+{row['external_own_mib']:.0f}), "
        f"{row['external_rows_per_s']:,.0f} rows/s"
    )


if __name__ == "__main__":
    sys.exit(main())
