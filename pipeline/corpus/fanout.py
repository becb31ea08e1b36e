"""A corpus stage's report-by-report work dealt out to forked processes, its results taken back in order.

The corpus stages run in the run's process after its workers are done: with
two cores, their passes over the staged tables were the part of a run that a
second worker could not shorten. A pass whose work on one unit of reports
(pipeline.store.tables.report_units) needs only what the stage held before
the pass can be dealt out: unit i to process i mod N, each forked from the
stage (so it sees what the stage built, without pickling it), each result
sent back and taken in unit order, so that the stage goes on exactly as if it
had worked alone. The work must not write what another unit's work reads, and
returns what the stage then merges: nothing it changes in the fork is seen.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class FanOutError(RuntimeError):
    """The work failed in a forked process (its exception, as text: it may not pickle)."""


def fan_out(work: Callable[[T], R], items: Sequence[T], processes: int) -> Iterator[R]:
    """work(item) for every item, in order; by `processes` forked processes when there are more than one."""
    n = min(processes, len(items))
    if n <= 1 or "fork" not in mp.get_all_start_methods():
        yield from map(work, items)
        return
    ctx = mp.get_context("fork")
    pipes, procs = [], []
    try:
        for k in range(n):
            receive, send = ctx.Pipe(duplex=False)
            # no collection in the child before it freezes what it inherited (see _serve); not
            # gc.freeze here: counting what is frozen walks every frozen object, 7 ms a fork
            collecting = gc.isenabled()
            gc.disable()
            try:
                proc = ctx.Process(target=_serve, args=(work, items, k, n, send), daemon=True)
                proc.start()
            finally:
                if collecting:
                    gc.enable()
            send.close()
            pipes.append(receive)
            procs.append(proc)
        for i in range(len(items)):
            try:
                ok, value = pipes[i % n].recv()
            except EOFError:
                raise FanOutError(f"a process of the stage died (exit code {procs[i % n].exitcode})") from None
            if not ok:
                raise FanOutError(value)
            yield value
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
            proc.join()
        for receive in pipes:
            receive.close()


def _serve(work: Callable, items: Sequence, k: int, n: int, send) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's: it stops the stage, which stops us
    # what the parent held is not ours to finalize: a forked DuckDB connection finalized without its
    # threads crashes (pipeline.engines.local); what the work makes is collected as usual
    gc.freeze()
    gc.enable()
    try:
        for i in range(k, len(items), n):
            send.send((True, work(items[i])))
    except BaseException as exc:  # told to the stage, which fails as it would have alone
        try:
            send.send((False, f"{type(exc).__name__}: {exc}"))
        except OSError:
            pass
    finally:
        send.close()
        os._exit(0)  # no atexit handlers, no flushing of buffers the fork inherited
