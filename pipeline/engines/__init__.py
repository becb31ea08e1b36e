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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from pipeline.discover import InputFile
from pipeline.models import DocResult

DEFAULT_TIMEOUT_S = 300.0
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-file limits: whatever exceeds one becomes an `errors` row, never a stuck or failed run."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int | None = None
    timeout_s: float | None = DEFAULT_TIMEOUT_S


def process(item: InputFile, limits: Limits) -> DocResult:
    """The per-document function every engine runs."""
    from pipeline.run import process_file

    return process_file(item, max_bytes=limits.max_bytes, max_pages=limits.max_pages)


class Engine(Protocol):
    def map(self, items: Iterable[InputFile]) -> Iterator[DocResult]: ...


def make_engine(name: str, workers: int, limits: Limits, scheduler: str | None = None) -> Engine:
    if name == "local":
        from pipeline.engines.local import LocalEngine

        return LocalEngine(workers, limits)
    if name == "dask":
        from pipeline.engines.dask import DaskEngine

        return DaskEngine(workers, limits, scheduler)
    raise ValueError(f"Unknown engine {name!r}: use local or dask.")
