"""Ingest: one module per input format, each turning file bytes into Blocks.

`ingest(path, data)` sniffs the format from the bytes (a PDF named .txt is
still a PDF), calls the format's reader (READERS) and returns an `Ingested`. Problems a
user can act on are raised as `IngestError(error_type, message)`; the
pipeline turns them into `errors` rows.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.models import Block
from pipeline.text import clean_chars


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
    ocr_conf: float | None = None  # mean confidence of the OCR'd words (0-100)
    bad_bytes: int | None = None  # text files: bytes not valid in the encoding, replaced by U+FFFD
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Reader:
    """One input format: how its bytes begin, its file names, and the function that reads it."""

    format: str
    read: str  # "module:function", imported when first needed: (data, **options) -> Ingested
    suffixes: tuple[str, ...]
    magic: bytes = b""  # what its bytes hold at `magic_at` ("" for text)
    named_but_not: str = ""  # the message when the name says this format and the bytes do not
    check: bytes = b""  # the prefix the bytes of a file named so must have (defaults to `magic`)
    options: tuple[str, ...] = ()  # what its function takes: max_pages, max_unpacked, on_page (told before each slow page: OCR)
    magic_at: int = 0  # an OpenDocument zip names its type after the first member's header


# Adding a format is its module and its line here.
READERS: dict[str, Reader] = {
    r.format: r
    for r in (
        Reader("txt", "pipeline.ingest.text:read_text", (".txt", ".text", ".md")),
        Reader("pdf", "pipeline.ingest.pdf:read_pdf", (".pdf",), b"%PDF",
               "The file is named .pdf but is not a PDF (no %PDF header).", options=("max_pages", "max_unpacked", "on_page")),
        # before docx: both are zip files, and an OpenDocument one says so in its first member
        Reader("odt", "pipeline.ingest.doc:read_odt", (".odt",), b"mimetypeapplication/vnd.oasis.opendocument.text",
               "The file is named .odt but is not an OpenDocument text.", check=b"PK", options=("max_unpacked",), magic_at=30),
        Reader("docx", "pipeline.ingest.docx:read_docx", (".docx",), b"PK\x03\x04",
               "The file is named .docx but is not a Word package (not a zip file).", check=b"PK", options=("max_unpacked",)),
        Reader("doc", "pipeline.ingest.doc:read_doc", (".doc",), b"\xd0\xcf\x11\xe0",
               "The file is named .doc but is not a Word 97-2003 document.", options=("max_unpacked",)),
        Reader("rtf", "pipeline.ingest.doc:read_rtf", (".rtf",), b"{\\rtf",
               "The file is named .rtf but is not an RTF document (no {\\rtf header).", options=("max_unpacked",)),
    )
}


def sniff(path: Path, data: bytes) -> str:
    """The format of a file, from its bytes first and its name second ("unknown" when neither says).

    A PDF named .txt is still a PDF; a zip package is taken for DOCX (the DOCX
    reader says so when it holds no Word document).
    """
    for reader in READERS.values():
        if reader.magic and data.startswith(reader.magic, reader.magic_at):
            return reader.format
    suffix = path.suffix.lower()
    return next((r.format for r in READERS.values() if suffix in r.suffixes), "unknown")


def ingest(path: Path, data: bytes, *, max_pages: int | None = None, max_unpacked: int | None = None,
           on_page: Callable[[int, int], None] | None = None) -> Ingested:
    """Read one file. `max_pages`: refuse paged formats with more pages (IngestError `too_many_pages`);
    `max_unpacked`: what compressed parts may expand to (None: the readers' defaults); `on_page(number,
    pages)`: told before each page OCR reads, for the progress display."""
    if not data:
        raise IngestError("empty_file", "The file is empty (0 bytes).")
    reader = READERS.get(sniff(path, data))
    if reader is None:
        names = [r.suffixes[0] for r in READERS.values()]
        known = ", ".join(names[:-1]) + " and " + names[-1]
        raise IngestError(
            "unsupported_format",
            f"Unsupported file type {path.suffix or '(no extension)'!r}: baocao reads {known} files.",
        )
    if not data.startswith(reader.check or reader.magic, 0 if reader.check else reader.magic_at):
        raise IngestError("corrupt_file", reader.named_but_not)
    module, function = reader.read.split(":")
    read = getattr(importlib.import_module(module), function)
    given = {"max_pages": max_pages, "max_unpacked": max_unpacked, "on_page": on_page}
    ing = read(data, **{name: given[name] for name in reader.options})
    if not ing.encoding_repaired:
        _repair_legacy_fonts(ing)
    if reader.format != "txt":  # a text file's characters were cleaned before its layout (pipeline.ingest.text)
        # NFC, and invisible characters out: a right-to-left mark Word left after a code would cut it from its date
        for block in ing.blocks:
            block.text = clean_chars(block.text)
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
