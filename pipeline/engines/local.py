"""The local engine: worker processes fed one file at a time, results in input order.

Each worker is a process of its own with a pipe to the parent, so a worker
stuck in a parser (C code included) can be killed when its file exceeds the
time limit, and replaced. `concurrent.futures` cannot cancel a running task,
which is why the pool is written here. Results come back out of order and are
held until their turn; tasks are only handed out within a window ahead of the
next result due, so memory stays bounded by the window, not the corpus.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait

from pipeline.discover import InputFile
from pipeline.document import Limits, process_file
from pipeline.models import DocResult


PAGE = "page"  # a worker's message that it is reading a page by OCR: (PAGE, index, number, pages)


def _serve(conn: Connection, limits: Limits) -> None:
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

        conn.send((index, process_file(item, limits, on_page)))



class _Worker:
    def __init__(self, ctx, limits: Limits):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, limits), daemon=True)
        # A forked child must never collect the parent's objects: a DuckDB connection or Arrow
        # buffers of a notebook that queried before running hold locks of threads the child has
        # not got, and finalizing them there crashed the worker (seen: segfaults in GC).
        gc.freeze()
        try:
            self.proc.start()
        finally:
            gc.unfreeze()
        child.close()
        self.task: tuple[int, InputFile] | None = None
        self.started = 0.0

    def give(self, index: int, item: InputFile) -> None:
        self.task = (index, item)
        self.started = time.monotonic()
        self.conn.send(self.task)

    def stop(self, force: bool = False) -> None:
        if force:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


class LocalEngine:
    def __init__(self, workers: int | None, limits: Limits, window_per_worker: int = 8,
                 on_page: Callable[[InputFile, int, int], None] | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.limits = limits
        self.on_page = on_page  # (file, page number, pages): a worker began reading a page by OCR
        self.window = self.workers * window_per_worker
        methods = mp.get_all_start_methods()
        # fork: workers start at once with the parent's imports; spawn where fork does not exist
        self.ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        self.pids: list[int] = []

    def map(self, items: Iterable[InputFile]) -> Iterator[DocResult]:
        pending = iter(enumerate(items))
        exhausted = False
        dispatched = 0
        done: dict[int, DocResult] = {}
        next_out = 0
        pool = [_Worker(self.ctx, self.limits) for _ in range(self.workers)]
        self.pids = [w.proc.pid for w in pool]
        try:
            while True:
                for w in pool:  # hand out work within the window ahead of the next result due
                    if w.task is None and not exhausted and dispatched - next_out < self.window:
                        nxt = next(pending, None)
                        if nxt is None:
                            exhausted = True
                            continue
                        w.give(*nxt)
                        dispatched += 1
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
                        index, res = w.task[0], self._failed(w.task[1], "worker_crashed", "The worker reading this file died (a parser crash or out of memory).")
                        pool[pool.index(w)] = self._replace(w)
                        w = None
                    done[index] = res
                    if w is not None:
                        w.task = None
                self._kill_overdue(pool, done)
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
        finally:
            for w in pool:
                w.stop(force=w.task is not None)

    def _next_deadline(self, busy: list[_Worker]) -> float | None:
        if self.limits.timeout_s is None:
            return None
        now = time.monotonic()
        return max(0.0, min(w.started + self.limits.timeout_s - now for w in busy)) + 0.01

    def _kill_overdue(self, pool: list[_Worker], done: dict[int, DocResult]) -> None:
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
                pool[i] = self._replace(w, force=True)

    def _replace(self, w: _Worker, force: bool = True) -> _Worker:
        w.task = None
        w.stop(force=force)
        fresh = _Worker(self.ctx, self.limits)
        self.pids.append(fresh.proc.pid)
        return fresh

    @staticmethod
    def _failed(item: InputFile, error_type: str, message: str) -> DocResult:
        return DocResult.failed(item.display, "ingest", error_type, message)
