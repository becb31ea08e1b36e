"""Reading and rewriting tables in a run's staging folder (for corpus-level stages).

A corpus holds far more citations than fit in memory as Python objects, so the
stages work report by report: `report_units` groups a table's part files so
that every report's rows lie in one group (a unit, which a stage may hand to
a process of its own), `unit_slices` yields a unit in slices of about
SLICE_ROWS rows that never cut a report, `update_by_report` rewrites columns
slice by slice, and `PartWriter` writes a stage's output as it comes. Memory
follows the size of a part (the writer's batch) and of a slice, not of the
corpus.

Parts are read file by file with pyarrow.parquet (`read_parts`), not through
pyarrow.dataset: importing that takes a seventh of a second and imports pandas
wherever pandas is installed, and the run's process did it after its workers
were done.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.store.schema import TABLES

# rows turned into Python objects at a time: enough to amortize the calls, few enough to stay small
SLICE_ROWS = 2000


def read_table(folder: Path, name: str, columns: list[str] | None = None, where=None) -> pa.Table:
    """A table (all its parts) of a staging folder or a dataset, or an empty one with the table's schema.

    `where` (a pyarrow.dataset expression: `pc.field("doc_id").isin(ids)`) keeps only the rows it
    selects, as they are read.
    """
    parts = _parts(folder / name)
    schema = TABLES[name].schema
    if where is not None and parts:  # the reports' lookups of one document: worth the dataset scanner
        import pyarrow.dataset as ds

        return ds.dataset(parts, format="parquet", schema=schema).to_table(columns=columns, filter=where)
    return read_parts(parts, schema, columns)


def read_parts(parts: list[Path], schema: pa.Schema, columns: list[str] | None = None) -> pa.Table:
    """These part files as one table with `schema` (only `columns`): a column a part lacks is null,
    one of another type is cast, as pyarrow.dataset would read them."""
    wanted = schema if columns is None else pa.schema([schema.field(c) for c in columns])
    tables = []
    for part in parts:
        with pq.ParquetFile(part) as parquet:
            present = set(parquet.schema_arrow.names)
            table = parquet.read(columns=[c for c in wanted.names if c in present])
        tables.append(conform(table, wanted))
    return pa.concat_tables(tables) if tables else wanted.empty_table()


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The table with `schema`'s columns and types (a part written by another version may lack or type one otherwise)."""
    if table.schema.equals(schema):
        return table
    columns = [
        table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def write_staged(staging: Path, name: str, rows: list[dict] | pa.Table) -> None:
    """Replace a staged table by these rows."""
    with PartWriter(staging, name) as out:
        out.write(rows)


def unit_slices(unit: list[Path], name: str, columns: list[str] | None = None) -> Iterator[pa.Table]:
    """One unit of report_units in slices of about SLICE_ROWS rows, each holding every row of its reports."""
    yield from report_slices(read_parts(unit, TABLES[name].schema, columns))


def report_slices(table: pa.Table, rows: int | None = None) -> Iterator[pa.Table]:
    """Cut a table between reports into slices of about `rows` rows (whole, if a report's rows are not together)."""
    rows = rows or SLICE_ROWS
    if table.num_rows <= rows:
        yield table
        return
    ids = table.column("doc_id").to_pylist()
    starts = [0] + [i for i in range(1, len(ids)) if ids[i] != ids[i - 1]]
    if len(starts) != len(set(ids)):
        yield table
        return
    begin = 0
    for at in starts[1:]:
        if at - begin >= rows:
            yield table.slice(begin, at - begin)
            begin = at
    yield table.slice(begin)


def scan(staging: Path, name: str, columns: list[str]) -> Iterator[pa.Table]:
    """Some columns of a staged table, a slice at a time (for corpus-wide counts)."""
    # part by part, without the dataset scanner's read-ahead (which would hold most of a small corpus)
    for part in _parts(staging / name):
        for batch in pq.ParquetFile(part).iter_batches(batch_size=SLICE_ROWS, columns=columns):
            yield pa.Table.from_batches([batch])


def update_by_report(
    staging: Path, name: str, columns: list[str], update: Callable[[pa.Table], tuple[dict[str, list], Any]],
    keep: Callable[[Any], None] | None = None, deal: Callable[[Callable, list], Iterable] = map,
) -> None:
    """Rewrite columns of a staged table, report by report.

    `update` gets the rows of some reports (only `columns`, in table order) and
    returns new values for some columns, and what `keep` is then given in the
    run's process; the other columns are copied as Arrow data, never turned into
    Python objects. `deal(work, units)` yields work(unit) for each unit of reports
    in order: `map`, or a stage's way of dealing them out to forked processes
    (pipeline.corpus.fanout), in which case `update` must change nothing another
    slice reads and leave to `keep` what must last. `keep` gets what each slice
    returned, in table order, either way.
    """
    schema = TABLES[name].schema
    folder = staging / name

    def rewrite(numbered: tuple[int, list[Path]]) -> tuple[Path, list]:
        # the unit's new part is written where it was made (a forked process, with `deal`): only
        # its path goes back, not the table, which the run's process would unpickle and encode alone
        i, unit = numbered
        table = read_parts(unit, schema)
        new: dict[str, list] = {}
        kept = []
        for piece in report_slices(table.select(columns)):
            values, rest = update(piece)
            kept.append(rest)
            for col, column in values.items():
                new.setdefault(col, []).extend(column)
        for col, values in new.items():
            at = schema.get_field_index(col)
            table = table.set_column(at, schema.field(col), pa.array(values, schema.field(col).type))
        path = folder / f"{_UNIT_PREFIX}{i:05d}.parquet.tmp"
        write_part(table, path)
        return path, kept

    made = deal(rewrite, list(enumerate(report_units(folder))))
    try:
        with PartWriter(staging, name) as out:
            for path, kept in made:
                out.adopt(path)  # first: should `keep` fail, the writer removes it with the others
                if keep is not None:
                    for rest in kept:
                        keep(rest)
    finally:
        if hasattr(made, "close"):  # a deal's processes are stopped before what they wrote is looked at
            made.close()
        for stray in folder.glob(f"{_UNIT_PREFIX}*.parquet.tmp"):  # units made but not adopted: the pass failed
            stray.unlink(missing_ok=True)


_UNIT_PREFIX = ".unit-"  # a unit's rewritten part until update_by_report's writer takes it


class PartWriter:
    """Writes a staged table's new parts; on close they replace the old ones (on error, the old ones stay).

    Rows given in small pieces wait as Arrow data until there are `part_bytes` of them.
    """

    def __init__(self, staging: Path, name: str, part_bytes: int = 8 << 20):
        self.folder = staging / name
        self.folder.mkdir(exist_ok=True)
        self.schema = TABLES[name].schema
        self.part_bytes = part_bytes
        self.pending: list[pa.Table] = []
        self.pending_bytes = 0
        self.written: list[Path] = []

    def write(self, rows: list[dict] | pa.Table) -> None:
        table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=self.schema)
        self.pending.append(table.cast(self.schema))
        self.pending_bytes += self.pending[-1].nbytes
        if self.pending_bytes >= self.part_bytes:
            self._flush()

    def _flush(self) -> None:
        path = self.folder / f".corpus-{len(self.written):05d}.parquet.tmp"
        write_part(pa.concat_tables(self.pending) if self.pending else self.schema.empty_table(), path)
        self.written.append(path)
        self.pending, self.pending_bytes = [], 0

    def adopt(self, path: Path) -> None:
        """A part written elsewhere (a temporary name in the table's folder) becomes the next part."""
        if self.pending:
            self._flush()
        self.written.append(path)

    def __enter__(self) -> PartWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            for path in self.written:
                path.unlink(missing_ok=True)
            return
        if self.pending or not self.written:
            self._flush()
        for old in _parts(self.folder):
            old.unlink()
        for i, path in enumerate(self.written):
            path.rename(self.folder / f"part-{i:05d}.parquet")


def report_units(folder: Path) -> list[list[Path]]:
    """The part files of a table, grouped so that each report's rows lie in one group.

    The dataset writer puts all rows of a report in one part, so a group is
    normally one part; should a report span parts, they are read together.
    """
    parts = _parts(folder)
    root = list(range(len(parts)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    owner: dict[str, int] = {}
    for i, part in enumerate(parts):
        with pq.ParquetFile(part) as parquet:
            ids = parquet.read(columns=["doc_id"]).column("doc_id").unique().to_pylist()
        for doc_id in ids:
            j = owner.setdefault(doc_id, i)
            if j != i:
                root[find(i)] = find(j)
    units: dict[int, list[Path]] = {}
    for i, part in enumerate(parts):
        units.setdefault(find(i), []).append(part)
    return list(units.values())


def write_part(table: pa.Table, path: Path) -> None:
    """One Parquet part file: every part of every table is written here, the same way."""
    pq.write_table(table, path, compression="zstd")


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []
