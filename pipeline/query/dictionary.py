"""The data dictionary: every table and column with its type and meaning, from pipeline/store/schema.py.

Nothing here restates the schema: tables, columns, types and meanings come
from `pipeline.store.schema.TABLES`; examples, when a dataset is at hand, come from
its rows (per table, the first row with the most columns filled). Tables a
dataset holds that the schema does not declare are listed too, typed from
their Parquet files. `docs/data-dictionary.md` is this module's Markdown
output for the dataset of corpus/; a test regenerates it and compares.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from rich.table import Table as RichTable
from rich.text import Text

from pipeline.query.named import derived_views
from pipeline.query.sandbox import arrow_reader, ident, relations
from pipeline.query.output import cell, console, markdown_row, text_out, write_result
from pipeline.store.schema import TABLES

EXAMPLE_CHARS = 80
EXAMPLE_SCAN_ROWS = 10_000  # enough to find a well-filled row without reading a large table whole
UNDECLARED = "(not declared in pipeline/store/schema.py)"


@dataclass(frozen=True, slots=True)
class ColumnDoc:
    name: str
    type: str
    nullable: bool
    meaning: str
    example: str | None = None


@dataclass(frozen=True, slots=True)
class TableDoc:
    name: str
    meaning: str
    columns: tuple[ColumnDoc, ...]


def type_name(t: pa.DataType) -> str:
    """The Arrow type as DATASET.md writes it: string, int32, float64, bool, date32."""
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_date32(t):
        return "date32"
    if pa.types.is_floating(t):
        return f"float{t.bit_width}"  # Arrow prints float64 as "double"
    return str(t)


def describe(con: duckdb.DuckDBPyConnection | None = None) -> list[TableDoc]:
    """The declared tables, then any other table of the connection's dataset; with examples when `con` is given."""
    present = list(relations(con, "table")) if con is not None else []
    docs = []
    for table in TABLES.values():
        example = _example(con, table.name) if table.name in present else {}
        docs.append(
            TableDoc(
                table.name,
                table.meaning,
                tuple(
                    ColumnDoc(c.name, type_name(c.type), c.nullable, c.meaning, _example_text(example, c.name))
                    for c in table.columns
                ),
            )
        )
    for name in present:
        if name not in TABLES:
            schema = arrow_reader(con.sql(f"select * from {ident(name)} limit 0")).schema
            example = _example(con, name)
            docs.append(
                TableDoc(
                    name,
                    UNDECLARED,
                    tuple(ColumnDoc(f.name, type_name(f.type), f.nullable, UNDECLARED, _example_text(example, f.name)) for f in schema),
                )
            )
    return docs


def _example(con: duckdb.DuckDBPyConnection, name: str) -> dict:
    best, best_filled = {}, -1
    rel = con.sql(f"select * from {ident(name)} limit {EXAMPLE_SCAN_ROWS}")
    for row in arrow_reader(rel).read_all().to_pylist():
        filled = sum(v is not None and v != "" and v != [] for v in row.values())
        if filled > best_filled:
            best, best_filled = row, filled
    return best


def _example_text(row: dict, column: str) -> str | None:
    if not row or column not in row or row[column] is None:
        return None if not row else "NULL"
    text = " ".join(cell(row[column]).split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def has_examples(docs: list[TableDoc]) -> bool:
    return any(c.example is not None for t in docs for c in t.columns)


def flat(docs: list[TableDoc]) -> pa.Table:
    """One row per column: table, column, type, nullable, meaning (and example)."""
    rows = [
        {"table": t.name, "column": c.name, "type": c.type, "nullable": c.nullable, "meaning": c.meaning, "example": c.example}
        for t in docs
        for c in t.columns
    ]
    table = pa.Table.from_pylist(rows, schema=_FLAT_SCHEMA)
    return table if has_examples(docs) else table.drop_columns(["example"])


_FLAT_SCHEMA = pa.schema(
    [("table", pa.string()), ("column", pa.string()), ("type", pa.string()), ("nullable", pa.bool_()), ("meaning", pa.string()), ("example", pa.string())]
)


def markdown(docs: list[TableDoc]) -> str:
    examples = has_examples(docs)
    head = ["column", "type", "nullable", "meaning"] + (["example"] if examples else [])
    parts = [
        "# Data dictionary\n\n",
        "Every table of the dataset `baocao run` writes, and every column with its type and meaning.\n"
        "Generated from `pipeline/store/schema.py` by `baocao query --schema --format markdown"
        + (" -o docs/data-dictionary.md` (with the dataset of corpus/ in outputs/dataset)" if examples else "`")
        + "; do not edit by hand. The contract these columns fulfil is DATASET.md.\n\n",
    ]
    if examples:
        parts.append(
            "The example column shows one row of each table: the first row with the most columns filled; "
            f"long text is cut at {EXAMPLE_CHARS} characters, and `NULL` marks a missing value.\n\n"
        )
    parts.append("Tables: " + " · ".join(f"[{t.name}](#{t.name})" for t in docs) + "\n\n")
    for t in docs:
        parts.append(f"## {t.name}\n\n{t.meaning[:1].upper()}{t.meaning[1:]}.\n\n")
        if examples and all(c.example is None for c in t.columns):
            parts.append("No example: the table is empty in the dataset read.\n\n")
        parts.append(markdown_row(head))
        parts.append(markdown_row(["---"] * len(head)))
        for c in t.columns:
            row = [f"`{c.name}`", c.type, "yes" if c.nullable else "no", c.meaning]
            parts.append(markdown_row(row + ([c.example or ""] if examples else [])))
        parts.append("\n")
    views = derived_views()
    if views:
        parts.append(
            "## Derived views\n\n"
            "Defined by `baocao query` and `baocao.connect()` over the tables (SQL in `pipeline/query/sql/views/`).\n\n"
        )
        for v in views.values():
            parts.append(f"- `{v.name}`: {v.description}\n")
    return "".join(parts)


def write_schema(docs: list[TableDoc], fmt: str, out: Path | None = None) -> None:
    """--schema in any output format: Markdown as a document, `table` one table per table, the rest flat."""
    if fmt == "markdown":
        text = markdown(docs)
        if out is None:
            print(text, end="")
        else:
            out.write_text(text, encoding="utf-8")
        return
    if fmt != "table":
        write_result(flat(docs).to_reader(), fmt, out)
        return
    examples = has_examples(docs)
    with text_out(out) as fh:
        con = console(fh, out is not None)
        for t in docs:
            rt = RichTable(title=f"{t.name}: {t.meaning}", title_justify="left", header_style="bold")
            for name in ["column", "type", "null", "meaning"] + (["example"] if examples else []):
                rt.add_column(name, overflow="fold")
            for c in t.columns:
                values = [c.name, c.type, "yes" if c.nullable else "no", c.meaning] + ([c.example or ""] if examples else [])
                rt.add_row(*(Text(v) for v in values))
            con.print(rt)

