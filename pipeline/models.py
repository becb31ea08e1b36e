"""The data that flows between stages: ingest -> extract -> resolve -> store.

Every entity carries its span (`start`, `end`) into `Document.text`, the
normalized text all offsets index. Extractors create entities without knowing
which file they came from; the pipeline adds `doc_id`/`source_path` when it
turns them into rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

BLOCK_KINDS = ("heading", "body", "footnote", "table_cell", "header", "footer")


@dataclass(slots=True)
class Block:
    """A unit of layout: a paragraph, a footnote, a table cell, a running line."""

    kind: str
    text: str
    page: int | None = None
    ocr: bool = False
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
    layout: str | None = None  # how the text was laid out: "paragraphs", "wrapped", "pdf", ...
    # report metadata (extractors.metadata)
    title: str | None = None
    issuing_agency: str | None = None
    province: str | None = None
    province_as_written: str | None = None
    report_date: dt.date | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class CodeParts:
    """A document code (số ký hiệu) taken apart."""

    code: str  # as printed, whitespace removed
    number: str
    year: int | None
    type_code: str | None  # canonical type code: NQ, QĐ, KH, CTr, ...
    issuer_code: str | None  # first issuer segment: TW, CP, UBND, BCĐTW, ...
    unit: str | None  # what follows the issuer: KGVX in 04010/UBND-KGVX
    system: str  # "party" (57-NQ/TW) or "state" (198/KH-UBND)
    family: str  # party | normative | administrative | letter | legacy


@dataclass(slots=True)
class Reference:
    start: int
    end: int
    surface: str
    doc_type: str | None
    cite_kind: str  # code | short | law | standard
    type_word: str | None = None  # the type word as written ("Kế hoạch hành động")
    type_code: str | None = None
    number: str | None = None
    year: int | None = None
    code: str | None = None
    issuer_code: str | None = None
    system: str | None = None
    issued_date: dt.date | None = None
    issuer: str | None = None
    issuer_canonical: str | None = None
    subject: str | None = None
    name: str | None = None  # laws cited by name: "Chuyển giao công nghệ"
    is_short_form: bool = False
    resolved_code: str | None = None
    resolved_by: str | None = None  # how resolved_code / issuer_canonical were found, or why not
    type_conflict: bool = False
    # what governs this citation in its sentence: the citation starting at head_start
    # (None: the report itself) and how ("Kế hoạch X triển khai thực hiện Nghị quyết Y":
    # Y's head is X, relation implements)
    relation: str = "mentions"
    head_start: int | None = None
    in_footnote: bool = False
    page: int | None = None
    sentence: str = ""


@dataclass(slots=True)
class Quantity:
    start: int
    end: int
    surface: str
    kind: str  # count | ratio | percent | money | measure | rank
    value: float
    total: float | None = None
    unit: str | None = None
    subject: str | None = None
    in_footnote: bool = False
    page: int | None = None
    sentence: str = ""


@dataclass(slots=True)
class Agency:
    start: int
    end: int
    surface: str
    canonical: str
    level: str  # central | province | district | commune
    province: str | None = None
    in_footnote: bool = False
    page: int | None = None


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
    references: list[Reference] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)
    seconds: float = 0.0
