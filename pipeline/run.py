"""The run: inputs -> the per-document stage on an engine -> staged tables -> corpus stages -> commit.

`run` checks the inputs, decides what must be read (pipeline.incremental),
hands those files to an engine (pipeline.engines, which runs
pipeline.document.process_file), streams the results to the dataset writer,
runs the corpus stages over the staged tables and commits them. What happened
to every input is kept by a `Ledger`: the summary, the manifest's `inputs`
and the run log all come from it.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

from pipeline import __version__
from pipeline.corpus import finalize
from pipeline.discover import InputFile, check_inputs, discover, shown
from pipeline.document import warm_up
from pipeline.engines import Engine, Limits, make_engine
from pipeline.incremental import Known, Plan, held_by, known_documents, plan
from pipeline.models import DocResult, ErrorRecord
from pipeline.runlog import RunLog
from pipeline.store.commit import DamagedDataset
from pipeline.store.memory import giving_back_freed_memory
from pipeline.store.rows import result_rows
from pipeline.store.writer import DatasetWriter, warm_up_arrow, write_result


INTERRUPTED = 130  # the exit code of a run stopped by Ctrl-C


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
    interrupted: bool = False  # Ctrl-C: the files done were committed, the others are for the next run
    done: int = 0  # files the engine finished this run
    errors_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0: every file was read; 1: some files failed; 130: interrupted (as a shell says of Ctrl-C)."""
        if self.interrupted:
            return INTERRUPTED
        return 1 if self.failed else 0


def run(
    paths: list[Path],
    out: Path,
    *,
    limits: Limits | None = None,
    workers: int | None = 1,
    engine: str = "local",
    scheduler: str | None = None,
    incremental: bool = True,
    prune: bool = False,
    follow_symlinks: bool = False,
    log: RunLog | None = None,
    on_start: Callable[[int], None] | None = None,
    on_file: Callable[[DocResult], None] | None = None,
    on_page: Callable[[InputFile, int, int], None] | None = None,
) -> RunSummary:
    """Read the inputs and commit the dataset; Ctrl-C while files are read commits the files done
    (`RunSummary.interrupted`), a second one during that commit leaves the previous dataset as it was."""
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc)
    check_inputs(paths, out)
    files, discover_errors = discover(paths, exclude=[out], follow_symlinks=follow_symlinks)
    ledger = Ledger(log or RunLog(None), files=len(files) + len(discover_errors))
    writer = DatasetWriter(out)
    try:
        previous = _previous(out, incremental)
        known = previous if incremental else {}
        todo = plan(files, known)
        if on_start:
            on_start(len(todo.to_read))
        ledger.log.event("run_start", files=len(files), to_read=len(todo.to_read), unchanged=len(todo.carried),
                         engine=engine, workers=workers)
        writer.add_rows(result_rows(DocResult(source_path="", errors=discover_errors)))
        for err in discover_errors:
            ledger.failed_before_reading(err)
        carried = ledger.carry(todo, known, prune)
        writer.carry_over(out, carried)
        engine_ = _engine(engine, workers, limits, scheduler, writer, bool(todo.to_read), on_page)
        done = _read(engine_, todo, ledger, writer, on_file)
        if ledger.summary.interrupted:  # the files not read keep what the previous dataset holds of them
            writer.carry_over(out, ledger.not_read(todo.to_read[done:], previous, carried))
        writer.flush()
        _finish(writer, ledger, started, {"started_at": started_at.isoformat(timespec="seconds"),
                                          "inputs_given": [shown(p) for p in paths], "engine": engine, "workers": workers},
                # the workers' processes are done: the stages may use as many, never more than this
                # machine's cores (a cluster's run may name more workers than it has)
                min(workers or os.cpu_count() or 1, os.cpu_count() or 1))
    except BaseException:
        writer.abort()
        raise
    finally:
        gc.unfreeze()  # what the warm-up froze (pipeline.document.warm_up) is the collector's again
    return ledger.summary


def _previous(out: Path, incremental: bool) -> dict[str, Known]:
    """What the dataset at `out` holds; with --full a damaged dataset holds nothing (it is rebuilt)."""
    try:
        return known_documents(out, __version__)
    except DamagedDataset:
        if incremental:  # reading everything again would drop rows: the user is told --full rebuilds it
            raise
        return {}


def _finish(writer: DatasetWriter, ledger: Ledger, started: float, run_record: dict, processes: int) -> None:
    """The corpus stages on every document's rows (dealing their passes out to `processes`), then the
    manifest and the commit."""
    # the workers are done (forked ones would inherit the setting): the run's process works alone
    with giving_back_freed_memory():
        corpus_errors = finalize(writer.staging, processes)
    for err in corpus_errors:
        ledger.count_error(err)
    writer.add_rows(result_rows(DocResult(source_path="", errors=corpus_errors)))
    ledger.summary.seconds = time.perf_counter() - started
    writer.commit({"run": {**run_record, **ledger.counts()}, "inputs": ledger.inputs})
    ledger.log.event("run_end", read=ledger.summary.read, failed=ledger.summary.failed,
                     unchanged=ledger.summary.skipped, interrupted=ledger.summary.interrupted,
                     seconds=round(ledger.summary.seconds, 3))


def _engine(name: str, workers: int | None, limits: Limits | None, scheduler: str | None, writer: DatasetWriter,
            reading: bool, on_page: Callable[[InputFile, int, int], None] | None = None) -> Engine:
    """The engine, its local workers writing their rows in the staging folder."""
    writer.incoming.mkdir()
    if name == "local" and reading:  # before the workers are forked: they inherit what it loaded
        warm_up_arrow()  # first: what it imports is frozen with the rest (pipeline.document.warm_up)
        warm_up()
    return make_engine(name, workers or 0, limits or Limits(), scheduler, keep=partial(write_result, writer.incoming),
                       on_page=on_page)


def _read(engine: Engine, todo: Plan, ledger: Ledger, writer: DatasetWriter, on_file) -> int:
    """Hand the files to read to the engine and add its results in input order; the number of files done.

    Ctrl-C stops handing out files (the workers ignore it; those still reading are stopped) and
    returns: the run then commits what is done. It never cuts a file's rows in half.
    """
    done = 0
    with Interruption() as interruption:
        results = engine.map(todo.to_read)
        try:
            for res in results:
                with interruption.holding():
                    if ledger.read(res, todo):
                        writer.add_result(res)
                    else:
                        writer.drop_result(res)
                    done += 1
                if on_file:
                    on_file(res)
        except KeyboardInterrupt:
            ledger.summary.interrupted = True
        finally:
            results.close()  # the engine stops its workers
    ledger.summary.done = done
    return done


class Interruption:
    """SIGINT while the files are read: KeyboardInterrupt as usual, but never while a result is
    being added (it is raised once the result is in). Outside the block Ctrl-C is what it was."""

    def __init__(self) -> None:
        self.requested = False
        self._holding = False
        self._previous = None

    def __enter__(self) -> Interruption:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: Ctrl-C is not this run's to handle
            self._previous = None
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum, frame) -> None:
        self.requested = True
        if not self._holding:
            raise KeyboardInterrupt

    @contextmanager
    def holding(self) -> Iterator[None]:
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        if self.requested:
            raise KeyboardInterrupt


class Ledger:
    """What became of every input: counted for the summary, listed for the manifest, told to the log."""

    def __init__(self, log: RunLog, files: int):
        self.log = log
        self.summary = RunSummary(files=files)
        self.inputs: list[dict] = []
        self.first_path_of: dict[str, str] = {}  # sha256 -> the input whose document holds those bytes
        self.resolved: dict[str, str] = {}  # display -> resolved path, of the inputs read this run

    def failed_before_reading(self, err: ErrorRecord) -> None:
        self.summary.failed += 1
        self.count_error(err)
        self.inputs.append({"source_path": err.source_path, "status": "failed", "error_type": err.error_type})
        self.log.file(err.source_path, "failed", error_type=err.error_type, message=err.message)

    def carry(self, todo: Plan, known: dict[str, Known], prune: bool) -> set[str]:
        """Record the documents carried over and those that vanished; the doc_ids to carry."""
        keep = set(todo.carried)
        for k in todo.vanished:
            if prune:
                self.summary.pruned += 1
            else:
                self.summary.kept += 1
                keep.add(k.doc_id)
                self.inputs.append({"source_path": k.source_path, "status": "kept", "doc_id": k.doc_id,
                                    "sha256": k.sha256, "paths": sorted(k.paths)})
        self.summary.skipped = len(todo.carried)
        for doc_id, item in todo.carried.items():
            k = known[doc_id]
            self.first_path_of[k.sha256] = item.display
            self.inputs.append(_entry(item.display, item.resolved, "unchanged", k.doc_id, k.sha256, k.size_bytes))
        for item, doc_id in todo.duplicates:
            k = known[doc_id]
            self._duplicate(item.display, item.resolved, k.doc_id, k.sha256, k.size_bytes, todo.carried[doc_id].display)
        self.resolved = {item.display: item.resolved for item in todo.to_read}
        return keep

    def not_read(self, unread: list[InputFile], previous: dict[str, Known], carried: set[str]) -> set[str]:
        """After Ctrl-C: the documents the previous dataset holds at the inputs not read, kept as they were."""
        keep = {d for d in held_by(unread, previous) - carried if previous[d].sha256 not in self.first_path_of}
        for doc_id in sorted(keep):
            k = previous[doc_id]
            self.inputs.append({"source_path": k.source_path, "status": "not_read", "doc_id": k.doc_id,
                                "sha256": k.sha256, "paths": sorted(k.paths)})
        return keep

    def read(self, res: DocResult, todo: Plan) -> bool:
        """Record one file the engine read; False when its rows must not be written (its bytes are a document already)."""
        display, resolved = res.source_path, self.resolved.get(res.source_path, "")
        doc = res.document
        if doc is None:
            self.summary.failed += 1
            self.inputs.append({"source_path": display, "resolved": resolved, "status": "failed",
                                "error_type": res.errors[0].error_type})
            self.log.file(display, "failed", error_type=res.errors[0].error_type, message=res.errors[0].message,
                          seconds=round(res.seconds, 4))
        else:
            first = self.first_path_of.setdefault(doc.sha256, display)
            if first != display:  # one document however many files hold its bytes
                self._duplicate(display, resolved, doc.doc_id, doc.sha256, doc.size_bytes, first, res.seconds)
                return False
            refs = res.count("references")
            self.summary.read += 1
            self.summary.characters += res.characters()
            self.summary.references += refs
            if display in todo.changed:
                self.summary.replaced += 1
            else:
                self.summary.added += 1
            self.inputs.append(_entry(display, resolved, "read", doc.doc_id, doc.sha256, doc.size_bytes))
            self.log.file(display, "read", doc_id=doc.doc_id, seconds=round(res.seconds, 4), references=refs,
                          quantities=res.count("quantities"), agencies=res.count("agencies"),
                          errors=[e.error_type for e in res.errors])
        for err in res.errors:
            self.count_error(err)
        return True

    def _duplicate(self, display: str, resolved: str, doc_id: str, sha256: str, size: int, of: str, seconds: float = 0.0) -> None:
        self.summary.duplicates += 1
        self.inputs.append({**_entry(display, resolved, "duplicate", doc_id, sha256, size), "duplicate_of": of})
        self.log.file(display, "duplicate", doc_id=doc_id, duplicate_of=of, seconds=round(seconds, 4))

    def count_error(self, err: ErrorRecord) -> None:
        by_type = self.summary.errors_by_type
        by_type[err.error_type] = by_type.get(err.error_type, 0) + 1

    def counts(self) -> dict:
        """The summary as the manifest's run record states it."""
        s = asdict(self.summary)
        return {"seconds": round(s["seconds"], 3), "files": s["files"], "read": s["read"], "failed": s["failed"],
                "duplicates": s["duplicates"], "unchanged": s["skipped"], "added": s["added"],
                "replaced": s["replaced"], "pruned": s["pruned"], "kept_vanished": s["kept"],
                **({"interrupted": True, "done": s["done"]} if s["interrupted"] else {})}


def _entry(display: str, resolved: str, status: str, doc_id: str, sha256: str, size_bytes: int) -> dict:
    return {"source_path": display, "resolved": resolved, "status": status, "doc_id": doc_id,
            "sha256": sha256, "size_bytes": size_bytes}
