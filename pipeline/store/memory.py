"""Keeping the parent process of a run small: memory freed is memory given back.

A run's parent turns part after part of the dataset into Python objects and
Arrow buffers and frees them again. With the allocators' defaults that memory
stays with the process (mimalloc keeps its pages; glibc raises its mmap
threshold after big frees and then serves big blocks from a heap that cannot
shrink past fragments), so its peak followed the size of the corpus instead of
the size of a part. The glibc settings apply where glibc is the C library;
elsewhere they are skipped.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa

from pipeline.store.libc import function

_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 64 * 1024  # blocks this big are mapped on their own and unmapped when freed


@contextmanager
def giving_back_freed_memory() -> Iterator[None]:
    """Within the block, the allocators return freed memory to the system (Arrow's pool is restored after)."""
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    mallopt = function("mallopt")
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def trim() -> None:
    """Return the free pages of the heap now (after a stage that held much)."""
    malloc_trim = function("malloc_trim")
    if malloc_trim is not None:
        malloc_trim(0)
