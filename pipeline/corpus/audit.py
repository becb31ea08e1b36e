"""The citation audit: rules over resolved citations and the registry -> `findings`.

Each rule returns findings with a severity (`error`: the citation is wrong on
its face; `warning`: probably wrong, a reader should check; `info`) and a
message a reader understands. Rules:

- type_code_mismatch   the type word disagrees with the code (Quyết định số 327/KH-UBND)
- date_conflict        one document, different dates: within a report, against the
                       gazetteer's known date, or against the corpus consensus
- date_impossible      dated after the report, in the future, a normative code whose
                       year is not its date's, or issued after it took effect
- malformed_code       an issuer or type part one edit from a known one (NQ-HDND,
                       NĐ-PC), a normative code without its year, a party code written
                       state-style (02/KH-TW)
- issuer_mismatch      the stated issuer cannot issue that code (a /BCĐ plan said to be
                       the central steering committee's)
- quantity_inconsistent a ratio and its percentage disagree (18/20 = 90%), a part
                       larger than its whole
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import regex as re

import gazetteer
from extractors.codes import NORMATIVE_TYPES, issuer_base, parse_code
from extractors.references import issuer_can_issue
from pipeline.store.tables import PartWriter, by_report, read_staged, scan, write_staged
from pipeline.models import ErrorRecord
from pipeline.corpus.resolve import in_force_date

SEVERITIES = ("error", "warning", "info")
PARTY_ISSUERS = {c.code for c in gazetteer.issuer_codes().values() if c.system == "party" and c.code not in ("BCĐ",)}


# the columns the rules read: the audit holds every citation of the corpus, so only these
_REF_COLUMNS = [
    "doc_id", "start", "end", "surface", "sentence", "cite_kind", "code", "resolved_code", "doc_key", "doc_type",
    "type_word", "type_conflict", "number", "year", "issued_date", "issuer", "issuer_code", "issuer_canonical",
]
_REGISTRY_COLUMNS = ["doc_key", "year", "issued_date", "known_date", "date_variants"]
_QUANTITY_COLUMNS = ["doc_id", "start", "end", "surface", "sentence", "kind", "value", "total", "unit"]


def stage(staging: Path) -> list[ErrorRecord]:
    docs = {d["doc_id"]: d for d in read_staged(staging, "documents", ["doc_id", "report_date"]).to_pylist()}
    registry = read_staged(staging, "cited_documents", _REGISTRY_COLUMNS)  # Arrow: compact, looked up slice by slice
    usage = IssuerUsage.of(scan(staging, "references", ["doc_id", "cite_kind", "code"]))
    today = dt.date.today()
    with PartWriter(staging, "findings") as out:
        for refs in by_report(staging, "references", _REF_COLUMNS):
            cited = registry.filter(pc.is_in(registry.column("doc_key"), pc.unique(refs.column("doc_key").drop_null())))
            out.write(audit(refs.to_pylist(), docs, {r["doc_key"]: r for r in cited.to_pylist()}, usage, today))
        for quantities in by_report(staging, "quantities", _QUANTITY_COLUMNS):
            out.write(quantity_inconsistent(quantities.to_pylist()))
    write_staged(staging, "findings", in_order(read_staged(staging, "findings")))
    return []


def audit(refs: list[dict], docs: dict[str, dict], registry: dict[str, dict], usage: IssuerUsage, today: dt.date) -> list[dict]:
    """Findings on these citations (every citation of their reports).

    `registry`: the cited_documents rows they cite; `usage`: the issuer codes the whole corpus uses.
    """
    findings: list[dict] = []
    for rule in (type_code_mismatch, issuer_mismatch):
        findings.extend(rule(refs))
    findings.extend(malformed_code(refs, registry, usage))
    findings.extend(date_impossible(refs, docs, today))
    findings.extend(date_conflict(refs, registry))
    return findings


def in_order(findings: pa.Table) -> pa.Table:
    """Errors first, then warnings, then notes; each by report and place."""
    rank = pc.index_in(findings.column("severity"), pa.array(SEVERITIES))
    ordered = findings.append_column("_rank", rank).sort_by(
        [("_rank", "ascending"), ("doc_id", "ascending"), ("start", "ascending"), ("rule", "ascending")]
    )
    return ordered.drop_columns(["_rank"])


def finding(ref: dict, rule: str, severity: str, found: str | None, expected: str | None, message: str) -> dict:
    return {
        "doc_id": ref["doc_id"],
        "start": ref["start"],
        "end": ref["end"],
        "rule": rule,
        "severity": severity,
        "code": ref.get("code") or ref.get("resolved_code"),
        "found": found,
        "expected": expected,
        "message": message,
    }


def _code_type_name(code: str | None) -> str | None:
    parts = parse_code(code or "")
    return gazetteer.type_name(parts.type_code, parts.system) if parts and parts.type_code else None


# --- rules over single citations -------------------------------------------------------


def type_code_mismatch(refs: list[dict]) -> list[dict]:
    out = []
    for ref in refs:
        if ref.get("type_conflict"):
            implied = _code_type_name(ref["code"])
            out.append(
                finding(
                    ref, "type_code_mismatch", "error", ref.get("type_word") or ref["doc_type"], implied,
                    f"The text calls {ref['code']} a {ref['doc_type']}, but its code is that of a {implied}.",
                )
            )
    return out


def issuer_mismatch(refs: list[dict]) -> list[dict]:
    out = []
    for ref in refs:
        parts = parse_code(ref.get("code") or "") if ref["cite_kind"] == "code" else None
        if parts and ref.get("issuer") and not issuer_can_issue(ref["issuer"], parts.issuer_code):
            body = gazetteer.issuer_codes().get(issuer_base(parts.issuer_code))
            out.append(
                finding(
                    ref, "issuer_mismatch", "error", ref["issuer"], body.body if body else parts.issuer_code,
                    f"{ref['code']} is a document of {body.body if body else parts.issuer_code} (/{parts.issuer_code}), "
                    f"but the text attributes it to {ref['issuer']}.",
                )
            )
    return out


@dataclass(slots=True)
class IssuerUsage:
    """The issuer codes a corpus uses, and up to two reports that use each."""

    reports_of: dict[str, set[str]] = field(default_factory=dict)
    _fixes: set[str] | None = None

    @classmethod
    def of(cls, batches: Iterable[list[dict]]) -> IssuerUsage:
        usage = cls()
        for refs in batches:
            for ref in refs:
                parts = parse_code(ref.get("code") or "") if ref["cite_kind"] == "code" else None
                if parts and parts.issuer_code:
                    seen = usage.reports_of.setdefault(parts.issuer_code, set())
                    if len(seen) < 2:
                        seen.add(ref["doc_id"])
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


def malformed_code(refs: list[dict], registry: dict[str, dict], usage: IssuerUsage) -> list[dict]:
    out = []
    known = usage.likely_fixes()
    for ref in refs:
        if ref["cite_kind"] != "code":
            continue
        parts = parse_code(ref["code"] or "")
        if parts is None:
            continue
        issuer = parts.issuer_code or ""
        base = issuer_base(issuer)
        if issuer and base not in gazetteer.issuer_codes() and base not in known and usage.in_reports(issuer) < 2:
            near = sorted(k for k in known if _one_edit(base, k))
            if len(near) == 1:
                fixed = _replace_last(ref["code"], issuer, near[0] + issuer[len(base) :])
                out.append(
                    finding(
                        ref, "malformed_code", "warning", ref["code"], fixed,
                        f"The issuer part {issuer} of {ref['code']} is not a known code; {near[0]} is one edit away.",
                    )
                )
                continue
        if parts.system == "state" and parts.type_code in NORMATIVE_TYPES and parts.year is None:
            entry = registry.get(ref.get("doc_key") or "") or {}
            year = entry.get("year") or (ref["issued_date"].year if ref.get("issued_date") else None)
            expected = f"{parts.number}/{year}/{ref['code'].split('/', 1)[1]}" if year else None
            out.append(
                finding(
                    ref, "malformed_code", "warning", ref["code"], expected,
                    f"{ref['code']} is a {gazetteer.type_name(parts.type_code, 'state')}, a normative document whose code carries its year.",
                )
            )
        elif parts.system == "state" and parts.family == "administrative" and base in PARTY_ISSUERS:
            expected = f"{parts.number}-{parts.type_code}/{issuer}"
            out.append(
                finding(
                    ref, "malformed_code", "warning", ref["code"], expected,
                    f"{ref['code']} is a party document (/{issuer}) written in the state style; party codes read {expected}.",
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


def date_impossible(refs: list[dict], docs: dict[str, dict], today: dt.date) -> list[dict]:
    out = []
    for ref in refs:
        date = ref.get("issued_date")
        if date is None:
            continue
        report_date = (docs.get(ref["doc_id"]) or {}).get("report_date")
        parts = parse_code(ref.get("code") or "") if ref["cite_kind"] == "code" else None
        in_force = in_force_date(ref)
        if date > today:
            out.append(finding(ref, "date_impossible", "error", str(date), f"on or before {today}", f"{ref['surface']} is dated in the future."))
        elif report_date and date > report_date:
            out.append(
                finding(
                    ref, "date_impossible", "error", str(date), f"on or before {report_date}",
                    f"{ref['surface']} is dated after the report that cites it ({report_date}).",
                )
            )
        elif parts and parts.year and parts.year != date.year:
            out.append(
                finding(
                    ref, "date_impossible", "error", str(date), f"a date in {parts.year}",
                    f"The code {ref['code']} says {parts.year} but the citation dates it {date:%d/%m/%Y}.",
                )
            )
        elif in_force and in_force < date:
            out.append(
                finding(
                    ref, "date_impossible", "error", str(date), f"on or before {in_force}",
                    f"{ref['surface']} would have taken effect ({in_force:%d/%m/%Y}) before it was issued.",
                )
            )
    return out


def date_conflict(refs: list[dict], registry: dict[str, dict]) -> list[dict]:
    """A citation whose date differs from its document's known date, or from the one cited most."""
    out = []
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for ref in refs:
        if ref.get("doc_key") and ref.get("issued_date"):
            by_doc[ref["doc_key"]].append(ref)
    for key, cited in by_doc.items():
        entry = registry.get(key) or {}
        known, consensus = entry.get("known_date"), entry.get("issued_date")
        # the dates the whole corpus gives the document, not only these reports
        variants = {v["date"] for v in entry["date_variants"]} if entry.get("date_variants") else {r["issued_date"] for r in cited}
        if len(variants) < 2 and (known is None or variants == {known}):
            continue
        for ref in cited:
            date = ref["issued_date"]
            same_report = {r["issued_date"] for r in cited if r["doc_id"] == ref["doc_id"]}
            code = ref.get("code") or ref.get("resolved_code")
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


# --- quantities ------------------------------------------------------------------------------

_CLAUSE_END = re.compile(r"[;.]\s|$")
_PARTS_OPEN = re.compile(r"(?i)\s*[(:,]?\s*(?P<word>gồm|bao gồm|trong đó(?:\s+có)?)\b\s*:?")


def quantity_inconsistent(quantities: list[dict]) -> list[dict]:
    out = []
    by_sentence: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for q in quantities:
        by_sentence[(q["doc_id"], q.get("sentence") or "")].append(q)
    for (doc_id, sentence), qs in by_sentence.items():
        qs.sort(key=lambda q: q["start"])
        for i, q in enumerate(qs):
            if q["kind"] == "ratio" and q.get("total"):
                if q["value"] > q["total"]:
                    out.append(_qfinding(q, "error", f"{q['value']:g}/{q['total']:g}", f"at most {q['total']:g}",
                                         f"{q['surface']}: the part is larger than the whole."))
                pct = _stated_share(q, qs[max(0, i - 2) : i] + qs[i + 1 : i + 3], sentence)
                if pct is not None:
                    share = 100 * q["value"] / q["total"]
                    if abs(share - pct["value"]) > 0.6:
                        out.append(_qfinding(pct, "warning", f"{pct['value']:g}%", f"{share:.2f}%",
                                             f"{q['surface']} is {share:.2f}%, but the text says {pct['surface']}."))
            elif q["kind"] == "count" and sentence:
                out.extend(_parts_exceed(q, qs[i + 1 :], sentence))
    return out


def _stated_share(ratio: dict, near: list[dict], sentence: str) -> dict | None:
    """The percentage stated with a ratio: in the same clause, close before or after it.

    `18/20 nhiệm vụ, đạt tỷ lệ 90%`, `100% nhiệm vụ hoàn thành (16/16 nhiệm vụ)`; not a
    percentage of another clause (`10/10 thôn lõm sóng; cáp quang phủ hơn 97%`).
    """
    for p in near:
        if p["kind"] != "percent":
            continue
        a, b = sorted((p, ratio), key=lambda q: q["start"])
        gap = b["start"] - a["end"]
        if gap > 60:
            continue
        i, j = sentence.find(a["surface"]), sentence.rfind(b["surface"])
        if i < 0 or j < 0 or ";" in sentence[i:j] or "\n" in sentence[i:j]:
            continue
        return p
    return None


def _parts_exceed(whole: dict, after: list[dict], sentence: str) -> list[dict]:
    """`23 nhiệm vụ, gồm: 01 ..., 02 ..., 18 ...`: the listed parts must not add up to more.

    The list opens right after the whole (`97 nhiệm vụ (trong đó có 90 ...; 07 ...)`)
    and ends with its bracket, else at the end of the clause.
    """
    at = sentence.find(whole["surface"])
    if at < 0:
        return []
    rest = sentence[at + len(whole["surface"]) :]
    opener = _PARTS_OPEN.match(rest)
    if opener is None:
        return []
    close = rest.find(")", opener.end()) if "(" in opener.group(0) else -1
    if close < 0:
        stop = _CLAUSE_END.search(rest[opener.end() :])
        close = opener.end() + stop.start()
    listing = rest[opener.end() : close]
    parts, cursor = [], 0
    for q in after:
        found = listing.find(q["surface"], cursor)
        if q["kind"] != "count" or found < 0:
            break
        parts.append(q)
        cursor = found + len(q["surface"])
    total = sum(q["value"] for q in parts)
    if len(parts) >= 2 and total > whole["value"]:
        listed = " + ".join(f"{q['value']:g}" for q in parts)
        return [_qfinding(whole, "warning", f"{listed} = {total:g}", f"at most {whole['value']:g}",
                          f"{whole['surface']} {opener.group('word')} parts adding up to {total:g}, more than the whole.")]
    return []


def _qfinding(q: dict, severity: str, found: str, expected: str, message: str) -> dict:
    return {
        "doc_id": q["doc_id"], "start": q["start"], "end": q["end"], "rule": "quantity_inconsistent",
        "severity": severity, "code": None, "found": found, "expected": expected, "message": message,
    }

