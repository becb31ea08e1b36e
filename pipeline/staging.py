"""Reading and rewriting tables in a run's staging folder (for corpus-level stages)."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline.schema import TABLES


def read_staged(staging: Path, name: str, columns: list[str] | None = None) -> pa.Table:
    """A staged table (all its parts), or an empty one with the table's schema."""
    folder = staging / name
    schema = TABLES[name].schema
    if not folder.exists() or not any(folder.glob("*.parquet")):
        table = schema.empty_table()
        return table.select(columns) if columns else table
    return ds.dataset(folder, format="parquet", schema=schema).to_table(columns=columns)


def write_staged(staging: Path, name: str, rows: list[dict] | pa.Table) -> None:
    """Replace a staged table by these rows (one part file)."""
    folder = staging / name
    folder.mkdir(exist_ok=True)
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=TABLES[name].schema)
    tmp = folder / ".part-corpus.parquet.tmp"
    pq.write_table(table.cast(TABLES[name].schema), tmp, compression="zstd")
    for old in folder.glob("*.parquet"):
        old.unlink()
    tmp.rename(folder / "part-00000.parquet")


def staged_rows(staging: Path, name: str, columns: list[str] | None = None) -> list[dict]:
    """A staged table as dicts, each repeated string one object (a corpus has few distinct paths, types, codes).

    The corpus stages hold every citation in memory; pyarrow would give each row
    its own copy of `source_path`, `doc_type`, `relation`, the shared sentence...
    """
    table = read_staged(staging, name, columns)
    names = table.column_names
    cols = []
    for col in names:
        values = table.column(col).to_pylist()
        if pa.types.is_string(table.schema.field(col).type):
            memo: dict[str, str] = {}
            values = [memo.setdefault(v, v) if v is not None else None for v in values]
        cols.append(values)
    return [dict(zip(names, row)) for row in zip(*cols)] if cols else []
