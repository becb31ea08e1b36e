"""The contract every extractor keeps: one component of the per-document stage.

A component has a `name`, reads a document (its blocks in order, each with its
kind, text and span in the document's text) and what the components named in
`reads` found, and returns what it finds: the entities of the table of the
same name (pipeline/store/schema.py), or, for a component that describes the
document itself (`describes_document`), a record whose fields fill columns of
the `documents` row.

Adding an entity is one module in extractors/ that ends with
`COMPONENT = Component(...)`, plus its table in the schema: the document stage
finds the components itself (pipeline/document/extract.py) and runs them in
an order that puts every component after those it reads.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# Running headers and footers repeat on every page and name nothing new: never searched
SEARCHED_KINDS = ("heading", "body", "footnote", "table_cell")


class BlockView(Protocol):
    kind: str  # heading, body, footnote, table_cell, header, footer
    text: str
    start: int  # span in the document's text
    end: int
    page: int | None
    ocr: bool  # its text came from OCR
    table: int | None  # table cells: which table, row and column
    row: int | None
    col: int | None


class DocumentView(Protocol):
    text: str
    blocks: Sequence[BlockView]


Find = Callable[[DocumentView, Mapping[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    find: Find  # (document, {name of a component it reads: what that one found}) -> its findings
    reads: tuple[str, ...] = ()
    describes_document: bool = False  # its finding is a record for the documents row, not a table's entities


def searched_blocks(doc: DocumentView) -> Iterator[BlockView]:
    return (b for b in doc.blocks if b.kind in SEARCHED_KINDS)
