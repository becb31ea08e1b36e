"""Orchestration: discover -> ingest -> normalize -> extract -> store.

`process_file` is the per-document function: it never raises; whatever goes
wrong with one file becomes an `errors` row and the run goes on. `run` feeds
files through it and streams the results to the dataset writer.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.assemble import assemble
from pipeline.discover import InputFile, discover
from pipeline.corpus import finalize
from pipeline.extract import extract
from pipeline.ingest import IngestError, ingest
from pipeline.models import DocResult, Document, ErrorRecord
from pipeline.store import DatasetWriter, result_rows

DEFAULT_MAX_BYTES = 512 * 1024 * 1024


@dataclass(slots=True)
class RunSummary:
    files: int = 0
    read: int = 0
    failed: int = 0
    duplicates: int = 0
    references: int = 0
    characters: int = 0
    seconds: float = 0.0
    errors_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0: every file was read; 1: some files failed."""
        return 1 if self.failed else 0


def process_file(item: InputFile, max_bytes: int = DEFAULT_MAX_BYTES) -> DocResult:
    started = time.perf_counter()
    res = DocResult(source_path=item.display)

    def fail(stage: str, error_type: str, message: str, doc_id: str | None = None) -> DocResult:
        res.errors.append(ErrorRecord(item.display, stage, error_type, message, doc_id))
        res.seconds = time.perf_counter() - started
        return res

    try:
        if item.path.is_dir():
            return fail("ingest", "not_a_file", f"{item.display} is a folder, not a file.")
        size = item.path.stat().st_size
        if size > max_bytes:
            return fail(
                "ingest",
                "too_large",
                f"The file has {size:,} bytes, more than the limit of {max_bytes:,}; "
                "raise it with --max-bytes if the file is genuine.",
            )
        data = item.path.read_bytes()
    except FileNotFoundError:
        return fail("ingest", "vanished", "The file disappeared before it could be read.")
    except PermissionError:
        return fail("ingest", "permission_denied", "No permission to read the file; check its permissions.")
    except OSError as exc:
        return fail("ingest", "unreadable", f"The file could not be read: {exc.strerror or exc}.")

    sha = hashlib.sha256(data).hexdigest()
    doc_id = sha[:16]
    try:
        ing = ingest(item.path, data)
    except IngestError as exc:
        return fail("ingest", exc.error_type, exc.message, doc_id)
    except Exception as exc:  # a parser bug must cost one file, not the run
        return fail("ingest", "ingest_failed", f"Unexpected error while reading the file ({type(exc).__name__}: {exc}).", doc_id)
    del data

    text, blocks = assemble(ing.blocks)
    if not text.strip():
        return fail("ingest", "empty_text", "No text could be taken from the file.", doc_id)
    doc = Document(
        doc_id=doc_id,
        source_path=item.display,
        source_format=ing.source_format,
        text=text,
        blocks=blocks,
        sha256=sha,
        size_bytes=size,
        n_pages=ing.n_pages,
        encoding=ing.encoding,
        encoding_repaired=ing.encoding_repaired,
        ocr_pages=ing.ocr_pages,
        layout=ing.layout,
    )
    res.document = doc
    extract(doc, res)
    res.seconds = time.perf_counter() - started
    return res


def run(
    paths: list[Path],
    out: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_start: Callable[[int], None] | None = None,
    on_file: Callable[[DocResult], None] | None = None,
) -> RunSummary:
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc)
    files, discover_errors = discover(paths, exclude=[out])
    summary = RunSummary(files=len(files) + len(discover_errors), failed=len(discover_errors))
    if on_start:
        on_start(len(files))
    writer = DatasetWriter(out)
    inputs: list[dict] = []
    try:
        writer.add_rows(result_rows(DocResult(source_path="", errors=discover_errors)))
        for err in discover_errors:
            _count_error(summary, err)
            inputs.append({"source_path": err.source_path, "status": "failed", "error_type": err.error_type})
        first_path_of: dict[str, str] = {}
        for item in files:
            res = process_file(item, max_bytes=max_bytes)
            duplicate_of = None
            if res.document is not None:
                sha = res.document.sha256
                duplicate_of = first_path_of.setdefault(sha, item.display)
                duplicate_of = None if duplicate_of == item.display else duplicate_of
                summary.read += 1
                summary.duplicates += duplicate_of is not None
                summary.characters += len(res.document.text)
                summary.references += 0 if duplicate_of else len(res.references)
                inputs.append(
                    {
                        "source_path": item.display,
                        "status": "read",
                        "doc_id": res.document.doc_id,
                        "sha256": sha,
                        "size_bytes": res.document.size_bytes,
                    }
                )
            else:
                summary.failed += 1
                inputs.append({"source_path": item.display, "status": "failed", "error_type": res.errors[0].error_type})
            for err in res.errors:
                _count_error(summary, err)
            writer.add_rows(result_rows(res, duplicate_of))
            if on_file:
                on_file(res)
        summary.seconds = time.perf_counter() - started
        writer.flush()
        corpus_errors = finalize(writer.staging)
        for err in corpus_errors:
            _count_error(summary, err)
        writer.add_rows(result_rows(DocResult(source_path="", errors=corpus_errors)))
        writer.commit(
            {
                "run": {
                    "started_at": started_at.isoformat(timespec="seconds"),
                    "seconds": round(summary.seconds, 3),
                    "inputs_given": [str(p) for p in paths],
                    "files": summary.files,
                    "read": summary.read,
                    "failed": summary.failed,
                },
                "inputs": inputs,
            }
        )
    except BaseException:
        writer.abort()
        raise
    return summary


def _count_error(summary: RunSummary, err: ErrorRecord) -> None:
    summary.errors_by_type[err.error_type] = summary.errors_by_type.get(err.error_type, 0) + 1

