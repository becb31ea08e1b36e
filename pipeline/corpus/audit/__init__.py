"""The citation audit: rules over resolved citations, quantities and the registry -> `findings`.

A rule is one function `check(rows, context) -> findings` registered with
`@rule(name, table)`; `table` says which rows it reads (citations or
quantities), a slice of reports at a time, with the `Context` of the slice.
Each finding has a severity (`error`: the citation is wrong on its face;
`warning`: probably wrong, a reader should check; `info`) and a message a
reader understands. Adding a rule is adding its function to a rules module:
citations.py (type_code_mismatch, issuer_mismatch, malformed_code,
date_impossible, date_conflict) or quantities.py (quantity_inconsistent).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.corpus.records import Citation, CitedFacts, Figure, ReportFacts, columns_of, records
from pipeline.store.schema import TABLES
from pipeline.store.tables import PartWriter, by_report, read_table, scan

SEVERITIES = ("error", "warning", "info")


@dataclass(slots=True)
class Context:
    """What a rule may consult beside its rows."""

    reports: dict[str, ReportFacts]
    registry: dict[str, CitedFacts]  # the cited documents of the slice's citations
    usage: object  # the issuer codes the corpus uses (citations.IssuerUsage)
    today: dt.date


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    table: str  # "references" or "quantities"
    check: Callable[[list, Context], list[dict]]


RULES: list[Rule] = []
_RECORDS = {"references": Citation, "quantities": Figure}


def rules() -> list[Rule]:
    """Every rule, in order (the rules modules register theirs when imported)."""
    from pipeline.corpus.audit import citations, quantities  # noqa: F401

    return RULES


def rule(name: str, table: str = "references"):
    """Register a rule; rules run in the order they are registered."""

    def register(check: Callable[[list, Context], list[dict]]):
        RULES.append(Rule(name, table, check))
        return check

    return register


# Tesseract's word confidence under which a finding may rest on a misreading rather than on the
# source: measured on scans of the gold reports (README, "Scanned PDFs"), where words read right
# have a median confidence of 96 and most misread words fall under this
LOW_OCR_CONF = 80.0
WITHHOLD_OCR_CONF = 50.0


def finding(row: Citation | Figure, rule: str, severity: str, found: str | None, expected: str | None, message: str) -> dict:
    severity, message = _ocr_doubt(row, severity, message)
    return {
        "doc_id": row.doc_id,
        "start": row.start,
        "end": row.end,
        "rule": rule,
        "severity": severity,
        "code": row.cited_code if isinstance(row, Citation) else None,
        "found": found,
        "expected": expected,
        "message": message,
    }


def _ocr_doubt(row: Citation | Figure, severity: str, message: str) -> tuple[str, str]:
    """A finding on text OCR read without confidence, or read as OCR most likely misread it, may be the
    scan's fault, not the source's: one step down (error -> warning -> info), or withheld as a note
    under WITHHOLD_OCR_CONF; the message says why."""
    conf = row.ocr_conf
    if conf is None:
        return severity, message
    reread = "ocr_confusion" in ((row.repair_reason if isinstance(row, Citation) else None) or "")
    if conf < WITHHOLD_OCR_CONF:
        return "info", (f"{message} Withheld: the scan was read by OCR with low confidence ({conf:.0f}/100) "
                        "here; check the page image before taking it for an error of the source.")
    if conf < LOW_OCR_CONF or reread:
        lower = SEVERITIES[min(len(SEVERITIES) - 1, SEVERITIES.index(severity) + 1)]
        why = (f"OCR read this with confidence {conf:.0f}/100" if conf < LOW_OCR_CONF
               else "OCR's reading of this code was corrected for a likely misread letter")
        return lower, f"{message} Downgraded from {severity}: {why}; check the page image."
    return severity, message


def stage(staging: Path) -> None:
    from pipeline.corpus.audit.citations import IssuerUsage
    from pipeline.corpus.cited import read_reports

    reports = read_reports(staging)
    registry = read_table(staging, "cited_documents", columns_of(CitedFacts))  # Arrow: compact, looked up slice by slice
    usage = IssuerUsage.of(records(t, Citation) for t in scan(staging, "references", ["doc_id", "cite_kind", "code"]))
    context = Context(reports, {}, usage, dt.date.today())
    found: list[pa.Table] = []
    for table in ("references", "quantities"):
        checks = [r for r in rules() if r.table == table]
        if not checks:
            continue
        for piece in by_report(staging, table, columns_of(_RECORDS[table])):
            rows = records(piece, _RECORDS[table])
            if table == "references":
                keys = pc.unique(piece.column("doc_key").drop_null())
                cited = registry.filter(pc.is_in(registry.column("doc_key"), keys))
                context.registry = {c.doc_key: c for c in records(cited, CitedFacts)}
            out = [f for r in checks for f in r.check(rows, context)]
            found.append(pa.Table.from_pylist(out, schema=TABLES["findings"].schema))
    findings = pa.concat_tables(found) if found else TABLES["findings"].schema.empty_table()
    with PartWriter(staging, "findings") as writer:
        writer.write(in_order(findings))


def in_order(findings: pa.Table) -> pa.Table:
    """Errors first, then warnings, then notes; each by report and place."""
    rank = pc.index_in(findings.column("severity"), pa.array(SEVERITIES))
    ordered = findings.append_column("_rank", rank).sort_by(
        [("_rank", "ascending"), ("doc_id", "ascending"), ("start", "ascending"), ("rule", "ascending")]
    )
    return ordered.drop_columns(["_rank"])
