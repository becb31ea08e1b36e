"""Audit rules over citations (registered with pipeline.corpus.audit.rule, run in this order).

- type_code_mismatch   the type word disagrees with the code (Quyết định số 327/KH-UBND)
- issuer_mismatch      the stated issuer cannot issue that code (a /BCĐ plan said to be
                       the central steering committee's)
- malformed_code       an issuer or type part one edit from a known one (NQ-HDND,
                       NĐ-PC), a normative code without its year, a party code written
                       state-style (02/KH-TW)
- date_impossible      dated after the report, in the future, a normative code whose
                       year is not its date's, or issued after it took effect
- date_conflict        one document, different dates: within a report, against the
                       gazetteer's known date, or against the corpus consensus
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import gazetteer
from extractors.codes import NORMATIVE_TYPES, issuer_base, parse_code
from extractors.references import issuer_can_issue
from pipeline.corpus.audit import Context, finding, rule
from pipeline.corpus.records import Citation

PARTY_ISSUERS = {c.code for c in gazetteer.issuer_codes().values() if c.system == "party" and c.code not in ("BCĐ",)}


def _code_type_name(code: str | None) -> str | None:
    parts = parse_code(code or "")
    return gazetteer.type_name(parts.type_code, parts.system) if parts and parts.type_code else None


# --- rules over single citations -------------------------------------------------------


@rule("type_code_mismatch")
def type_code_mismatch(refs: list[Citation], context: Context) -> list[dict]:
    out = []
    for ref in refs:
        if ref.type_conflict:
            implied = _code_type_name(ref.code)
            out.append(
                finding(
                    ref, "type_code_mismatch", "error", ref.type_word or ref.doc_type, implied,
                    f"The text calls {ref.code} a {ref.doc_type}, but its code is that of a {implied}.",
                )
            )
    return out


@rule("issuer_mismatch")
def issuer_mismatch(refs: list[Citation], context: Context) -> list[dict]:
    out = []
    for ref in refs:
        parts = ref.parts
        if parts and ref.issuer and not issuer_can_issue(ref.issuer, parts.issuer_code):
            body = gazetteer.issuer_codes().get(issuer_base(parts.issuer_code))
            out.append(
                finding(
                    ref, "issuer_mismatch", "error", ref.issuer, body.body if body else parts.issuer_code,
                    f"{ref.code} is a document of {body.body if body else parts.issuer_code} (/{parts.issuer_code}), "
                    f"but the text attributes it to {ref.issuer}.",
                )
            )
    return out


@dataclass(slots=True)
class IssuerUsage:
    """The issuer codes a corpus uses, and up to two reports that use each."""

    reports_of: dict[str, set[str]] = field(default_factory=dict)
    _fixes: set[str] | None = None

    @classmethod
    def of(cls, batches: Iterable[list[Citation]]) -> IssuerUsage:
        usage = cls()
        for refs in batches:
            for ref in refs:
                parts = ref.parts
                if parts and parts.issuer_code:
                    seen = usage.reports_of.setdefault(parts.issuer_code, set())
                    if len(seen) < 2:
                        seen.add(ref.doc_id)
        return usage

    def in_reports(self, issuer: str) -> int:
        """In how many reports the code is used (counted up to 2)."""
        return len(self.reports_of.get(issuer, ()))

    def likely_fixes(self) -> set[str]:
        """Issuer codes a malformed one may stand for: the gazetteer's, and those used by several reports."""
        if self._fixes is None:
            shared = {c for c, docs in self.reports_of.items() if len(docs) >= 2}
            in_use = shared | {issuer_base(c) for c in self.reports_of}
            # a short code is one edit from many others: there, only a code the corpus itself uses is a likely fix
            self._fixes = {c for c in gazetteer.issuer_codes() if len(c) >= 4 or c in in_use} | shared
        return self._fixes


@rule("malformed_code")
def malformed_code(refs: list[Citation], context: Context) -> list[dict]:
    out = []
    usage = context.usage
    known = usage.likely_fixes()
    for ref in refs:
        parts = ref.parts
        if parts is None:
            continue
        issuer = parts.issuer_code or ""
        base = issuer_base(issuer)
        if issuer and base not in gazetteer.issuer_codes() and base not in known and usage.in_reports(issuer) < 2:
            near = sorted(k for k in known if _one_edit(base, k))
            if len(near) == 1:
                fixed = _replace_last(ref.code, issuer, near[0] + issuer[len(base) :])
                out.append(
                    finding(
                        ref, "malformed_code", "warning", ref.code, fixed,
                        f"The issuer part {issuer} of {ref.code} is not a known code; {near[0]} is one edit away.",
                    )
                )
                continue
        if parts.system == "state" and parts.type_code in NORMATIVE_TYPES and parts.year is None:
            entry = context.registry.get(ref.doc_key or "")
            year = (entry.year if entry else None) or (ref.issued_date.year if ref.issued_date else None)
            expected = f"{parts.number}/{year}/{ref.code.split('/', 1)[1]}" if year else None
            out.append(
                finding(
                    ref, "malformed_code", "warning", ref.code, expected,
                    f"{ref.code} is a {gazetteer.type_name(parts.type_code, 'state')}, a normative document whose code carries its year.",
                )
            )
        elif parts.system == "state" and parts.family == "administrative" and base in PARTY_ISSUERS:
            expected = f"{parts.number}-{parts.type_code}/{issuer}"
            out.append(
                finding(
                    ref, "malformed_code", "warning", ref.code, expected,
                    f"{ref.code} is a party document (/{issuer}) written in the state style; party codes read {expected}.",
                )
            )
    return out


def _one_edit(a: str, b: str) -> bool:
    """Damerau distance 1, with Đ/D counted as one substitution (NQ-HDND for NQ-HĐND, NĐ-PC for NĐ-CP)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _replace_last(code: str, old: str, new: str) -> str:
    at = code.rfind(old)
    return code[:at] + new + code[at + len(old) :] if at >= 0 else code


@rule("date_impossible")
def date_impossible(refs: list[Citation], context: Context) -> list[dict]:
    out = []
    today = context.today
    for ref in refs:
        date = ref.issued_date
        if date is None:
            continue
        report = context.reports.get(ref.doc_id)
        report_date = report.report_date if report else None
        parts = ref.parts
        in_force = ref.in_force_date
        if date > today:
            out.append(finding(ref, "date_impossible", "error", str(date), f"on or before {today}", f"{ref.surface} is dated in the future."))
        elif report_date and date > report_date:
            out.append(
                finding(
                    ref, "date_impossible", "error", str(date), f"on or before {report_date}",
                    f"{ref.surface} is dated after the report that cites it ({report_date}).",
                )
            )
        elif parts and parts.year and parts.year != date.year:
            out.append(
                finding(
                    ref, "date_impossible", "error", str(date), f"a date in {parts.year}",
                    f"The code {ref.code} says {parts.year} but the citation dates it {date:%d/%m/%Y}.",
                )
            )
        elif in_force and in_force < date:
            out.append(
                finding(
                    ref, "date_impossible", "error", str(date), f"on or before {in_force}",
                    f"{ref.surface} would have taken effect ({in_force:%d/%m/%Y}) before it was issued.",
                )
            )
    return out


@rule("date_conflict")
def date_conflict(refs: list[Citation], context: Context) -> list[dict]:
    """A citation whose date differs from its document's known date, or from the one cited most."""
    out = []
    by_doc: dict[str, list[Citation]] = defaultdict(list)
    for ref in refs:
        if ref.doc_key and ref.issued_date:
            by_doc[ref.doc_key].append(ref)
    for key, cited in by_doc.items():
        entry = context.registry.get(key)
        known = entry.known_date if entry else None
        consensus = entry.issued_date if entry else None
        # the dates the whole corpus gives the document, not only these reports
        variants = {v["date"] for v in entry.date_variants} if entry and entry.date_variants else {r.issued_date for r in cited}
        if len(variants) < 2 and (known is None or variants == {known}):
            continue
        dates_in: dict[str, set] = defaultdict(set)  # report -> the dates it gives the document
        for ref in cited:
            dates_in[ref.doc_id].add(ref.issued_date)
        for ref in cited:
            date = ref.issued_date
            same_report = dates_in[ref.doc_id]
            code = ref.cited_code
            if known is not None and date != known:
                out.append(
                    finding(
                        ref, "date_conflict", "error", str(date), str(known),
                        f"{code} is dated {known:%d/%m/%Y} (gazetteer of known documents); this citation says {date:%d/%m/%Y}.",
                    )
                )
            elif known is None and consensus is not None and date != consensus:
                severity = "error" if len(same_report) > 1 else "warning"
                where = "elsewhere in this report" if len(same_report) > 1 else "in most citations of the corpus"
                out.append(
                    finding(
                        ref, "date_conflict", severity, str(date), str(consensus),
                        f"{code} is dated {consensus:%d/%m/%Y} {where}; this citation says {date:%d/%m/%Y}.",
                    )
                )
    return out
