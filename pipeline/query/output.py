"""Query results out: a table to read, or CSV, JSON, Markdown, Parquet to keep.

Results arrive as a stream of Arrow record batches and leave the same way
(only the `table` format stops at --max-rows), so a large result never has to
fit in memory. Nested values (the lists some named queries return) become
JSON text in CSV and Markdown, and stay lists in JSON and Parquet.

A CSV file written with -o starts with a UTF-8 byte-order mark, so that Excel
opens it with its Vietnamese letters intact (without one it reads the file in
the machine's code page); CSV on standard output has none, for the programs a
pipe feeds (Python's csv module reads the file with encoding="utf-8-sig";
pandas, DuckDB and Arrow skip the mark themselves).
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table
from rich.text import Text

FORMATS = ("table", "csv", "json", "markdown", "parquet")
CELL_CHARS = 60  # `table` cuts longer text: it is for reading; the other formats keep it whole


def write_result(
    reader: pa.RecordBatchReader,
    fmt: str,
    out: Path | None = None,
    *,
    max_rows: int = 100,
    cell_chars: int | None = CELL_CHARS,
    title: str | None = None,
) -> int:
    """Write a result to `out` (stdout when None) in `fmt`; returns the number of rows."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if fmt == "parquet":
        if out is None:
            raise ValueError("Parquet is binary: give a file with -o FILE.")
        return _parquet(reader, out)
    with text_out(out) as fh:
        return {"table": _table, "csv": _csv, "json": _json, "markdown": _markdown}[fmt](
            reader, fh, max_rows=max_rows, cell_chars=cell_chars, title=title, to_file=out is not None
        )


@contextmanager
def text_out(out: Path | None) -> Iterator[IO[str]]:
    if out is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    with open(out, "w", encoding="utf-8", newline="") as fh:
        yield fh


def console(fh: IO[str], to_file: bool) -> Console:
    """A rich console for tables: a terminal sets its own width; a file or a pipe gets room enough not to fold every column."""
    return Console(file=fh, width=None if not to_file and fh.isatty() else 160, no_color=to_file, highlight=False)


def cell(value) -> str:
    """One value as text: ISO dates, lists as JSON, no None (empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # 1808680, not 1808680.0
    return str(value)


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _rows(reader: pa.RecordBatchReader) -> Iterator[dict]:
    for batch in reader:
        yield from batch.to_pylist()


def _table(reader, fh, *, max_rows, cell_chars, title, to_file) -> int:
    names = reader.schema.names
    numeric = [pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) for t in reader.schema.types]
    table = Table(title=title, show_lines=False, header_style="bold")
    for name, right in zip(names, numeric):
        table.add_column(name, justify="right" if right else "left", overflow="fold")
    n = 0
    for row in _rows(reader):
        n += 1
        if n <= max_rows:
            # Text, not markup: report text holds brackets ("[1]") that rich would read as styles
            table.add_row(*(_short(row[c], cell_chars) for c in names))
    shown = min(n, max_rows)
    table.caption = f"{n} row{'s' if n != 1 else ''}" + (
        f" (first {shown} shown; --max-rows or another --format for all)" if n > shown else ""
    )
    console(fh, to_file).print(table)
    return n


def _short(value, limit: int | None) -> Text:
    if value is None:
        return Text("NULL", style="dim")
    if isinstance(value, list):
        value = ", ".join(cell(v) for v in value)
    text = " ".join(cell(value).split())  # one line per cell
    return Text(text if limit is None or len(text) <= limit else text[: limit - 1] + "…")


def _flat(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Nested columns as JSON text: CSV has no lists."""
    columns = []
    for col in batch.columns:
        if pa.types.is_nested(col.type):
            col = pa.array([None if v is None else cell(v) for v in col.to_pylist()], pa.string())
        columns.append(col)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _csv(reader, fh, *, to_file: bool = False, **_) -> int:
    if to_file:  # Excel reads a CSV file as the machine's code page unless a byte-order mark says UTF-8
        fh.write("\ufeff")
    n = 0
    for batch in reader:
        if batch.num_rows:
            _csv_batch(batch, fh, header=n == 0)
            n += batch.num_rows
    if n == 0:  # no rows: the header alone
        _csv_batch(pa.RecordBatch.from_pylist([], schema=reader.schema), fh, header=True)
    return n


def _csv_batch(batch: pa.RecordBatch, fh, header: bool) -> None:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(_flat(batch), sink, write_options=pacsv.WriteOptions(include_header=header))
    fh.write(sink.getvalue().to_pybytes().decode("utf-8"))


def _json(reader, fh, **_) -> int:
    n = 0
    fh.write("[")
    for row in _rows(reader):
        fh.write(",\n " if n else "\n ")
        fh.write(json.dumps(row, ensure_ascii=False, default=_json_default))
        n += 1
    fh.write("\n]\n" if n else "]\n")
    return n


def _markdown(reader, fh, **_) -> int:
    names = reader.schema.names
    fh.write(markdown_row(names))
    fh.write(markdown_row(["---"] * len(names)))
    n = 0
    for row in _rows(reader):
        fh.write(markdown_row([cell(row[c]) for c in names]))
        n += 1
    return n


def markdown_row(values: list[str]) -> str:
    escaped = (v.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>") for v in values)
    return "| " + " | ".join(escaped) + " |\n"


def _parquet(reader, out: Path) -> int:
    n = 0
    with pq.ParquetWriter(out, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)
            n += batch.num_rows
    return n
