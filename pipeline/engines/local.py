"""The local engine: worker processes reading one file at a time, results in input order.

Each worker is a process of its own with a pipe to the parent, so a worker
stuck in a parser (C code included) can be killed when its file exceeds the
time limit, and replaced. `concurrent.futures` cannot cancel a running task,
which is why the pool is written here. Results come back out of order and are
held until their turn; tasks are only handed out within a window ahead of the
next result due, so memory stays bounded by the window, not the corpus. A busy
worker has the next file waiting in its pipe, so that it goes on while the run
adds results; when the worker is killed or dies, the files waiting there are
given again.

A worker is a session of its own with a temporary folder of its own, and the
address space it may add to what it starts with is limited (--max-memory,
RLIMIT_AS). Killing a worker kills its session, so the converters it started
(LibreOffice, Tesseract, each in a process group of its own:
pipeline.ingest.external) die with it, and its temporary folder is removed. A
worker dies with the run's process (Linux); the folders of a run killed with
SIGKILL are removed by the next run.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import shutil
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from pathlib import Path

from pipeline.discover import InputFile
from pipeline.document import Limits, out_of_memory, process_file
from pipeline.ingest.external import die_with_parent, kill_session
from pipeline.models import DocResult

# run in the worker on each result before it is sent back: (input index, result) -> what to send
# (the run writes the rows to part files there, so that only a small summary crosses the pipe)
Keep = Callable[[int, DocResult], DocResult]


QUEUED = 1  # files waiting in a busy worker's pipe, beside the one it reads
PAGE = "page"  # a worker's message that it is reading a page by OCR: (PAGE, index, number, pages)


def _serve(conn: Connection, limits: Limits, tmp: str, parent: int, keep: Keep | None = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle: it stops handing out files
    _isolate(tmp, limits.max_memory, parent)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, item = task

        def on_page(number: int, pages: int, index: int = index) -> None:
            conn.send((PAGE, index, number, pages))  # a progress note on the same pipe as the result

        try:
            res = process_file(item, limits, on_page)
        except MemoryError:  # beyond the address-space limit outside the reading itself (extraction)
            res = out_of_memory(item, limits)
        conn.send((index, keep(index, res) if keep is not None else res))


def _isolate(tmp: str, max_memory: int | None, parent: int) -> None:
    """The worker's own session, temporary folder and memory limit (see the module's docstring)."""
    # what the parent held is not the worker's to collect: a forked DuckDB connection (a notebook's,
    # the tests') finalized here, without the threads it had, crashed the worker
    gc.freeze()
    os.setsid()
    die_with_parent(parent)
    tempfile.tempdir = tmp
    os.environ["TMPDIR"] = tmp  # the converters' temporary files too
    if max_memory:
        try:
            import resource

            # on top of what the worker starts with: a fork holds its parent's mappings (a notebook's, pytest's)
            soft = _address_space() + max_memory
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
        except (ImportError, ValueError, OSError):  # no such limit here (Windows): the run goes on without it
            pass


def _address_space() -> int:
    """This process's address space in bytes (Linux; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


TMP_PREFIX = "baocao-worker-"  # + the run's pid: a run killed with SIGKILL cannot remove its workers' folders


def sweep_dead_runs_folders() -> None:
    """Remove the workers' temporary folders of runs that are dead (the next run's duty, in the same TMPDIR)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{TMP_PREFIX}*-*"):
        pid = folder.name[len(TMP_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's: alive
        return True
    return True


class _Worker:
    def __init__(self, ctx, limits: Limits, keep: Keep | None = None):
        self.conn, child = ctx.Pipe()
        self.tmp = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
        self.proc = ctx.Process(target=_serve, args=(child, limits, self.tmp, os.getpid(), keep), daemon=True)
        frozen = gc.get_freeze_count()  # the run's warm-up may have frozen what it loaded: that stays frozen
        gc.freeze()  # frozen before the fork as well: the child may collect before _isolate runs
        try:
            self.proc.start()
        finally:
            if not frozen:
                gc.unfreeze()
        child.close()
        # the file being read first, then the one waiting in the pipe (see LocalEngine.map)
        self.tasks: deque[tuple[int, InputFile]] = deque()
        self.started = 0.0  # when the file being read began (as the run's process saw it)

    @property
    def task(self) -> tuple[int, InputFile] | None:
        """The file being read (None: idle)."""
        return self.tasks[0] if self.tasks else None

    def give(self, index: int, item: InputFile) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append((index, item))
        self.conn.send((index, item))

    def took(self) -> None:
        """The file being read is done: the next one, already in its pipe, begins now."""
        self.tasks.popleft()
        self.started = time.monotonic()

    def waiting(self) -> list[tuple[int, InputFile]]:
        """The files given but not begun (to be given again when the worker is stopped)."""
        return list(self.tasks)[1:]

    def stop(self, force: bool = False) -> None:
        if force:
            kill_session(self.proc.pid)  # the worker and whatever it started
            self.proc.kill()  # in case it had not made its session yet
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            kill_session(self.proc.pid)
            self.proc.kill()
            self.proc.join()
        self.conn.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def crash_message(self, limits: Limits) -> str:
        """Why a worker died, as far as the parent can tell (call after stop)."""
        code = self.proc.exitcode
        how = f" (killed by {signal.Signals(-code).name})" if code is not None and code < 0 and -code in signal.valid_signals() else ""
        limit = f", or needed more memory than the {limits.max_memory / 2**30:g} GB --max-memory allows" if limits.max_memory else ""
        return f"The worker reading this file died{how}: a parser crash{limit}."


class _Files:
    """The files to hand out: in input order, only within a window ahead of the next result due
    (`next_out`), those a stopped worker had not begun first."""

    def __init__(self, items: Iterable[InputFile], window: int):
        self.pending = iter(enumerate(items))
        self.again: list[tuple[int, InputFile]] = []  # given to a worker that was stopped before it began them
        self.window = window
        self.exhausted = False
        self.dispatched = 0
        self.next_out = 0

    def next(self) -> tuple[int, InputFile] | None:
        if self.again:
            return self.again.pop(0)
        if self.exhausted or self.dispatched - self.next_out >= self.window:
            return None
        nxt = next(self.pending, None)
        if nxt is None:
            self.exhausted = True
            return None
        self.dispatched += 1
        return nxt

    def hand_out(self, pool: list[_Worker]) -> None:
        # a file for each idle worker first, then one more to wait in each busy worker's pipe: a
        # worker that finishes while the run adds results (a Parquet part: a tenth of a second)
        # begins the next file at once instead of waiting for the run to hand it one
        for depth in (1, QUEUED + 1):
            for w in pool:
                while len(w.tasks) < depth:
                    nxt = self.next()
                    if nxt is None:
                        return
                    w.give(*nxt)

    def give_again(self, w: _Worker) -> None:
        """The files a worker being stopped had not begun: handed out again, in input order."""
        self.again.extend(w.waiting())
        self.again.sort(key=lambda t: t[0])


class LocalEngine:
    def __init__(self, workers: int | None, limits: Limits, window_per_worker: int = 8, keep: Keep | None = None,
                 on_page: Callable[[InputFile, int, int], None] | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.limits = limits
        self.keep = keep
        self.on_page = on_page  # (file, page number, pages): a worker began reading a page by OCR
        self.window = self.workers * window_per_worker
        methods = mp.get_all_start_methods()
        # fork: workers start at once with the parent's imports; spawn where fork does not exist
        self.ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        self.pids: list[int] = []

    def map(self, items: Iterable[InputFile]) -> Iterator[DocResult]:
        files = _Files(items, self.window)
        done: dict[int, DocResult] = {}
        sweep_dead_runs_folders()
        pool = [_Worker(self.ctx, self.limits, self.keep) for _ in range(self.workers)]
        self.pids = [w.proc.pid for w in pool]
        try:
            while True:
                files.hand_out(pool)
                busy = [w for w in pool if w.task is not None]
                if not busy:
                    break
                for conn in wait([w.conn for w in busy], timeout=self._next_deadline(busy)):
                    w = next(w for w in busy if w.conn is conn)
                    try:
                        message = conn.recv()
                        if message[0] == PAGE:
                            if self.on_page is not None:
                                self.on_page(w.task[1], message[2], message[3])
                            continue
                        index, res = message
                    except (EOFError, OSError):
                        index, item = w.task
                        files.give_again(w)
                        pool[pool.index(w)] = self._replace(w)
                        res = self._failed(item, "worker_crashed", w.crash_message(self.limits))
                        w = None
                    done[index] = res
                    if w is not None:
                        w.took()
                self._kill_overdue(pool, done, files.give_again)
                files.hand_out(pool)  # before the results go out: a worker must not wait while the run adds them
                while files.next_out in done:
                    yield done.pop(files.next_out)
                    files.next_out += 1
        finally:
            for w in pool:
                w.stop(force=w.task is not None)

    def _next_deadline(self, busy: list[_Worker]) -> float | None:
        if self.limits.timeout_s is None:
            return None
        now = time.monotonic()
        return max(0.0, min(w.started + self.limits.timeout_s - now for w in busy)) + 0.01

    def _kill_overdue(self, pool: list[_Worker], done: dict[int, DocResult], stopped: Callable[[_Worker], None]) -> None:
        if self.limits.timeout_s is None:
            return
        now = time.monotonic()
        for i, w in enumerate(pool):
            if w.task is not None and now - w.started > self.limits.timeout_s:
                index, item = w.task
                done[index] = self._failed(
                    item, "timeout",
                    f"Reading the file took more than {self.limits.timeout_s:g} s; it was stopped. Raise --timeout if the file is genuine.",
                )
                stopped(w)
                pool[i] = self._replace(w, force=True)

    def _replace(self, w: _Worker, force: bool = True) -> _Worker:
        w.tasks.clear()
        w.stop(force=force)
        fresh = _Worker(self.ctx, self.limits, self.keep)
        self.pids.append(fresh.proc.pid)
        return fresh

    @staticmethod
    def _failed(item: InputFile, error_type: str, message: str) -> DocResult:
        return DocResult.failed(item.display, "ingest", error_type, message)
