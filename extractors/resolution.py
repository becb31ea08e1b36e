"""What a citation stands for, as far as its own report tells.

- Anaphora (`Kế hoạch nêu trên`) point back to the citation of that type
  before them (when that is unambiguous).
- Every citation gets `issuer_canonical`: from the issuer the text states
  (the agency gazetteer), else from the gazetteer's known documents (57-NQ/TW
  is the Politburo's, though /TW names the whole party centre), else from the code's issuer part and the report's
  province as it was when the document was issued (`198/KH-UBND` in a Đắk
  Nông report -> `Ủy ban nhân dân tỉnh Đắk Nông`).

Short forms (`Nghị quyết 57`) may need the whole corpus and are resolved by
the corpus stage (pipeline/corpus/resolve.py), with the functions here.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from functools import lru_cache
from collections.abc import Sequence
from typing import Protocol

import gazetteer
from extractors.codes import compare_key, known_document, parse_code, type_of

MERGER_DAY = dt.date(2025, 7, 1)  # 63 provinces became 34


class ReportFacts(Protocol):
    """What resolution needs to know of the citing report (its metadata)."""

    province: str | None  # after the merger
    province_as_written: str | None
    report_date: dt.date | None


class Citation(Protocol):
    start: int
    surface: str
    sentence: str | None
    cite_kind: str
    doc_type: str | None
    number: str | None
    code: str | None
    issuer: str | None
    issued_date: dt.date | None
    resolved_code: str | None


def resolve_in_report(refs: Sequence, report: ReportFacts | None) -> None:
    """Fill resolved_code (anaphora), issuer_canonical and resolved_by of a report's citations, in place.

    Short forms are left to the corpus stage, which knows what the whole corpus cites.
    """
    coded = Coded(refs)
    for ref in refs:
        if ref.cite_kind == "short":
            continue
        how = []
        if ref.cite_kind == "anaphora":
            ref.resolved_code, found = coded.anaphora(ref)
            how.append(found)
        issuer, found = issuer_of(ref, report)
        ref.issuer_canonical = issuer
        if found:
            how.append(found)
        ref.resolved_by = "; ".join(how) or None


def coded_in_order(refs: Sequence) -> list:
    """The citations written with a full code whose type and number are known, in text order."""
    return sorted((r for r in refs if r.cite_kind == "code" and short_key(r)), key=lambda r: r.start)


def short_key(ref: Citation) -> tuple[str, str] | None:
    """(document type, number without leading zeros): what a short form and a full citation share."""
    if ref.cite_kind == "code":
        return code_key(ref.code, ref.number)
    number = (ref.number or "").lstrip("0") or "0"
    return (ref.doc_type, number) if ref.doc_type and ref.number else None


def code_key(code: str | None, number: str | None) -> tuple[str, str] | None:
    """short_key of a citation written with a full code (cite_kind `code`), from those two fields."""
    return _code_key(code or "", number)


@lru_cache(maxsize=1 << 14)  # the corpus stages ask it of every citation, twice: codes repeat
def _code_key(code: str, number: str | None) -> tuple[str, str] | None:
    parts = parse_code(code)
    kind = type_of(parts) if parts else None
    return (kind, (number or "").lstrip("0") or "0") if kind and number else None


class Coded:
    """A report's citations written with a full code, indexed once, so that each short form and
    anaphora looks its answer up instead of scanning the report (linear in the report's citations).
    """

    def __init__(self, refs: Sequence):
        self.coded = coded_in_order(refs)
        # (type, number) -> {compare key: code}: the last code written of each key, keys in order of first use
        self.by_key: dict[tuple[str, str], dict[str, str]] = {}
        for r in self.coded:
            self.by_key.setdefault(short_key(r), {})[compare_key(r.code)] = r.code
        # made when an anaphora first asks: the corpus stage asks only of short forms
        self._by_type: dict[str | None, tuple[list, list[int], list[int]]] | None = None

    @property
    def by_type(self) -> dict[str | None, tuple[list, list[int], list[int]]]:
        """document type -> its coded citations in text order, their starts, and how many distinct
        codes the first i+1 of them hold."""
        if self._by_type is None:
            self._by_type = {}
            seen: dict[str | None, set[str]] = {}
            for r in self.coded:
                cites, starts, distinct = self._by_type.setdefault(r.doc_type, ([], [], []))
                keys = seen.setdefault(r.doc_type, set())
                keys.add(compare_key(r.code))
                cites.append(r)
                starts.append(r.start)
                distinct.append(len(keys))
        return self._by_type

    def short_form(self, ref: Citation) -> tuple[str | None, str | None]:
        """The full code a short form stands for in its own report; (None, None) when the report does not say."""
        here = self.by_key.get(short_key(ref), {})
        if len(here) == 1:
            return next(iter(here.values())), "code from report"
        if len(here) > 1:
            return None, "ambiguous in report: " + ", ".join(sorted(here.values()))
        return None, None

    def anaphora(self, ref: Citation) -> tuple[str | None, str]:
        """The citation of the same type before it, when that is unambiguous (or the nearest stands in its sentence)."""
        cites, starts, distinct = self.by_type.get(ref.doc_type, ([], [], []))
        n = bisect_left(starts, ref.start)  # the citations before it
        if not n:
            return None, "not found"
        nearest = cites[n - 1]
        if distinct[n - 1] == 1 or nearest.surface in (ref.sentence or ""):
            return nearest.code, "code from report"
        # the message names every code before it: as long as what it lists
        return None, "ambiguous in report: " + ", ".join(sorted({r.code for r in cites[:n]}))


def is_central(issuer_code: str | None) -> bool:
    if not issuer_code:
        return False
    known = gazetteer.issuer_codes().get(issuer_code.rstrip("0123456789"))
    return known is not None and known.level == "central"


# --- issuers ------------------------------------------------------------------------


def issuer_of(ref: Citation, report: ReportFacts | None) -> tuple[str | None, str | None]:
    province = province_for(ref.issued_date, report)
    if ref.issuer:
        return canonical_issuer(ref.issuer, province), "issuer from text"
    code = ref.code or ref.resolved_code
    if not code or ref.cite_kind in ("standard", "law"):
        return None, None
    known = known_document(code)
    if known is not None:  # the code's issuer part names a family of bodies (/TW); the gazetteer knows which one
        return known.issuer, "issuer from gazetteer"
    parts = parse_code(code)
    if parts is None or not parts.issuer_code:
        return None, None
    body = issuer_body(parts.issuer_code, province)
    return (body, "issuer from code") if body else (None, None)


def province_for(issued: dt.date | None, report: ReportFacts | None) -> str | None:
    """The province a local issuer belongs to: the report's own, as it was when the document was issued."""
    if report is None:
        return None
    if issued is not None and issued >= MERGER_DAY:
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


@lru_cache(maxsize=1 << 12)  # a report names the same few issuers again and again (63 distinct of 169 in the sample)
def canonical_issuer(text: str, province: str | None) -> str:
    """Full name of an issuer as written: the agency it names (gazetteer), else abbreviations expanded.

    The issuer phrase is looked up on its own, with the province as it was at the
    citation's date: the agencies found in the report's text use the report's own.
    """
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
