"""Short forms resolved with the whole corpus: what `Nghị quyết 57` or `NQ57` stands for.

A short form gets `resolved_code` from the full citations of its own report
first, then of the corpus (a central document, or a local one when the report
has a province), then of the gazetteer's known documents; what stays ambiguous
stays unresolved, and `resolved_by` says why. Then its issuer, from the code it
stands for. Everything else a report can resolve by itself
(extractors.resolution, at extraction).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import gazetteer
from extractors.codes import compare_key, parse_code
from extractors.resolution import coded_in_order, is_central, issuer_of, resolve_short_in_report, short_key
from pipeline.corpus.records import Citation, ReportFacts

# the columns resolution reads
COLUMNS = ["doc_id", "start", "cite_kind", "code", "number", "doc_type", "issuer", "issued_date"]


def corpus_codes(batches: Iterable[list[Citation]]) -> dict[tuple[str, str], Counter]:
    """(document type, number) -> how often each full code with them is cited in the corpus."""
    corpus: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for refs in batches:
        for ref in refs:
            key = short_key(ref) if ref.cite_kind == "code" else None
            if key:
                corpus[key][ref.code] += 1
    return corpus


def resolve_short_forms(refs: list[Citation], reports: dict[str, ReportFacts], corpus: dict[tuple[str, str], Counter]) -> None:
    """Fill resolved_code, issuer_canonical and resolved_by of the short forms among `refs`, in place.

    `refs` holds every citation of its reports; `corpus` counts the full codes of the whole corpus.
    """
    by_doc: dict[str, list[Citation]] = defaultdict(list)
    for ref in refs:
        by_doc[ref.doc_id].append(ref)
    for doc_id, cites in by_doc.items():
        shorts = [r for r in cites if r.cite_kind == "short"]
        if not shorts:
            continue
        coded = coded_in_order(cites)
        report = reports.get(doc_id)
        for ref in shorts:
            ref.resolved_code, found = _resolve_short(ref, report, coded, corpus)
            issuer, how = issuer_of(ref, report)
            ref.issuer_canonical = issuer
            ref.resolved_by = "; ".join(h for h in (found, how) if h) or None


def _resolve_short(ref: Citation, report: ReportFacts | None, coded: list[Citation], corpus) -> tuple[str | None, str]:
    code, found = resolve_short_in_report(ref, coded)
    if found:
        return code, found
    candidates = {}
    for code, _ in corpus.get(short_key(ref), Counter()).most_common():
        parts = parse_code(code)
        if parts and (is_central(parts.issuer_code) or (report is not None and report.province is not None)):
            candidates.setdefault(compare_key(code), code)
    if len(candidates) == 1:
        return next(iter(candidates.values())), "code from corpus"
    if len(candidates) > 1:
        return None, "ambiguous in corpus: " + ", ".join(sorted(candidates.values()))
    known = gazetteer.known_by_short_form(ref.doc_type, ref.number)
    if known:
        return known, "code from gazetteer"
    return None, "not found"
