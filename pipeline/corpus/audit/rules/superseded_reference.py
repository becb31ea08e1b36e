"""superseded_reference: a report rests on a document the gazetteer knows was replaced before the report's date.

known_documents.csv says which documents were replaced, by what and from which
day (`Luật Tổ chức Chính phủ` 76/2015/QH13 by 63/2025/QH15 from 1/3/2025). A
report dated on or after that day that cites the old one as its basis (`Căn cứ`,
`theo`, implementing it) gets a warning. A mere mention is no finding: reports
recall old documents. A law cited by name matches by its name and date or year;
undated, which version it means cannot be told.
"""
from __future__ import annotations

from functools import cache

import gazetteer
from extractors.codes import known_document
from pipeline.corpus.audit import Context, finding, rule
from pipeline.corpus.audit.common import known_fact, label
from pipeline.corpus.records import Citation

RESTS_ON = ("based_on", "implements")


@rule("superseded_reference")
def superseded_reference(refs: list[Citation], context: Context) -> list[dict]:
    out = []
    for ref in refs:
        report = context.reports.get(ref.doc_id)
        if ref.relation not in RESTS_ON or report is None or report.report_date is None:
            continue
        known = _known(ref)
        if known is None or known.replaced_on is None or report.report_date < known.replaced_on:
            continue
        out.append(
            finding(
                ref, "superseded_reference", "warning", label(ref), known.replaced_by,
                f"{label(ref)} ({known.code}) was replaced by {known.replaced_by} from {known.replaced_on:%d/%m/%Y}; "
                f"this report, dated {report.report_date:%d/%m/%Y}, still rests on it.",
                evidence=[known_fact(known, f"replaced by {known.replaced_by} from {known.replaced_on:%d/%m/%Y}")],
                confidence=0.75,
            )
        )
    return out


def _known(ref: Citation) -> gazetteer.KnownDocument | None:
    if ref.cited_code:
        return known_document(ref.cited_code)
    if ref.cite_kind != "law" or not ref.name:
        return None
    for known in _laws_by_name().get(gazetteer.fold(ref.name), ()):
        if ref.issued_date == known.issued_date or (ref.issued_date is None and ref.year == known.issued_date.year):
            return known
    return None


@cache
def _laws_by_name() -> dict[str, tuple[gazetteer.KnownDocument, ...]]:
    out: dict[str, list] = {}
    for known in gazetteer.known_documents():
        if known.name:
            out.setdefault(gazetteer.fold(known.name), []).append(known)
    return {k: tuple(v) for k, v in out.items()}
