"""The registry of cited documents and the citation graph.

A cited document is identified by its code, the scope of its issuer and its
year: central bodies' codes are unique nationwide (57-NQ/TW), local bodies'
codes only within their province (198/KH-UBND of Đắk Nông is not 198/KH-UBND
of Bình Dương), and administrative numbers restart every year (198/KH-UBND of
2021 is not that of 2025). A year variant that cannot be a document of its
own — its date lies after the report that cites it — is folded into the
others: it is a wrong date, and the audit says so.

Edges: every citation is an edge report -> cited document; a citation whose
sentence ties it to another (`Kế hoạch X triển khai thực hiện Nghị quyết Y`,
see extractors.relations) is also an edge X -> Y with that relation.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import regex as re

import gazetteer
from extractors.codes import NORMATIVE_TYPES, compare_key, parse_code, type_of
from pipeline.staging import read_staged, staged_rows, write_staged
from pipeline.models import ErrorRecord
from pipeline.resolve import Report, in_force_date, is_central, province_for

NQ57 = compare_key("57-NQ/TW")
FAMILY_RELATIONS = ("implements", "amends", "based_on")
_PROVINCE_IN_NAME = re.compile(r"(?:tỉnh|thành phố|Tỉnh ủy|Thành ủy|TP\.)\s+(\p{Lu}[\p{L}\-]*(?:\s+\p{Lu}[\p{L}\-]*){0,3})")


@dataclass(slots=True)
class Entry:
    """One cited document while the registry is being built."""

    kind: str
    key: str
    scope: str
    year: int | None
    refs: list[dict] = field(default_factory=list)

    @property
    def doc_key(self) -> str:
        raw = f"{self.kind}|{self.key}|{self.scope}|{self.year or ''}"
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def stage(staging: Path) -> list[ErrorRecord]:
    refs = staged_rows(staging, "references")
    docs = read_staged(staging, "documents", ["doc_id", "province", "province_as_written", "report_date"]).to_pylist()
    reports = {d["doc_id"]: Report(d["doc_id"], d["province"], d["province_as_written"], d["report_date"]) for d in docs}
    entries = build(refs, reports)
    edges = edges_of(refs) + gazetteer_edges(entries)
    write_staged(staging, "references", refs)
    write_staged(staging, "cited_documents", registry_rows(entries, reports, edges))
    write_staged(staging, "citation_edges", edges)
    return []


# --- identity -------------------------------------------------------------------------


def identity(ref: dict, report: Report) -> tuple[str, str, str] | None:
    """(kind, key, scope) of the document a citation cites; None when it cannot be known."""
    kind = ref["cite_kind"]
    if kind == "law":
        return ("law", gazetteer.fold(ref["name"] or ""), "") if ref.get("name") else None
    if kind == "standard":
        return ("standard", compare_key(ref["code"]), "")
    code = ref.get("code") or ref.get("resolved_code")
    if not code:
        return None
    parts = parse_code(code)
    if parts is None:
        return None
    if is_central(parts.issuer_code):
        scope = ""
    else:
        stated = _PROVINCE_IN_NAME.search(ref.get("issuer") or "")
        scope = stated.group(1) if stated else (province_for(ref, report) or f"report:{ref['doc_id']}")
    return ("code", compare_key(code), scope)


def _year_of(ref: dict) -> int | None:
    parts = parse_code(ref.get("code") or ref.get("resolved_code") or "")
    if parts is not None and parts.year:
        return parts.year
    if ref.get("cite_kind") == "law" and ref.get("year"):
        return ref["year"]
    return ref["issued_date"].year if ref.get("issued_date") else None


def build(refs: list[dict], reports: dict[str, Report]) -> list[Entry]:
    """Group citations into cited documents; set `doc_key` on every reference row."""
    groups: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for ref in refs:
        ref["doc_key"] = None
        report = reports.get(ref["doc_id"]) or Report(ref["doc_id"], None, None, None)
        ident = identity(ref, report)
        if ident is not None:
            groups[ident].append(ref)
    _fold_lost_years(groups)
    entries: list[Entry] = []
    for (kind, key, scope), members in groups.items():
        entries.extend(_split_by_year(kind, key, scope, members, reports))
    for entry in entries:
        for ref in entry.refs:
            ref["doc_key"] = entry.doc_key
    return entries


def _fold_lost_years(groups: dict[tuple[str, str, str], list[dict]]) -> None:
    """09/TT-BKHCN is 09/2024/TT-BKHCN with its year lost, when that is the only such circular cited."""
    with_year: dict[tuple, list[tuple]] = defaultdict(list)
    for ident, members in groups.items():
        parts = parse_code(members[0].get("code") or members[0].get("resolved_code") or "") if ident[0] == "code" else None
        if parts and parts.year and parts.type_code in NORMATIVE_TYPES:
            with_year[(parts.number.lstrip("0"), parts.type_code, parts.issuer_code, ident[2])].append(ident)
    for ident in list(groups):
        parts = parse_code(groups[ident][0].get("code") or groups[ident][0].get("resolved_code") or "") if ident[0] == "code" else None
        if parts and not parts.year and parts.type_code in NORMATIVE_TYPES:
            targets = with_year.get((parts.number.lstrip("0"), parts.type_code, parts.issuer_code, ident[2]), [])
            if len(targets) == 1:
                groups[targets[0]].extend(groups.pop(ident))


def _split_by_year(kind, key, scope, members, reports) -> list[Entry]:
    by_year: dict[int | None, list[dict]] = defaultdict(list)
    for ref in members:
        by_year[_year_of(ref)].append(ref)
    years = [y for y in by_year if y is not None]
    # a year seen only in impossible citations (dated after their report, or issued after they
    # took effect) is a wrong date, not a document of its own
    real = [y for y in years if not all(_impossible(r, reports) for r in by_year[y])]
    keep = real or years
    if not keep:
        return [Entry(kind, key, scope, None, members)]
    entries = {y: Entry(kind, key, scope, y if len(keep) > 1 else None, list(by_year[y])) for y in keep}
    biggest = max(keep, key=lambda y: len(by_year[y]))
    for y, rows in by_year.items():
        if y not in entries:
            entries[biggest].refs.extend(rows)
    return list(entries.values())


def _impossible(ref: dict, reports: dict[str, Report]) -> bool:
    report = reports.get(ref["doc_id"])
    date = ref.get("issued_date")
    if not date:
        return False
    if report and report.report_date and date > report.report_date:
        return True
    in_force = in_force_date(ref)
    return in_force is not None and in_force < date


# --- rows ------------------------------------------------------------------------------


def registry_rows(entries: list[Entry], reports: dict[str, Report], edges: list[dict]) -> list[dict]:
    family = nq57_family(edges, entries)
    rows = []
    for entry in entries:
        refs = entry.refs
        codes = Counter(r.get("code") or r.get("resolved_code") for r in refs if r.get("code") or r.get("resolved_code"))
        code = codes.most_common(1)[0][0] if codes else None
        if entry.kind == "law":
            code = code or "Luật " + Counter(r["name"] for r in refs).most_common(1)[0][0]
        parts = parse_code(code) if entry.kind == "code" and code else None
        dates = Counter(r["issued_date"] for r in refs if r.get("issued_date"))
        known = known_date(code) if code else None
        citing = sorted({r["doc_id"] for r in refs})
        report_dates = [reports[d].report_date for d in citing if d in reports and reports[d].report_date]
        rows.append(
            {
                "doc_key": entry.doc_key,
                "code": code,
                "cite_kind": entry.kind,
                "doc_type": (type_of(parts) if parts else None) or _most(r["doc_type"] for r in refs),
                "type_code": parts.type_code if parts else None,
                "number": parts.number if parts else _most(r.get("number") for r in refs),
                "year": (parts.year if parts and parts.year else None) or entry.year or _year_from(known, dates),
                "issuer_code": parts.issuer_code if parts else None,
                "issuer": _most(r.get("issuer_canonical") for r in refs if r.get("issuer"))
                or _most(r.get("issuer_canonical") for r in refs),
                "province": entry.scope if entry.scope and not entry.scope.startswith("report:") else None,
                "issued_date": known or consensus_date(dates, refs),
                "known_date": known,
                "date_variants": [{"date": d, "mentions": n} for d, n in sorted(dates.items())],
                "subject": max((r.get("subject") or "" for r in refs), key=len) or None,
                "mentions": len(refs),
                "reports": len(citing),
                "citing_doc_ids": citing,
                "first_report_date": min(report_dates) if report_dates else None,
                "last_report_date": max(report_dates) if report_dates else None,
                "nq57_family": entry.doc_key in family,
            }
        )
    rows.sort(key=lambda r: (-r["mentions"], r["code"] or ""))
    return rows


def _most(values) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def _year_from(known: dt.date | None, dates: Counter) -> int | None:
    if known:
        return known.year
    return dates.most_common(1)[0][0].year if dates else None


def consensus_date(dates: Counter, refs: list[dict]) -> dt.date | None:
    """The date cited most; between equals, the one cited by more reports, then the earliest."""
    if not dates:
        return None
    reports_per_date = Counter()
    for d in dates:
        reports_per_date[d] = len({r["doc_id"] for r in refs if r.get("issued_date") == d})
    return min(dates, key=lambda d: (-dates[d], -reports_per_date[d], d))


def known_date(code: str) -> dt.date | None:
    finder = getattr(gazetteer, "known_document", None)
    doc = finder(code) if finder else None
    return getattr(doc, "issued_date", None) if doc else None


# --- graph -----------------------------------------------------------------------------


def edges_of(refs: list[dict]) -> list[dict]:
    """report -> cited for every citation; cited -> cited where the sentence states the relation."""
    by_start = {(r["doc_id"], r["start"]): r for r in refs}
    edges = []
    for ref in refs:
        if not ref.get("doc_key"):
            continue
        target_code = ref.get("code") or ref.get("resolved_code") or ref.get("surface")
        head = by_start.get((ref["doc_id"], ref["head_start"])) if ref.get("head_start") is not None else None
        edges.append(
            {
                "source_kind": "report",
                "source": ref["doc_id"],
                "source_code": None,
                "target": ref["doc_key"],
                "target_code": target_code,
                "relation": "mentions" if head is not None else ref["relation"],
                "doc_id": ref["doc_id"],
                "start": ref["start"],
                "end": ref["end"],
                "evidence": ref.get("sentence"),
                "origin": "text",
            }
        )
        if head is not None and head.get("doc_key") and head["doc_key"] != ref["doc_key"]:
            edges.append(
                {
                    "source_kind": "document",
                    "source": head["doc_key"],
                    "source_code": head.get("code") or head.get("resolved_code"),
                    "target": ref["doc_key"],
                    "target_code": target_code,
                    "relation": ref["relation"],
                    "doc_id": ref["doc_id"],
                    "start": head["start"],
                    "end": ref["end"],
                    "evidence": ref.get("sentence"),
                    "origin": "text",
                }
            )
    return edges


def gazetteer_edges(entries: list[Entry]) -> list[dict]:
    """Known facts (gazetteer/data/known_documents.csv) between documents the corpus cites: 02-KH/BCĐTW implements 57-NQ/TW."""
    by_key: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.kind == "code" and not e.scope:  # central documents only: known documents are central
            by_key[e.key].append(e)
    edges = []
    for source_key, sources in by_key.items():
        known = gazetteer.known_document(sources[0].refs[0].get("code") or sources[0].refs[0].get("resolved_code") or "")
        if known is None or not known.implements:
            continue
        for source in sources:
            for target in by_key.get(compare_key(known.implements), []):
                edges.append(
                    {
                        "source_kind": "document", "source": source.doc_key, "source_code": known.code,
                        "target": target.doc_key, "target_code": known.implements, "relation": "implements",
                        "doc_id": None, "start": None, "end": None, "evidence": known.source, "origin": "gazetteer",
                    }
                )
    return edges


def nq57_family(edges: list[dict], entries: list[Entry]) -> set[str]:
    """57-NQ/TW and every document that implements it, directly or through others."""
    roots = {e.doc_key for e in entries if e.kind == "code" and e.key == NQ57}
    implementers: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e["source_kind"] == "document" and e["relation"] in FAMILY_RELATIONS:
            implementers[e["target"]].add(e["source"])
    family, todo = set(roots), list(roots)
    while todo:
        for source in implementers.get(todo.pop(), ()):
            if source not in family:
                family.add(source)
                todo.append(source)
    return family

