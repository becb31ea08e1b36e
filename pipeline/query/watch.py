"""A query's time limit, and Ctrl-C that stops it at once.

DuckDB runs a query in C++ without returning to Python, so neither a Python
signal handler nor a timer in the main thread gets a chance to stop it: a
watchdog thread does. It waits on two things: the time limit, and a byte
CPython's own C signal handler writes to a pipe the moment Ctrl-C arrives
(`signal.set_wakeup_fd`), even while the main thread is deep in DuckDB. Either
way it calls `con.interrupt()`, and the query fails with DuckDB's
InterruptException in the main thread, which `watched` turns into
QueryTimeout or KeyboardInterrupt.
"""
from __future__ import annotations

import os
import select
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

DEFAULT_TIMEOUT_S = 300.0


class QueryTimeout(Exception):
    """The query ran past its time limit and was stopped."""


@dataclass(slots=True)
class _State:
    timed_out: bool = False
    interrupted: bool = False
    stopped: bool = False  # the watchdog interrupted the query (Ctrl-C or the time limit)


@contextmanager
def watched(con: duckdb.DuckDBPyConnection, timeout_s: float | None) -> Iterator[_State]:
    """Run the block with `con`'s queries stopped after `timeout_s` seconds (None: never) or on Ctrl-C.

    Yields the watch's state: rows streaming through Arrow when the query is stopped fail
    with Arrow's error, not DuckDB's; `state.stopped` tells the block that this is why.

    Ctrl-C is watched only from the main thread (where Python delivers
    signals); elsewhere only the time limit holds.
    """
    state = _State()
    stop_r, stop_w = os.pipe()
    wake_r = wake_w = None
    previous = None
    if threading.current_thread() is threading.main_thread():
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        previous = (signal.set_wakeup_fd(wake_w), signal.signal(signal.SIGINT, _on_interrupt(state)))
    watcher = threading.Thread(target=_watch, args=(con, timeout_s, state, stop_r, wake_r), daemon=True)
    watcher.start()
    try:
        yield state
    except (duckdb.Error, RuntimeError, ValueError, OSError) as exc:
        # DuckDB 2 may say it was interrupted as a RuntimeError, Arrow as its own error while rows stream
        if not (state.stopped or isinstance(exc, duckdb.InterruptException)):
            raise
        _stopped(state, timeout_s)
    finally:
        os.write(stop_w, b"x")
        watcher.join()
        if previous is not None:
            signal.set_wakeup_fd(previous[0])
            signal.signal(signal.SIGINT, previous[1])
        for fd in (stop_r, stop_w, wake_r, wake_w):
            if fd is not None:
                os.close(fd)


def _stopped(state: _State, timeout_s: float | None) -> None:
    if state.timed_out:
        raise QueryTimeout(f"The query ran longer than its time limit of {timeout_s:g} s and was stopped; "
                           "raise it with --timeout if the query is meant to take that long.") from None
    raise KeyboardInterrupt from None


def _on_interrupt(state: _State):
    def handler(signum, frame) -> None:  # runs when the main thread is back in Python: DuckDB is already told
        state.interrupted = True
        raise KeyboardInterrupt

    return handler


def _watch(con: duckdb.DuckDBPyConnection, timeout_s: float | None, state: _State, stop_r: int, wake_r: int | None) -> None:
    fds = [stop_r] + ([wake_r] if wake_r is not None else [])
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select(fds, [], [], left)
        if stop_r in ready:
            return
        if not ready:
            state.timed_out = True
            break
        if signal.SIGINT in os.read(wake_r, 64):  # the byte is the signal's number; others are not ours to act on
            break
    state.stopped = True
    con.interrupt()
