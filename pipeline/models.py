"""What the per-document stage hands on (the flow: README, "Architecture").

A file becomes a `Document` made of `Block`s; the extractors' entities
(extractors.models) carry spans into `Document.text`, the normalized text all
offsets index; a `DocResult` is everything one file produced.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(slots=True)
class Block:
    """A unit of layout: a paragraph, a footnote, a table cell, a running line."""

    kind: str
    text: str
    page: int | None = None
    ocr: bool = False
    # OCR'd blocks: each word read and Tesseract's confidence in it (0-100), in order; after
    # assembly, `ocr_spans` places them in the document's text and `ocr_conf` is their mean
    ocr_words: list[tuple[str, float]] = field(default_factory=list)
    ocr_spans: list[tuple[int, int, float]] = field(default_factory=list)
    ocr_conf: float | None = None
    ocr_page_conf: float | None = None  # the mean confidence of its page's words
    # footnote blocks: the number shown in the document
    footnote: int | None = None
    # body blocks: (footnote number, offset in this block's text) of each marker
    markers: list[tuple[int, int]] = field(default_factory=list)
    # table cells: position in the document's tables
    table: int | None = None
    row: int | None = None
    col: int | None = None
    # filled when the document text is assembled
    start: int = 0
    end: int = 0
    # footnote blocks: where the marker that refers to it stands in the text
    anchor: int | None = None


@dataclass(slots=True)
class Document:
    doc_id: str
    source_path: str
    source_format: str
    text: str
    blocks: list[Block]
    sha256: str = ""
    size_bytes: int = 0
    n_pages: int | None = None
    encoding: str | None = None
    encoding_repaired: bool = False
    ocr_pages: int | None = None
    ocr_conf: float | None = None  # mean confidence of the OCR'd words (0-100)
    bad_bytes: int | None = None  # text files: bytes replaced by U+FFFD
    layout: str | None = None  # how the text was laid out: "paragraphs", "wrapped", "pdf", ...


@dataclass(slots=True)
class ErrorRecord:
    source_path: str
    stage: str
    error_type: str
    message: str
    doc_id: str | None = None


@dataclass(slots=True)
class DocResult:
    """Everything one input file produced; the unit the writer consumes."""

    source_path: str
    document: Document | None = None
    # component name -> what it found: a table's entities, or a record describing the document
    found: dict[str, Any] = field(default_factory=dict)
    errors: list[ErrorRecord] = field(default_factory=list)
    seconds: float = 0.0
    # when a worker wrote the rows itself: its part files (table -> path), and what the run still
    # needs to know of what it left out (entities per table, characters of the text)
    parts: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    chars: int | None = None

    @classmethod
    def failed(cls, source_path: str, stage: str, error_type: str, message: str, doc_id: str | None = None) -> DocResult:
        """The result of a file that could not be read: one `errors` row."""
        return cls(source_path, errors=[ErrorRecord(source_path, stage, error_type, message, doc_id)])

    def entities(self, name: str) -> list:
        found = self.found.get(name)
        return found if isinstance(found, list) else []

    def count(self, name: str) -> int:
        """How many entities of a table the file gave (also when they left as rows in part files)."""
        return self.counts[name] if name in self.counts else len(self.entities(name))

    def characters(self) -> int:
        if self.chars is not None:
            return self.chars
        return len(self.document.text) if self.document is not None else 0

    def without_rows(self, parts: dict[str, str]) -> DocResult:
        """This result once its rows are in `parts`: the document without its text, blocks and entities."""
        doc = self.document
        light = replace(doc, text="", blocks=[]) if doc is not None else None
        counts = {name: len(found) for name, found in self.found.items() if isinstance(found, list)}
        return DocResult(self.source_path, light, {}, self.errors, self.seconds, parts, counts, self.characters())
