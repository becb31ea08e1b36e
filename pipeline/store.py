"""Write the dataset: Parquet tables plus manifest.json, committed atomically.

A run writes into a staging folder next to the output folder
(`.baocao-staging-<id>`), one Parquet part per table per flushed batch, and
commits by swapping the staging folder with the output folder in one step
(Linux renameat2 RENAME_EXCHANGE; elsewhere two renames, with recovery of the
old folder on the next run). Readers see either the old dataset or the new
one, never a mix, and a crash leaves the previous dataset untouched.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import fcntl
import json
import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.discover import WORK_DIR_PREFIX
from pipeline.libc import function
from pipeline.models import DocResult, Document
from pipeline.schema import SCHEMA_VERSION, TABLES

MANIFEST = "manifest.json"
# Arrow data buffered before the tables are written as parts: what the run's process holds of the dataset
BATCH_BYTES = 8 << 20
CHUNK_ROWS = 2000  # rows of a table waiting as Python dicts before they become Arrow data
CHUNK_CHARS = 1_000_000  # ... or characters of documents' text


class OutputError(Exception):
    """The output folder cannot be used; the message says why."""


def document_row(doc: Document, n_references: int, duplicate_of: str | None = None) -> dict:
    return {
        "doc_id": doc.doc_id,
        "source_path": doc.source_path,
        "source_format": doc.source_format,
        "text": doc.text,
        "n_pages": doc.n_pages,
        "title": doc.title,
        "issuing_agency": doc.issuing_agency,
        "province": doc.province,
        "province_as_written": doc.province_as_written,
        "report_date": doc.report_date,
        "period_start": doc.period_start,
        "period_end": doc.period_end,
        "issued_date": doc.report_date,
        "own_code": doc.own_code,
        "doc_type": doc.doc_type,
        "place": doc.place,
        "issuer_line": doc.issuer_line,
        "signer_title": doc.signer_title,
        "signer_name": doc.signer_name,
        "recipients": doc.recipients,
        "encoding_repaired": doc.encoding_repaired,
        "ocr_pages": doc.ocr_pages,
        "sha256": doc.sha256,
        "size_bytes": doc.size_bytes,
        "encoding": doc.encoding,
        "layout": doc.layout,
        "n_blocks": len(doc.blocks),
        "n_references": n_references,
        "duplicate_of": duplicate_of,
        "pipeline_version": __version__,
    }


def result_rows(res: DocResult, duplicate_of: str | None = None) -> dict[str, list[dict]]:
    """One input file's rows for every table. A duplicate file keeps only its documents row."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    rows["errors"] = [
        {"source_path": e.source_path, "stage": e.stage, "error_type": e.error_type, "message": e.message, "doc_id": e.doc_id}
        for e in res.errors
    ]
    doc = res.document
    if doc is None:
        return rows
    rows["documents"].append(document_row(doc, len(res.references), duplicate_of))
    if duplicate_of:
        return rows
    where = {"doc_id": doc.doc_id, "source_path": doc.source_path}
    rows["blocks"] = [
        {
            "doc_id": doc.doc_id,
            "block_id": i,
            "kind": b.kind,
            "page": b.page,
            "start": b.start,
            "end": b.end,
            "ocr": b.ocr,
            "footnote": b.footnote,
            "anchor": b.anchor,
            "table_index": b.table,
            "row": b.row,
            "col": b.col,
        }
        for i, b in enumerate(doc.blocks)
    ]
    rows["references"] = [_entity_row(r, where, "references") for r in res.references]
    rows["quantities"] = [_entity_row(q, where, "quantities") for q in res.quantities]
    rows["agencies"] = [_entity_row(a, where, "agencies") for a in res.agencies]
    return rows


def _entity_row(entity, where: dict, table: str) -> dict:
    row = dict(where)
    for name in TABLES[table].names:
        if name not in row:
            row[name] = getattr(entity, name, None)
    return row


# tables whose rows belong to one input file; the others are made by the corpus stages
PER_DOCUMENT_TABLES = ("documents", "blocks", "references", "quantities", "agencies", "errors")


def previous_documents(out: Path, version: str) -> dict[str, dict]:
    """doc_id -> {source_path, sha256, size_bytes} of the documents the dataset at `out` holds, made by this version."""
    import pyarrow.dataset as ds

    folder = out / "documents"
    if not (out / MANIFEST).exists() or not folder.is_dir():
        return {}
    try:
        table = ds.dataset(folder, format="parquet").to_table(
            columns=["doc_id", "source_path", "sha256", "size_bytes", "pipeline_version"]
        )
    except (OSError, ValueError, pa.ArrowInvalid):
        return {}  # an unreadable old dataset: read everything again
    return {
        r["doc_id"]: r for r in table.to_pylist() if r["pipeline_version"] == version
    }


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
        _check_output(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(out)
        recover(out)
        self.staging = out.parent / f"{WORK_DIR_PREFIX}staging-{out.name}-{uuid.uuid4().hex[:12]}"
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
        import pyarrow.compute as pc
        import pyarrow.dataset as ds

        wanted = pa.array(sorted(doc_ids), pa.string())
        for name in PER_DOCUMENT_TABLES:
            folder = source / name
            if not folder.is_dir() or not any(folder.glob("*.parquet")):
                continue
            dataset = ds.dataset(folder, format="parquet", schema=TABLES[name].schema)
            for batch in dataset.to_batches(filter=pc.field("doc_id").isin(wanted), batch_size=50_000):
                if batch.num_rows:
                    self._write_table(name, pa.Table.from_batches([batch]))

    def _write_table(self, name: str, table: pa.Table) -> None:
        # a corpus stage may have rewritten the table as part-00000...: take the next free name
        path = self.staging / name / f"part-{self.parts[name]:05d}.parquet"
        while path.exists():
            self.parts[name] += 1
            path = self.staging / name / f"part-{self.parts[name]:05d}.parquet"
        pq.write_table(table, path, compression="zstd")
        self.parts[name] += 1

    def flush(self) -> None:
        for name in TABLES:
            self._flush_table(name)
        self._chunk_bytes = 0

    def commit(self, manifest: dict) -> Path:
        """Write what is buffered and the manifest, then swap the staging folder into place."""
        self.flush()
        for name in TABLES:
            if not any((self.staging / name).glob("*.parquet")):  # an empty table still carries its schema
                self._write_table(name, TABLES[name].schema.empty_table())
        tables = {name: sorted(p.name for p in (self.staging / name).glob("*.parquet")) for name in TABLES}
        manifest = {
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
        _fsync_tree(self.staging)
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


def _lock(out: Path):
    """One writer per output folder; the lock dies with the process, so a crash never leaves it held."""
    fh = open(out.parent / f"{WORK_DIR_PREFIX}lock-{out.name}", "a+b")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise OutputError(f"Another baocao run is writing to {out}; wait for it to finish.") from None
    return fh


def _check_output(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(f"Output path {out} exists and is not a folder.")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise OutputError(
            f"Output folder {out} is not empty and holds no baocao dataset (no {MANIFEST}); "
            "choose another folder with -o, or empty it."
        )


def recover(out: Path) -> None:
    """Undo a commit that a crash interrupted, and drop what crashed runs left (call under the lock)."""
    parent = out.parent
    if not parent.exists():
        return
    olds = sorted(parent.glob(f"{WORK_DIR_PREFIX}old-{out.name}-*"))
    if olds and not out.exists():
        os.rename(olds[-1], out)  # the crash fell between the two renames: put the old dataset back
        olds = olds[:-1]
    for stale in olds:
        shutil.rmtree(stale, ignore_errors=True)
    for stale in parent.glob(f"{WORK_DIR_PREFIX}staging-{out.name}-*"):
        shutil.rmtree(stale, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False when the platform cannot."""
    renameat2 = function("renameat2")
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def swap_into_place(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
    elif _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous dataset
    else:
        old = out.parent / f"{WORK_DIR_PREFIX}old-{out.name}-{uuid.uuid4().hex[:8]}"
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(out.parent)


def _fsync_tree(root: Path) -> None:
    for dirpath, _, filenames in os.walk(root):
        for fn in filenames:
            with open(os.path.join(dirpath, fn), "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
