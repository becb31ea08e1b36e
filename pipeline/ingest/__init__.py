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
        return "docx"  # or another zip package: the DOCX reader says it has no Word document
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
    if not data:
        raise IngestError("empty_file", "The file is empty (0 bytes).")
    kind = sniff(path, data)
    if kind == "txt":
        from pipeline.ingest import text

        ing = text.ingest(data)
    elif kind == "pdf":
        if not data.startswith(b"%PDF"):
            raise IngestError("corrupt_file", "The file is named .pdf but is not a PDF (no %PDF header).")
        from pipeline.ingest.pdf import read_pdf

        ing = read_pdf(data, max_pages=max_pages)
    elif kind == "docx":
        if not data.startswith(b"PK"):
            raise IngestError("corrupt_file", "The file is named .docx but is not a Word package (not a zip file).")
        from pipeline.ingest.docx import read_docx

        ing = read_docx(data)
    elif kind == "doc":
        if not data.startswith(b"\xd0\xcf\x11\xe0"):
            raise IngestError("corrupt_file", "The file is named .doc but is not a Word 97-2003 document.")
        from pipeline.ingest.doc import read_doc

        ing = read_doc(data)
    else:
        raise IngestError(
            "unsupported_format",
            f"Unsupported file type {path.suffix or '(no extension)'!r}: baocao reads .txt, .pdf, .docx and .doc files.",
        )
    if not ing.encoding_repaired:
        _repair_legacy_fonts(ing)
    return ing


def _repair_legacy_fonts(ing: Ingested) -> None:
    """Text typed in a legacy Vietnamese font (TCVN3, VNI), in any format, converted to Unicode."""
    from pipeline.ingest import legacy

    sample = "\n".join(b.text for b in ing.blocks[:400])[: legacy.SAMPLE_CHARS]
    encoding = legacy.detect(sample)
    if encoding:
        for block in ing.blocks:
            block.text = legacy.repair(block.text, encoding)
        ing.encoding_repaired = True
        ing.notes.append(f"text converted from the legacy font encoding {encoding}")
