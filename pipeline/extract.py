"""Run the extractors over a document's blocks.

Extractors see one block's text at a time, with the block's offset, so every
entity they return is already positioned in `Document.text`. Running headers
and footers are not searched: they repeat on every page and cite nothing.
"""
from __future__ import annotations

from extractors.references import find_references
from pipeline.models import Document, Reference

_SEARCHED = ("heading", "body", "footnote", "table_cell")


def extract_references(doc: Document) -> list[Reference]:
    refs: list[Reference] = []
    for block in doc.blocks:
        if block.kind not in _SEARCHED:
            continue
        for ref in find_references(block.text, offset=block.start):
            ref.in_footnote = block.kind == "footnote"
            ref.page = block.page
            refs.append(ref)
    return refs
