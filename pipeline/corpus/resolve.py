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

import pyarrow as pa
import pyarrow.compute as pc

import gazetteer
from extractors.codes import compare_key, parse_code
from extractors.resolution import Coded, code_key, is_central, issuer_of, short_key
from pipeline.corpus.records import Citation, ReportFacts

# the columns resolution reads
COLUMNS = ["doc_id", "start", "cite_kind", "code", "number", "doc_type", "issuer", "issued_date"]


class CorpusCodes(defaultdict):
    """(document type, number) -> how often each full code with them is cited in the corpus,
    with the candidates of each short form worked out so far."""

    def __init__(self) -> None:
        super().__init__(Counter)
        self.candidates: dict[tuple, dict[str, str]] = {}


CODE_COLUMNS = ["cite_kind", "code", "number"]  # what corpus_codes reads


def corpus_codes(tables: Iterable[pa.Table]) -> CorpusCodes:
    """(document type, number) -> how often each full code with them is cited in the corpus.

    `tables`: CODE_COLUMNS of the citations, a slice at a time. Only the citations written with
    a full code count; they are chosen as Arrow data and read as two columns, without records.
    """
    corpus = CorpusCodes()
    for table in tables:
        coded = table.filter(pc.equal(table.column("cite_kind"), "code"))
        for code, number in zip(coded.column("code").to_pylist(), coded.column("number").to_pylist()):
            key = code_key(code, number)
            if key:
                corpus[key][code] += 1
    return corpus


def resolve_short_forms(refs: list[Citation], reports: dict[str, ReportFacts], corpus: CorpusCodes) -> None:
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
        coded = Coded(cites)
        report = reports.get(doc_id)
        for ref in shorts:
            ref.resolved_code, found = _resolve_short(ref, report, coded, corpus)
            issuer, how = issuer_of(ref, report)
            ref.issuer_canonical = issuer
            ref.resolved_by = "; ".join(h for h in (found, how) if h) or None


def _resolve_short(ref: Citation, report: ReportFacts | None, coded: Coded, corpus) -> tuple[str | None, str]:
    code, found = coded.short_form(ref)
    if found:
        return code, found
    candidates = _candidates(corpus, short_key(ref), report is not None and report.province is not None)
    if len(candidates) == 1:
        return next(iter(candidates.values())), "code from corpus"
    if len(candidates) > 1:
        return None, "ambiguous in corpus: " + ", ".join(sorted(candidates.values()))
    known = gazetteer.known_by_short_form(ref.doc_type, ref.number)
    if known:
        return known, "code from gazetteer"
    return None, "not found"


def _candidates(corpus: CorpusCodes, key: tuple[str, str] | None, local_too: bool) -> dict[str, str]:
    """compare key -> code of the corpus's full codes a short form of `key` may stand for, most cited first.

    Worked out once per (key, whether local codes count), not once per short form: a common
    number has as many codes as the corpus has issuers using it.
    """
    cache = corpus.candidates
    if (key, local_too) not in cache:
        found: dict[str, str] = {}
        for code, _ in corpus.get(key, Counter()).most_common():
            parts = parse_code(code)
            if parts and (is_central(parts.issuer_code) or local_too):
                found.setdefault(compare_key(code), code)
        cache[(key, local_too)] = found
    return cache[(key, local_too)]
