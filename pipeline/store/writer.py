"""Write a run's tables into its staging folder, a Parquet part at a time, then commit.

Rows wait as Python dicts only in small chunks, then as Arrow data; parts are
written when enough waits. `commit` writes the manifest and swaps the staging
folder into place (pipeline.store.commit).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.models import DocResult
from pipeline.store.commit import GENERATOR, MANIFEST, DamagedDataset, check_output, fsync_tree, lock, recover, swap_into_place, work_dir
from pipeline.store.rows import PER_DOCUMENT_TABLES, result_columns, result_rows
from pipeline.store.schema import SCHEMA_VERSION, TABLES
from pipeline.store.tables import conform, write_part

# Arrow data buffered before the tables are written as parts: what the run's process holds of the dataset
BATCH_BYTES = 8 << 20
CHUNK_ROWS = 2000  # rows of a table waiting as Python dicts before they become Arrow data
CHUNK_CHARS = 1_000_000  # ... or characters of documents' text
INCOMING = ".incoming"  # the staging folder's folder of part files written by workers


class DatasetWriter:
    """Buffers rows per table, writes Parquet parts to staging, commits atomically.

    Rows wait as Python dicts only in small chunks; chunks wait as Arrow tables
    (compact) until all tables together hold `batch_bytes`, then each table's
    chunks become one part. All rows of one `add_rows` call land in the same
    part of their table, so a report's rows are never split between parts (the
    corpus stages rely on it). Memory follows `batch_bytes`, not the corpus.
    """

    def __init__(self, out: Path, batch_bytes: int | None = None, chunk_rows: int | None = None):
        self.out = out
        check_output(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        self._lock = lock(out)
        recover(out)
        self.staging = work_dir(out, "staging")
        self.staging.mkdir()
        for name in TABLES:
            (self.staging / name).mkdir()
        self.batch_bytes = BATCH_BYTES if batch_bytes is None else batch_bytes
        self._chunk_bytes = 0
        self._text_chars = 0  # of documents rows not yet Arrow data
        self.chunk_rows = CHUNK_ROWS if chunk_rows is None else chunk_rows
        self.rows: dict[str, list[dict]] = {name: [] for name in TABLES}
        self.chunks: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
        self.parts: dict[str, int] = {name: 0 for name in TABLES}

    def add_rows(self, rows: dict[str, list[dict]]) -> None:
        for name, table_rows in rows.items():
            if not table_rows:
                continue
            buffer = self.rows[name]
            buffer.extend(table_rows)
            if name == "documents":  # its rows carry whole texts: counted by characters
                self._text_chars += sum(len(r["text"]) for r in table_rows)
            if len(buffer) >= self.chunk_rows or (name == "documents" and self._text_chars >= CHUNK_CHARS):
                self._to_chunk(name)
        if self._chunk_bytes >= self.batch_bytes:
            self.flush()

    def add_result(self, res: DocResult) -> None:
        """One file's rows: from the part files its worker wrote, else from the result itself."""
        if not res.parts:
            self.add_rows(result_rows(res))
            return
        for name, path in res.parts.items():
            self._to_chunk(name)  # rows waiting as dicts come first: they came first
            # the worker's Arrow data read as it is, never turned into Python objects: its bytes read at
            # once and the tables made over them (reading through a file object made a read per buffer,
            # half of this loop's time)
            table = pa.ipc.open_file(pa.py_buffer(Path(path).read_bytes())).read_all()
            self.chunks[name].append(table)
            self._chunk_bytes += table.nbytes
            os.unlink(path)
        if self._chunk_bytes >= self.batch_bytes:
            self.flush()

    def drop_result(self, res: DocResult) -> None:
        """A result whose rows must not be written (its bytes are a document already)."""
        for path in res.parts.values():
            Path(path).unlink(missing_ok=True)

    @property
    def incoming(self) -> Path:
        """Where workers write the part files of the files they read (gone before the commit)."""
        return self.staging / INCOMING

    def _to_chunk(self, name: str) -> None:
        if self.rows[name]:
            chunk = pa.Table.from_pylist(self.rows[name], schema=TABLES[name].schema)
            self.chunks[name].append(chunk)
            self._chunk_bytes += chunk.nbytes
            self.rows[name] = []
            if name == "documents":
                self._text_chars = 0

    def _flush_table(self, name: str) -> None:
        self._to_chunk(name)
        if self.chunks[name]:
            self._write_table(name, pa.concat_tables(self.chunks[name]))
            self.chunks[name] = []

    def carry_over(self, source: Path, doc_ids: set[str]) -> None:
        """Copy the rows of these documents from the dataset at `source` into the staging folder (unchanged files)."""
        if not doc_ids:
            return
        wanted = pa.array(sorted(doc_ids), pa.string())
        for name in PER_DOCUMENT_TABLES:
            for part in sorted((source / name).glob("*.parquet")):  # a part at a time: a damaged one is named
                for rows in _rows_of(source, part, TABLES[name].schema, wanted):
                    if rows.num_rows:
                        self._write_table(name, rows)

    def _write_table(self, name: str, table: pa.Table) -> None:
        # a corpus stage may have rewritten the table as part-00000...: take the next free name
        path = self.staging / name / f"part-{self.parts[name]:05d}.parquet"
        while path.exists():
            self.parts[name] += 1
            path = self.staging / name / f"part-{self.parts[name]:05d}.parquet"
        write_part(table, path)
        self.parts[name] += 1

    def flush(self) -> None:
        for name in TABLES:
            self._flush_table(name)
        self._chunk_bytes = 0

    def commit(self, manifest: dict) -> Path:
        """Write what is buffered and the manifest, then swap the staging folder into place."""
        self.flush()
        shutil.rmtree(self.incoming, ignore_errors=True)  # what workers stopped mid-file left
        for name in TABLES:
            if not any((self.staging / name).glob("*.parquet")):  # an empty table still carries its schema
                self._write_table(name, TABLES[name].schema.empty_table())
        tables = {name: sorted(p.name for p in (self.staging / name).glob("*.parquet")) for name in TABLES}
        manifest = {
            "generator": GENERATOR,
            "schema_version": SCHEMA_VERSION,
            "pipeline_version": __version__,
            "committed_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            # counted from the files: corpus stages may have rewritten tables after the rows were added
            "row_counts": {
                name: sum(pq.read_metadata(self.staging / name / f).num_rows for f in files) for name, files in tables.items()
            },
            "tables": tables,
            **manifest,
        }
        path = self.staging / MANIFEST
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        fsync_tree(self.staging)
        check_output(self.out)  # again: files may have been put there while the run read its inputs
        swap_into_place(self.staging, self.out)
        self._release()
        return self.out

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def _rows_of(source: Path, part: Path, schema: pa.Schema, wanted: pa.Array) -> Iterator[pa.Table]:
    """The rows of one part of the dataset at `source` whose doc_id is `wanted`; DamagedDataset when it cannot be read."""
    import pyarrow.compute as pc

    try:
        with pq.ParquetFile(part) as parquet:
            for batch in parquet.iter_batches(batch_size=50_000):
                batch = batch.filter(pc.is_in(batch.column("doc_id"), value_set=wanted))
                yield conform(pa.Table.from_batches([batch]), schema)
    except (pa.ArrowException, OSError, KeyError) as exc:  # truncated, overwritten, unreadable, not ours
        raise DamagedDataset(source, part, exc) from None


def warm_up_arrow() -> None:
    """pyarrow's first conversion of a Python list imports pandas wherever it is installed (a quarter
    second): done in the run's process before its workers fork, not in each worker and again after."""
    pa.array([""], pa.string())


def write_result(folder: Path, index: int, res: DocResult) -> DocResult:
    """In a worker: write one file's rows as Arrow files in `folder`, and return the result without them.

    The run's process then takes the rows as they are (DatasetWriter.add_result) instead of
    unpickling every entity and turning it into a row. Arrow IPC rather than Parquet: these
    files live for a moment, and the writer's Parquet parts gather many files each. When the
    files cannot be written, the result goes back whole and the rows with it.
    """
    written: dict[str, str] = {}
    try:
        for name, columns in result_columns(res).items():
            table = pa.Table.from_pydict(columns, schema=TABLES[name].schema)
            if table.num_rows:
                path = folder / f"{index:09d}-{name}.arrow"
                with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
                    out.write_table(table)
                written[name] = str(path)
    except (OSError, pa.ArrowException):  # a full disk, a value Arrow refuses: the rows go back as they were
        for path in written.values():
            Path(path).unlink(missing_ok=True)
        return res
    return res.without_rows(written)
