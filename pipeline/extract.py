"""Run the extractors over a document.

Each step is independent: one that fails adds an `errors` row (stage
`extract`) beside the document and the others still run. Extractors see one
block's text at a time with the block's offset, so every entity they return is
already positioned in `Document.text`. Running headers and footers are not
searched: they repeat on every page and name nothing new.
"""
from __future__ import annotations

from collections.abc import Callable

from extractors.references import find_references, sentence_around
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
    from extractors.quantities import find_quantities, table_cell_quantity

    cited = sorted((r.start, r.end) for r in res.references)
    rows: dict[tuple, list[str]] = {}
    for b in doc.blocks:
        if b.kind == "table_cell":
            rows.setdefault((b.table, b.row), []).append(b.text)
    for block in doc.blocks:
        if block.kind not in SEARCHED_KINDS:
            continue
        if block.kind == "table_cell" and block.col:
            q = table_cell_quantity(block.text, rows.get((block.table, block.row), []), block.start)
            if q is not None:
                q.page = block.page
                res.quantities.append(q)
                continue
        skip = [(s - block.start, e - block.start) for s, e in cited if s < block.end and block.start < e]
        for q in find_quantities(block.text, offset=block.start, skip=skip):
            q.in_footnote = block.kind == "footnote"
            q.page = block.page
            q.sentence = sentence_around(block.text, q.start - block.start, q.end - block.start)
            res.quantities.append(q)


# what the metadata step copies onto the Document (extractors.metadata.Metadata -> pipeline.models.Document)
METADATA_FIELDS = (
    "title", "issuing_agency", "issuer_line", "province", "province_as_written", "report_date", "period_start", "period_end",
    "own_code", "doc_type", "place", "signer_title", "signer_name", "recipients",
)


def _metadata(doc: Document, res: DocResult) -> None:
    from extractors.metadata import extract_metadata

    meta = extract_metadata([(b.kind, b.text) for b in doc.blocks])
    for name in METADATA_FIELDS:
        setattr(doc, name, getattr(meta, name))


def _agencies(doc: Document, res: DocResult) -> None:
    """After the metadata: `UBND tỉnh` is the report's own province's."""
    from extractors.agencies import find_agencies

    for block in doc.blocks:
        if block.kind not in SEARCHED_KINDS:
            continue
        for a in find_agencies(block.text, offset=block.start, province=doc.province_as_written):
            a.in_footnote = block.kind == "footnote"
            a.page = block.page
            res.agencies.append(a)


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
