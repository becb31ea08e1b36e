"""Run the extractors over a document.

Each step is independent: one that fails adds an `errors` row (stage
`extract`) beside the document and the others still run. Extractors see one
block's text at a time with the block's offset, so every entity they return is
already positioned in `Document.text`. Running headers and footers are not
searched: they repeat on every page and name nothing new.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from extractors.references import find_references, sentence_around
from extractors.relations import link
from extractors.models import Reference
from pipeline.models import Block, DocResult, Document, ErrorRecord

SEARCHED_KINDS = ("heading", "body", "footnote", "table_cell")


def extract_references(doc: Document) -> list[Reference]:
    """Citations, searched over runs of neighbouring blocks: layout breaks lines inside
    citations (`Căn cứ Quyết định số` / `59/QĐ-UBND`, a gazette's `169/QĐ-BL` / `ĐTBXH`),
    and the extractor treats the newline between blocks as a weak boundary."""
    refs: list[Reference] = []
    for run in _block_runs(doc.blocks):
        start, end = run[0].start, run[-1].end
        text = doc.text[start:end]
        found = find_references(text, offset=start)
        link(text, found, offset=start)
        starts = [b.start for b in run]
        for ref in found:
            block = run[bisect_right(starts, ref.start) - 1]
            ref.in_footnote = block.kind == "footnote"
            ref.page = block.page
        refs.extend(found)
    return refs


def _block_runs(blocks: list[Block]) -> list[list[Block]]:
    """Consecutive searched blocks, adjacent in the text; footnotes never run on into the body."""
    runs: list[list[Block]] = []
    for block in blocks:
        if block.kind not in SEARCHED_KINDS:
            runs.append([])
            continue
        last = runs[-1][-1] if runs and runs[-1] else None
        if last is not None and last.end + 1 == block.start and (last.kind == "footnote") == (block.kind == "footnote"):
            runs[-1].append(block)
        else:
            runs.append([block])
    return [run for run in runs if run]


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


def _metadata(doc: Document, res: DocResult) -> None:
    from extractors.metadata import extract_metadata

    meta = extract_metadata([(b.kind, b.text) for b in doc.blocks])
    for name in ("title", "issuing_agency", "province", "province_as_written", "report_date", "period_start", "period_end"):
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
