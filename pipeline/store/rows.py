"""One input file's rows for every table, from what the document stage produced.

Entity tables take each column from the entity's field of the same name (the
table is the component's name, see extractors/component.py); the documents
row takes it from the document, else from the records that components made
of it (its metadata). A column no one fills is null.
"""
from __future__ import annotations

from pipeline import __version__
from pipeline.models import DocResult, Document
from pipeline.store.schema import TABLES

# tables whose rows belong to one input file; the others are made by the corpus stages
PER_DOCUMENT_TABLES = ("documents", "blocks", "references", "quantities", "agencies", "errors")
_BLOCK_FIELDS = {"table_index": "table"}  # blocks columns named otherwise than the Block field


def document_row(doc: Document, res: DocResult) -> dict:
    row = {
        "n_blocks": len(doc.blocks),
        "n_references": len(res.entities("references")),
        "pipeline_version": __version__,
    }
    records = [found for found in res.found.values() if found is not None and not isinstance(found, list)]
    for name in TABLES["documents"].names:
        if name not in row:
            source = doc if hasattr(doc, name) else next((r for r in records if hasattr(r, name)), None)
            row[name] = getattr(source, name, None)
    return row


def result_rows(res: DocResult) -> dict[str, list[dict]]:
    """One input file's rows for every table."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    rows.update(result_rows_small(res))
    doc = res.document
    if doc is None:
        return rows
    rows["blocks"] = [
        {**_entity_row(b, "blocks", _BLOCK_FIELDS), "doc_id": doc.doc_id, "block_id": i} for i, b in enumerate(doc.blocks)
    ]
    where = {"doc_id": doc.doc_id, "source_path": doc.source_path}
    for name, found in res.found.items():
        if isinstance(found, list) and name in TABLES:
            rows[name] = [{**_entity_row(e, name), **where} for e in found]
    return rows


def _entity_row(entity, table: str, renamed: dict[str, str] | None = None) -> dict:
    renamed = renamed or {}
    return {name: getattr(entity, renamed.get(name, name), None) for name in TABLES[table].names}


def result_columns(res: DocResult) -> dict[str, dict[str, list]]:
    """The same rows as `result_rows`, a column at a time (what a worker turns into Arrow tables)."""
    rows = {name: rows for name, rows in result_rows_small(res).items() if rows}
    columns: dict[str, dict[str, list]] = {name: _to_columns(name, table_rows) for name, table_rows in rows.items()}
    doc = res.document
    if doc is None:
        return columns
    n = len(doc.blocks)
    if n:
        blocks = {name: [getattr(b, _BLOCK_FIELDS.get(name, name), None) for b in doc.blocks] for name in TABLES["blocks"].names}
        blocks.update(_only(TABLES["blocks"].names, doc_id=[doc.doc_id] * n, block_id=list(range(n))))
        columns["blocks"] = blocks
    for name, found in res.found.items():
        if isinstance(found, list) and name in TABLES and found:
            table = {col: [getattr(e, col, None) for e in found] for col in TABLES[name].names}
            table.update(_only(TABLES[name].names, doc_id=[doc.doc_id] * len(found), source_path=[doc.source_path] * len(found)))
            columns[name] = table
    return columns


def result_rows_small(res: DocResult) -> dict[str, list[dict]]:
    """The rows of the tables of which a file has one or a few: its documents row and its errors."""
    rows = {"errors": [
        {"source_path": e.source_path, "stage": e.stage, "error_type": e.error_type, "message": e.message, "doc_id": e.doc_id}
        for e in res.errors
    ]}
    if res.document is not None:
        rows["documents"] = [document_row(res.document, res)]
    return rows


def _to_columns(table: str, rows: list[dict]) -> dict[str, list]:
    return {name: [r.get(name) for r in rows] for name in TABLES[table].names}


def _only(names, **columns: list) -> dict[str, list]:
    """The columns the table has (a row's extra keys were dropped when it became Arrow data)."""
    return {k: v for k, v in columns.items() if k in names}
