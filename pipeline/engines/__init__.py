"""Engines: who runs the per-document function. The stages know nothing about them.

An engine takes the files in input order and yields one `DocResult` per file,
in the same order (so every engine writes the same dataset, row for row),
keeping only a bounded number of results in memory.

- `local` (default): a pool of worker processes on this machine; a file that
  takes longer than the time limit has its worker killed and replaced and
  becomes an `errors` row `timeout`; a worker that dies (a parser crash, out
  of memory) becomes `worker_crashed`.
- `dask`: the same function as tasks on a Dask cluster (`--scheduler
  tcp://HOST:PORT`, or a local cluster).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from pipeline.discover import InputFile
from pipeline.document import Limits
from pipeline.models import DocResult


class Engine(Protocol):
    def map(self, items: Iterable[InputFile]) -> Iterator[DocResult]: ...


def make_engine(name: str, workers: int, limits: Limits, scheduler: str | None = None, keep=None,
                on_page: Callable[[InputFile, int, int], None] | None = None) -> Engine:
    """`keep(index, result)` runs in the local engine's workers (their rows written where they are);
    Dask's workers may not share this machine's file system, so their results come back whole.
    `on_page(file, number, pages)`: told when a worker begins a page by OCR (local engine only)."""
    if name == "local":
        from pipeline.engines.local import LocalEngine

        return LocalEngine(workers, limits, keep=keep, on_page=on_page)
    if name == "dask":
        from pipeline.engines.dask import DaskEngine

        return DaskEngine(workers, limits, scheduler)
    raise ValueError(f"Unknown engine {name!r}: use local or dask.")
