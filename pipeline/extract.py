"""Run the extractors over a document.

Each step is independent: one that fails adds an `errors` row (stage
`extract`) beside the document and the others still run. Extractors see one
block's text at a time with the block's offset, so every entity they return is
already positioned in `Document.text`. Running headers and footers are not
searched: they repeat on every page and name nothing new.
"""
from __future__ import annotations

from collections.abc import Callable

from extractors.references import find_references
from extractors.relations import link
from extractors.models import Reference
from pipeline.models import DocResult, Document, ErrorRecord

SEARCHED_KINDS = ("heading", "body", "footnote", "table_cell")


def extract_references(doc: Document) -> list[Reference]:
    refs: list[Reference] = []
    for block in doc.blocks:
        if block.kind not in SEARCHED_KINDS:
            continue
        found = find_references(block.text, offset=block.start)
        link(block.text, found, offset=block.start)
        for ref in found:
            ref.in_footnote = block.kind == "footnote"
            ref.page = block.page
        refs.extend(found)
    return refs


def _references(doc: Document, res: DocResult) -> None:
    res.references = extract_references(doc)


def _quantities(doc: Document, res: DocResult) -> None:
    """After the references: a number inside a citation (its code, its date) is not a quantity."""
    from extractors.figures import find_in_document

    res.quantities.extend(find_in_document(doc, {"references": res.references}))


def _metadata(doc: Document, res: DocResult) -> None:
    from extractors.metadata import extract_metadata

    meta = extract_metadata([(b.kind, b.text) for b in doc.blocks])
    for name in ("title", "issuing_agency", "province", "province_as_written", "report_date", "period_start", "period_end"):
        setattr(doc, name, getattr(meta, name))


def _agencies(doc: Document, res: DocResult) -> None:
    """After the metadata: `UBND tỉnh` is the report's own province's (the document carries the metadata)."""
    from extractors.agencies import find_in_document

    res.agencies.extend(find_in_document(doc, {"metadata": doc}))


# (name, step): each step reads the document and fills its part of the result.
STEPS: list[tuple[str, Callable[[Document, DocResult], None]]] = [
    ("references", _references),
    ("metadata", _metadata),
    ("quantities", _quantities),
    ("agencies", _agencies),
]


def extract(doc: Document, res: DocResult) -> None:
    for name, step in STEPS:
        try:
            step(doc, res)
        except Exception as exc:  # one extractor's bug must not cost the others
            res.errors.append(
                ErrorRecord(doc.source_path, "extract", f"{name}_failed", f"Extraction of {name} failed ({type(exc).__name__}: {exc}).", doc.doc_id)
            )
