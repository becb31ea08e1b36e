"""Ingest: one module per input format, each turning file bytes into Blocks.

`ingest(path, data)` sniffs the format from the bytes (a PDF named .txt is
still a PDF), calls the format's module and returns an `Ingested`. Problems a
user can act on are raised as `IngestError(error_type, message)`; the
pipeline turns them into `errors` rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.models import Block


class IngestError(Exception):
    """A file that cannot be read, with a message that says what the user can do."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass(slots=True)
class Ingested:
    source_format: str
    blocks: list[Block]
    layout: str
    n_pages: int | None = None
    encoding: str | None = None
    encoding_repaired: bool = False
    ocr_pages: int | None = None
    notes: list[str] = field(default_factory=list)


TEXT_SUFFIXES = {".txt", ".text", ".md"}


def sniff(path: Path, data: bytes) -> str:
    """The format of a file, from its bytes first and its name second."""
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if path.suffix.lower() != ".pdf" else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return "txt"
    if suffix in (".pdf", ".docx", ".doc"):
        return suffix[1:]
    return "unknown"


def ingest(path: Path, data: bytes, *, max_pages: int | None = None) -> Ingested:
    """Read one file. `max_pages`: refuse paged formats with more pages (IngestError `too_many_pages`)."""
    kind = sniff(path, data)
    if kind == "txt":
        from pipeline.ingest import text

        return text.ingest(data)
    if kind in ("pdf", "docx", "doc"):
        raise IngestError(
            "unsupported_format",
            f"{kind.upper()} input is not supported by this version of baocao; convert the file to text first.",
        )
    raise IngestError(
        "unsupported_format",
        f"Unsupported file type {path.suffix or '(no extension)'!r}: baocao reads .txt, .pdf, .docx and .doc files.",
    )
