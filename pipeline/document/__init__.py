"""The per-document stage: one file's bytes -> ingest -> assemble -> extract -> a `DocResult`.

`process_file` is the function every engine runs. It never raises: whatever
goes wrong with one file becomes an `errors` row and the run goes on.
"""
from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.discover import InputFile
from pipeline.document.assemble import assemble
from pipeline.document.extract import extract as extract_found
from pipeline.ingest import IngestError, ingest
from pipeline.models import DocResult, Document

DEFAULT_TIMEOUT_S = 300.0
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_MEMORY = 4 * 1024**3


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-file limits: whatever exceeds one becomes an `errors` row, never a stuck or failed run.

    `timeout_s` and `max_memory` are kept by the engine (it kills the worker on
    time; the worker's address space is limited); the others by `process_file`.
    `max_unpacked`: what a file's compressed parts may expand to (None: the
    readers' own rule, pipeline.ingest.bombs).
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int | None = None
    timeout_s: float | None = DEFAULT_TIMEOUT_S
    max_memory: int | None = DEFAULT_MAX_MEMORY
    max_unpacked: int | None = None


class _Failed(Exception):
    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type, self.message = error_type, message


def process_file(item: InputFile, limits: Limits = Limits(), on_page: Callable[[int, int], None] | None = None) -> DocResult:
    """One file's result; `on_page(number, pages)` is told before each page OCR reads (progress)."""
    started = time.perf_counter()
    doc_id = None
    try:
        data = _read(item, limits.max_bytes)
        sha = hashlib.sha256(data).hexdigest()
        doc_id = sha[:16]
        try:
            ing = ingest(item.path, data, max_pages=limits.max_pages, max_unpacked=limits.max_unpacked, on_page=on_page)
        except IngestError as exc:
            raise _Failed(exc.error_type, exc.message) from None
        except MemoryError:
            raise _Failed("out_of_memory", _memory_message(limits)) from None
        except Exception as exc:  # a parser bug must cost one file, not the run
            raise _Failed("ingest_failed", f"Unexpected error while reading the file ({type(exc).__name__}: {exc}).") from None
        size = len(data)
        del data
        text, blocks = assemble(ing.blocks)
        if not text.strip():
            said = f" ({'; '.join(ing.notes)})" if ing.notes else ""  # e.g. a page too large to render whole
            raise _Failed("empty_text", f"No text could be taken from the file{said}.")
    except _Failed as failed:
        res = DocResult.failed(item.display, "ingest", failed.error_type, failed.message, doc_id)
        res.seconds = time.perf_counter() - started
        return res
    res = DocResult(source_path=item.display)
    res.document = Document(
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
        ocr_conf=ing.ocr_conf,
        bad_bytes=ing.bad_bytes,
        layout=ing.layout,
    )
    extract_found(res.document, res)
    res.seconds = time.perf_counter() - started
    return res


_WARM_UP = (
    "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG\nSố: 12/KH-UBND\nKẾ HOẠCH\nThực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 "
    "của Bộ Chính trị và Nghị quyết 57, Kế hoạch nêu trên; Sở KH&CN đạt 18/20 nhiệm vụ, 5,5% và 308 tỷ đồng.\n"
)


def warm_up() -> None:
    """Import every extractor and load what they load on first use (the gazetteer, compiled patterns).

    Called in the run's process before its workers are forked: they start ready instead of each
    loading it all again, and the corpus stages, which run there, find it loaded.
    """
    import importlib
    from pathlib import Path

    from pipeline.ingest import READERS

    for reader in READERS.values():  # the readers of every format, and what they import
        importlib.import_module(reader.read.split(":")[0])
    ing = ingest(Path("warm-up.txt"), _WARM_UP.encode("utf-8"))
    text, blocks = assemble(ing.blocks)
    extract_found(Document("", "", "txt", text, blocks, layout=ing.layout), DocResult(source_path=""))
    # what is loaded now lives as long as the process: the collector need never walk it again
    # (about 5% of a worker's time went to walking the gazetteer and the compiled patterns)
    gc.collect()
    gc.freeze()


def _memory_message(limits: Limits) -> str:
    limit = f"the {limits.max_memory / 2**30:g} GB a worker may take (--max-memory)" if limits.max_memory else "the memory available"
    return f"Reading the file needed more than {limit}; it was stopped. Raise --max-memory if the file is genuine."


def out_of_memory(item: InputFile, limits: Limits) -> DocResult:
    """The result of a file whose reading ran out of memory after it was read (the engine's catch-all)."""
    return DocResult.failed(item.display, "extract", "out_of_memory", _memory_message(limits))


def _read(item: InputFile, max_bytes: int) -> bytes:
    try:
        if item.path.is_dir():
            raise _Failed("not_a_file", f"{item.display} is a folder, not a file.")
        with item.path.open("rb") as fh:
            # what is read counts, not what stat says: a file can grow, or be a device behind a link
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise _Failed("vanished", "The file disappeared before it could be read.") from None
    except PermissionError:
        raise _Failed("permission_denied", "No permission to read the file; check its permissions.") from None
    except OSError as exc:
        raise _Failed("unreadable", f"The file could not be read: {exc.strerror or exc}.") from None
    if len(data) > max_bytes:
        raise _Failed("too_large", f"The file has more than {max_bytes:,} bytes, the limit; raise it with --max-bytes if the file is genuine.")
    return data
