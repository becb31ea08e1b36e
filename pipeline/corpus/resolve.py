"""Resolution: what each citation stands for, using the whole corpus.

- Short forms (`Nghị quyết 57`, `NQ57`, `Nghị quyết số 57`) get `resolved_code`
  from the full citations of the same report first, then of the corpus (a
  central document, or a local one of the report's own province), then of the
  gazetteer's known documents. Anaphora (`Kế hoạch nêu trên`) point back to
  the citation of that type before them. What stays ambiguous stays
  unresolved, and `resolved_by` says why.
- Every citation gets `issuer_canonical`: from the issuer the text states,
  else from the gazetteer (known documents), else from the code's issuer part
  and the report's province (`198/KH-UBND` in a Đắk Nông report ->
  `Ủy ban nhân dân tỉnh Đắk Nông`).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import gazetteer
from extractors.codes import compare_key, parse_code, type_of
from extractors.dates import in_force_after
from pipeline.store.tables import read_staged, scan, update_by_report
from pipeline.models import ErrorRecord

MERGER_DAY = dt.date(2025, 7, 1)  # 63 provinces became 34
_DOC_COLUMNS = ["doc_id", "source_path", "province", "province_as_written", "report_date"]


@dataclass(frozen=True, slots=True)
class Report:
    doc_id: str
    province: str | None  # after the merger
    province_as_written: str | None
    report_date: dt.date | None


def stage(staging: Path) -> list[ErrorRecord]:
    reports = read_reports(staging)
    corpus = corpus_codes(scan(staging, "references", _KEY_COLUMNS))

    def update(refs: list[dict]) -> dict[str, list]:
        resolve(refs, reports, corpus)
        return {col: [r[col] for r in refs] for col in ("resolved_code", "issuer_canonical", "resolved_by")}

    update_by_report(staging, "references", _RESOLVE_COLUMNS, update)
    return []


def read_reports(staging: Path) -> dict[str, Report]:
    """doc_id -> what resolution needs to know of each report (one small object per report, not per citation)."""
    return {d["doc_id"]: _report(d) for d in read_staged(staging, "documents", _DOC_COLUMNS).to_pylist()}


def _report(row: dict) -> Report:
    return Report(row["doc_id"], row.get("province"), row.get("province_as_written"), row.get("report_date"))


_KEY_COLUMNS = ["cite_kind", "code", "number", "doc_type"]
_RESOLVE_COLUMNS = [
    "doc_id", "start", "surface", "sentence", "cite_kind", "code", "number", "doc_type", "issuer", "issued_date",
    "resolved_code",
]


def corpus_codes(batches: Iterable[list[dict]]) -> dict[tuple[str, str], Counter]:
    """(document type, number) -> how often each full code with them is cited in the corpus."""
    corpus: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for refs in batches:
        for ref in refs:
            key = _short_key(ref) if ref["cite_kind"] == "code" else None
            if key:
                corpus[key][ref["code"]] += 1
    return corpus


def resolve(refs: list[dict], reports: dict[str, Report], corpus: dict[tuple[str, str], Counter]) -> None:
    """Fill resolved_code, issuer_canonical and resolved_by on reference rows, in place.

    `refs` holds every citation of its reports; `corpus` counts the full codes of
    the whole corpus (corpus_codes).
    """
    coded_by_doc: dict[str, list[dict]] = defaultdict(list)
    for ref in refs:
        if ref["cite_kind"] == "code" and _short_key(ref):
            coded_by_doc[ref["doc_id"]].append(ref)
    for rows in coded_by_doc.values():
        rows.sort(key=lambda r: r["start"])
    for ref in refs:
        report = reports.get(ref["doc_id"]) or Report(ref["doc_id"], None, None, None)
        how = []
        if ref["cite_kind"] == "short":
            ref["resolved_code"], found = _resolve_short(ref, report, coded_by_doc[ref["doc_id"]], corpus)
            how.append(found)
        elif ref["cite_kind"] == "anaphora":
            ref["resolved_code"], found = _resolve_anaphora(ref, coded_by_doc[ref["doc_id"]])
            how.append(found)
        issuer, found = _issuer(ref, report)
        ref["issuer_canonical"] = issuer
        if found:
            how.append(found)
        ref["resolved_by"] = "; ".join(how) or None


def _short_key(ref: dict) -> tuple[str, str] | None:
    """(document type, number without leading zeros): what a short form and a full citation share."""
    if ref["cite_kind"] == "code":
        parts = parse_code(ref["code"] or "")
        kind = type_of(parts) if parts else None
    else:
        kind = ref["doc_type"]
    number = (ref.get("number") or "").lstrip("0") or "0"
    return (kind, number) if kind and ref.get("number") else None


def _resolve_short(ref: dict, report: Report, same_report: list[dict], corpus) -> tuple[str | None, str]:
    key = _short_key(ref)
    here = {compare_key(r["code"]): r["code"] for r in same_report if _short_key(r) == key}
    if len(here) == 1:
        return next(iter(here.values())), "code from report"
    if len(here) > 1:
        return None, "ambiguous in report: " + ", ".join(sorted(here.values()))
    candidates = {}
    for code, _ in corpus.get(key, Counter()).most_common():
        parts = parse_code(code)
        if parts and (is_central(parts.issuer_code) or report.province is not None):
            candidates.setdefault(compare_key(code), code)
    if len(candidates) == 1:
        return next(iter(candidates.values())), "code from corpus"
    if len(candidates) > 1:
        return None, "ambiguous in corpus: " + ", ".join(sorted(candidates.values()))
    known = _known_by_short_form(ref)
    if known:
        return known, "code from gazetteer"
    return None, "not found"


def _resolve_anaphora(ref: dict, same_report: list[dict]) -> tuple[str | None, str]:
    before = [r for r in same_report if r["start"] < ref["start"] and r["doc_type"] == ref["doc_type"]]
    if not before:
        return None, "not found"
    distinct = {compare_key(r["code"]) for r in before}
    nearest = before[-1]
    if len(distinct) == 1 or nearest["surface"] in (ref.get("sentence") or ""):
        return nearest["code"], "code from report"
    return None, "ambiguous in report: " + ", ".join(sorted({r["code"] for r in before}))


def _known_by_short_form(ref: dict) -> str | None:
    finder = getattr(gazetteer, "known_by_short_form", None)
    return finder(ref["doc_type"], ref["number"]) if finder else None


def is_central(issuer_code: str | None) -> bool:
    if not issuer_code:
        return False
    known = gazetteer.issuer_codes().get(issuer_code.rstrip("0123456789"))
    return known is not None and known.level == "central"


def in_force_date(ref: dict) -> dt.date | None:
    """`... có hiệu lực từ ngày 10/02/2025` right after the citation, in its sentence."""
    sentence = ref.get("sentence") or ""
    at = sentence.find(ref["surface"])
    return in_force_after(sentence, at + len(ref["surface"])) if at >= 0 else None


# --- issuers ------------------------------------------------------------------------


def _issuer(ref: dict, report: Report) -> tuple[str | None, str | None]:
    province = province_for(ref, report)
    if ref.get("issuer"):
        return canonical_issuer(ref["issuer"], province), "issuer from text"
    code = ref.get("code") or ref.get("resolved_code")
    if not code or ref["cite_kind"] in ("standard", "law"):
        return None, None
    parts = parse_code(code)
    if parts is None or not parts.issuer_code:
        return None, None
    body = issuer_body(parts.issuer_code, province)
    return (body, "issuer from code") if body else (None, None)


def province_for(ref: dict, report: Report) -> str | None:
    """The province a local issuer belongs to: the report's own, as it was when the document was issued."""
    date = ref.get("issued_date")
    if date is not None and date >= MERGER_DAY:
        return report.province or report.province_as_written
    return report.province_as_written or report.province


def issuer_body(issuer_code: str, province: str | None) -> str | None:
    """Full name of the body an issuer code stands for; local bodies get the province."""
    known = gazetteer.issuer_codes().get(issuer_code) or gazetteer.issuer_codes().get(issuer_code.rstrip("0123456789"))
    if known is None:
        return None
    if known.level == "central":
        return known.body
    if province is None:
        return None
    if known.body in ("Tỉnh ủy", "Đảng ủy"):
        return f"{known.body} {province}"
    return f"{known.body} tỉnh {province}"


_ABBREVIATIONS = [
    ("UBND", "Ủy ban nhân dân"),
    ("HĐND", "Hội đồng nhân dân"),
    ("BTV", "Ban Thường vụ"),
    ("TTg", "Thủ tướng Chính phủ"),
    ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
    ("Sở KHCN", "Sở Khoa học và Công nghệ"),
    ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
    ("Bộ KH&CN", "Bộ Khoa học và Công nghệ"),
    ("Bộ TT&TT", "Bộ Thông tin và Truyền thông"),
]


def canonical_issuer(text: str, province: str | None) -> str:
    """Full name of an issuer as written: the agency it names (gazetteer), else abbreviations expanded."""
    from extractors.agencies import find_agencies

    found = find_agencies(text, 0, province)
    if found and found[0].start == 0:
        return found[0].canonical
    name = " ".join(text.split())
    for short, full in _ABBREVIATIONS:
        if name == short or name.startswith(short + " "):
            name = full + name[len(short) :]
    if province and name.endswith((" tỉnh", "Tỉnh ủy")) and province not in name:
        name = f"{name} {province}"
    return name
