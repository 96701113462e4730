"""Reading one file in record batches, and reading ahead a bounded number of them.

pyarrow's dataset scanner reads asynchronously, and when its consumer is slower than the disk
(a training loop is) it decodes row groups ahead without a bound worth the name: measured on a
2M-row, 33-column float32 Parquet file with a slow consumer, +280 MiB through
``Fragment.to_batches`` against +158 MiB through ``ParquetFile.iter_batches``; a training epoch
over 10M rows peaked at +1,040 MiB. So each file is read synchronously — Parquet one row group
at a time (``iter_batches``, ``pre_buffer`` off), CSV one block at a time (``open_csv``) — and
the read-ahead is ours: a thread that keeps at most ``read_ahead`` batches in a queue.
"""

from __future__ import annotations

import csv
import queue
import threading

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq


def file_batches(path: str, format: str, columns: list[str], chunk_rows: int, schema):
    """Yield the record batches of one file, ``columns`` only, at most ``chunk_rows`` rows."""
    if format == "parquet":
        reader = pq.ParquetFile(path, pre_buffer=False)
        yield from reader.iter_batches(batch_size=chunk_rows, columns=columns)
        return
    types = {name: schema.field(name).type for name in columns}
    convert = pa_csv.ConvertOptions(include_columns=columns, column_types=types)
    with pa_csv.open_csv(path, convert_options=convert) as reader:
        pending = []
        for batch in reader:
            pending.append(batch)
            if sum(b.num_rows for b in pending) >= chunk_rows:
                yield from _cut(pa.Table.from_batches(pending), chunk_rows, keep_tail=pending)
        if pending:
            yield from pa.Table.from_batches(pending).to_batches()


#: Cells pyarrow's CSV reader reads as missing (its ``ConvertOptions.null_values`` default).
CSV_NULLS = frozenset(pa_csv.ConvertOptions().null_values)


def bad_csv_row(path: str, start: int, schema) -> str | None:
    """Where a CSV file that pyarrow could not convert goes wrong, found by reading its records
    again from data row ``start`` (0-based) with Python's csv module: ``"row 150,001 (line
    150,002): column 'a' is double but holds 'abc'"`` or a record with the wrong number of
    fields; None if no record from ``start`` on is at fault. Only run after a failure, so the
    slow reader costs nothing on a good file."""
    names = schema.names
    parsers = {
        index: _parser(schema.field(name).type)
        for index, name in enumerate(names)
        if _parser(schema.field(name).type) is not None
    }
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        records = csv.reader(handle)
        next(records, None)  # the header
        for row, record in enumerate(records):
            if row < start or not record:
                continue
            where = f"row {row + 1:,} (line {records.line_num:,})"
            if len(record) != len(names):
                return f"{where} has {len(record)} fields where the header names {len(names)}"
            for index, parse in parsers.items():
                value = record[index]
                if value in CSV_NULLS:
                    continue
                try:
                    parse(value)
                except ValueError:
                    kind = schema.field(names[index]).type
                    return f"{where}: column {names[index]!r} is {kind} but holds {value!r}"
    return None


def _parser(kind):
    if pa.types.is_floating(kind):
        return float
    if pa.types.is_integer(kind):
        return int
    return None


def _cut(table: pa.Table, chunk_rows: int, keep_tail: list):
    """Yield ``chunk_rows``-row batches of ``table``; the rest goes back into ``keep_tail``."""
    full = table.num_rows // chunk_rows * chunk_rows
    for start in range(0, full, chunk_rows):
        yield table.slice(start, chunk_rows).combine_chunks().to_batches()[0]
    keep_tail.clear()
    if full < table.num_rows:
        keep_tail.extend(table.slice(full).to_batches())


def read_ahead(items, n: int):
    """Yield ``items``, produced up to ``n`` ahead by a background thread (n = 0: in line).

    An exception of the producer is raised here, where the item it failed on would have
    come; closing this generator stops the producer."""
    if n == 0:
        yield from items
        return
    box: queue.Queue = queue.Queue(maxsize=n)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        box.put((None, item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put((None, done))
        except BaseException as error:  # handed to the consumer, raised there
            box.put((error, None))

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        while True:
            error, item = box.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


__all__ = ["file_batches", "read_ahead"]
