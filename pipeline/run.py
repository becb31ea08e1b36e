"""Orchestration: discover -> ingest -> normalize -> extract -> store.

`process_file` is the per-document function: it never raises; whatever goes
wrong with one file becomes an `errors` row and the run goes on. `run` hands
files to an engine (pipeline.engines), streams the results to the dataset
writer, runs the corpus stages over the staged dataset and commits it.

Runs are incremental: a file whose sha256 and pipeline version are already in
the dataset is not read again; its rows are carried over into the new commit.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.assemble import assemble
from pipeline.corpus import finalize
from pipeline.discover import InputFile, check_inputs, discover, shown
from pipeline.incremental import known_documents, plan
from pipeline.engines import DEFAULT_MAX_BYTES, Limits, make_engine
from pipeline.extract import extract
from pipeline.ingest import IngestError, ingest
from pipeline.memory import giving_back_freed_memory
from pipeline.models import DocResult, Document, ErrorRecord
from pipeline.runlog import RunLog
from pipeline.store import DatasetWriter, result_rows


@dataclass(slots=True)
class RunSummary:
    files: int = 0
    read: int = 0
    failed: int = 0
    duplicates: int = 0
    references: int = 0
    characters: int = 0
    seconds: float = 0.0
    skipped: int = 0  # unchanged since the last run: carried over, not read
    added: int = 0
    replaced: int = 0
    pruned: int = 0
    kept: int = 0  # vanished from the inputs but kept (no --prune)
    errors_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0: every file was read; 1: some files failed."""
        return 1 if self.failed else 0


def process_file(item: InputFile, max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int | None = None) -> DocResult:
    started = time.perf_counter()
    res = DocResult(source_path=item.display)

    def fail(stage: str, error_type: str, message: str, doc_id: str | None = None) -> DocResult:
        res.errors.append(ErrorRecord(item.display, stage, error_type, message, doc_id))
        res.seconds = time.perf_counter() - started
        return res

    try:
        if item.path.is_dir():
            return fail("ingest", "not_a_file", f"{item.display} is a folder, not a file.")
        with item.path.open("rb") as fh:
            # what is read counts, not what stat says: a file can grow, or be a device behind a link
            data = fh.read(max_bytes + 1)
        size = len(data)
        if size > max_bytes:
            return fail(
                "ingest",
                "too_large",
                f"The file has more than {max_bytes:,} bytes, the limit; raise it with --max-bytes if the file is genuine.",
            )
    except FileNotFoundError:
        return fail("ingest", "vanished", "The file disappeared before it could be read.")
    except PermissionError:
        return fail("ingest", "permission_denied", "No permission to read the file; check its permissions.")
    except OSError as exc:
        return fail("ingest", "unreadable", f"The file could not be read: {exc.strerror or exc}.")

    sha = hashlib.sha256(data).hexdigest()
    doc_id = sha[:16]
    try:
        ing = ingest(item.path, data, max_pages=max_pages)
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
    max_pages: int | None = None,
    timeout_s: float | None = None,
    workers: int | None = 1,
    engine: str = "local",
    scheduler: str | None = None,
    incremental: bool = True,
    prune: bool = False,
    follow_symlinks: bool = False,
    log: RunLog | None = None,
    on_start: Callable[[int], None] | None = None,
    on_file: Callable[[DocResult], None] | None = None,
) -> RunSummary:
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc)
    log = log or RunLog(None)
    check_inputs(paths, out)
    files, discover_errors = discover(paths, exclude=[out], follow_symlinks=follow_symlinks)
    summary = RunSummary(files=len(files) + len(discover_errors), failed=len(discover_errors))
    writer = DatasetWriter(out)
    inputs: list[dict] = []
    try:
        known = known_documents(out, __version__) if incremental else {}
        todo = plan(files, known)
        summary.skipped = len(todo.carried)
        summary.duplicates = len(todo.duplicates)
        if on_start:
            on_start(len(todo.to_read))
        log.event("run_start", files=len(files), to_read=len(todo.to_read), unchanged=len(todo.carried), engine=engine, workers=workers)
        writer.add_rows(result_rows(DocResult(source_path="", errors=discover_errors)))
        for err in discover_errors:
            _count_error(summary, err)
            inputs.append({"source_path": err.source_path, "status": "failed", "error_type": err.error_type})
            log.file(err.source_path, "failed", error_type=err.error_type, message=err.message)
        keep = set(todo.carried)
        for k in todo.vanished:
            if prune:
                summary.pruned += 1
            else:
                summary.kept += 1
                keep.add(k.doc_id)
                inputs.append({"source_path": k.source_path, "status": "kept", "doc_id": k.doc_id, "sha256": k.sha256,
                               "paths": sorted(k.paths)})
        writer.carry_over(out, keep)
        # the first path of each document's bytes: later files with the same bytes are duplicates of it
        first_path_of: dict[str, str] = {known[doc_id].sha256: item.display for doc_id, item in todo.carried.items()}
        for doc_id, item in todo.carried.items():
            inputs.append(_input_entry(item, "unchanged", doc_id, known[doc_id].sha256, known[doc_id].size_bytes))
        for item, doc_id in todo.duplicates:
            inputs.append({**_input_entry(item, "duplicate", doc_id, known[doc_id].sha256, known[doc_id].size_bytes),
                           "duplicate_of": todo.carried[doc_id].display})
        items = {item.display: item for item in todo.to_read}
        limits = Limits(max_bytes=max_bytes, max_pages=max_pages, timeout_s=timeout_s)
        for res in make_engine(engine, workers or 0, limits, scheduler).map(todo.to_read):
            item = items[res.source_path]
            if res.document is not None:
                doc = res.document
                duplicate_of = first_path_of.setdefault(doc.sha256, res.source_path)
                if duplicate_of != res.source_path:  # one document however many files hold its bytes
                    summary.duplicates += 1
                    inputs.append({**_input_entry(item, "duplicate", doc.doc_id, doc.sha256, doc.size_bytes), "duplicate_of": duplicate_of})
                    log.file(res.source_path, "duplicate", doc_id=doc.doc_id, duplicate_of=duplicate_of, seconds=round(res.seconds, 4))
                    if on_file:
                        on_file(res)
                    continue
                summary.read += 1
                summary.characters += len(doc.text)
                summary.references += len(res.references)
                if res.source_path in todo.changed:
                    summary.replaced += 1
                else:
                    summary.added += 1
                inputs.append(_input_entry(item, "read", doc.doc_id, doc.sha256, doc.size_bytes))
                log.file(res.source_path, "read", doc_id=doc.doc_id, seconds=round(res.seconds, 4),
                         references=len(res.references), quantities=len(res.quantities), agencies=len(res.agencies),
                         errors=[e.error_type for e in res.errors])
            else:
                summary.failed += 1
                inputs.append({"source_path": res.source_path, "resolved": item.resolved, "status": "failed",
                               "error_type": res.errors[0].error_type})
                log.file(res.source_path, "failed", error_type=res.errors[0].error_type, message=res.errors[0].message,
                         seconds=round(res.seconds, 4))
            for err in res.errors:
                _count_error(summary, err)
            writer.add_rows(result_rows(res))
            if on_file:
                on_file(res)
        writer.flush()
        # the workers are done (forked ones would inherit the setting): the run's process works alone
        with giving_back_freed_memory():
            corpus_errors = finalize(writer.staging)
        for err in corpus_errors:
            _count_error(summary, err)
        writer.add_rows(result_rows(DocResult(source_path="", errors=corpus_errors)))
        summary.seconds = time.perf_counter() - started
        writer.commit(
            {
                "run": {
                    "started_at": started_at.isoformat(timespec="seconds"),
                    "seconds": round(summary.seconds, 3),
                    "inputs_given": [shown(p) for p in paths],
                    "engine": engine,
                    "workers": workers,
                    "files": summary.files,
                    "read": summary.read,
                    "failed": summary.failed,
                    "duplicates": summary.duplicates,
                    "unchanged": summary.skipped,
                    "added": summary.added,
                    "replaced": summary.replaced,
                    "pruned": summary.pruned,
                    "kept_vanished": summary.kept,
                },
                "inputs": inputs,
            }
        )
        log.event("run_end", read=summary.read, failed=summary.failed, unchanged=summary.skipped, seconds=round(summary.seconds, 3))
    except BaseException:
        writer.abort()
        raise
    return summary


def _input_entry(item: InputFile, status: str, doc_id: str, sha256: str, size_bytes: int) -> dict:
    return {"source_path": item.display, "resolved": item.resolved, "status": status, "doc_id": doc_id,
            "sha256": sha256, "size_bytes": size_bytes}


def _count_error(summary: RunSummary, err: ErrorRecord) -> None:
    summary.errors_by_type[err.error_type] = summary.errors_by_type.get(err.error_type, 0) + 1

