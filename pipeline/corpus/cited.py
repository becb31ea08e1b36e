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

The stage never holds the corpus's citations: it counts over them (`Plan`),
rewrites them a slice of reports at a time, and tallies the cited documents a
bucket of them at a time (`Buckets`), so that its memory follows the number of
cited documents (a small record each), not of citations.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import regex as re

import gazetteer
from extractors.codes import NORMATIVE_TYPES, compare_key, known_document, parse_code, type_of
from extractors.resolution import is_central, province_for
from gazetteer.places import after_merger
from pipeline.corpus.fanout import fan_out
from pipeline.corpus.records import Citation, ReportFacts, columns_of, few_collections, records
from pipeline.corpus.resolve import CODE_COLUMNS
from pipeline.corpus.resolve import COLUMNS as RESOLVE_COLUMNS
from pipeline.corpus.resolve import corpus_codes, resolve_short_forms
from pipeline.store.schema import TABLES
from pipeline.store.tables import SLICE_ROWS, PartWriter, read_table, report_units, scan, unit_slices, update_by_report

NQ57 = compare_key("57-NQ/TW")
FAMILY_RELATIONS = ("implements", "amends", "based_on")
_PROVINCE_IN_NAME = re.compile(r"(?:tỉnh|thành phố|Tỉnh ủy|Thành ủy|TP\.)\s+(\p{Lu}[\p{L}\-]*(?:\s+\p{Lu}[\p{L}\-]*){0,3})")


@dataclass(slots=True)
class Entry:
    """One cited document: who it is (its citations are tallied later, one document at a time)."""

    kind: str
    key: str
    scope: str
    year: int | None
    first_code: str | None = None  # of its first citation that wrote its code in full
    doc_key: str = ""

    def __post_init__(self) -> None:
        raw = f"{self.kind}|{self.key}|{self.scope}|{self.year or ''}"
        self.doc_key = hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Tallied:
    """What the registry needs of a citation: the columns of the buckets (a small record, 11 of a
    Citation's 26 fields: the buckets are read back once, every citation)."""

    doc_key: str | None = None
    doc_id: str = ""
    code: str | None = None
    resolved_code: str | None = None
    name: str | None = None
    doc_type: str | None = None
    number: str | None = None
    issuer: str | None = None
    issuer_canonical: str | None = None
    issued_date: dt.date | None = None
    subject: str | None = None

    @property
    def cited_code(self) -> str | None:
        return self.code or self.resolved_code


@dataclass(slots=True)
class Tally:
    """What the citations of one cited document say, counted in the order they come."""

    mentions: int = 0
    codes: Counter = field(default_factory=Counter)
    names: Counter = field(default_factory=Counter)
    dates: Counter = field(default_factory=Counter)
    reports_by_date: dict[dt.date, set[str]] = field(default_factory=dict)
    citing: set[str] = field(default_factory=set)
    doc_types: Counter = field(default_factory=Counter)
    numbers: Counter = field(default_factory=Counter)
    issuers_stated: Counter = field(default_factory=Counter)
    issuers: Counter = field(default_factory=Counter)
    subject: str = ""

    def add(self, ref: Tallied) -> None:
        self.mentions += 1
        self.citing.add(ref.doc_id)
        _count(self.codes, ref.cited_code)
        _count(self.names, ref.name)
        _count(self.doc_types, ref.doc_type)
        _count(self.numbers, ref.number)
        _count(self.issuers, ref.issuer_canonical)
        if ref.issuer:
            _count(self.issuers_stated, ref.issuer_canonical)
        if ref.issued_date:
            self.dates[ref.issued_date] += 1
            self.reports_by_date.setdefault(ref.issued_date, set()).add(ref.doc_id)
        subject = ref.subject or ""
        if len(subject) > len(self.subject):
            self.subject = subject


def _count(counter: Counter, value) -> None:
    if value:
        counter[value] += 1


_IDENT_COLUMNS = ["doc_id", "cite_kind", "code", "resolved_code", "name", "issuer", "year", "issued_date", "in_force_date"]
_TALLY_COLUMNS = columns_of(Tallied)
# what a pass over the citations reads: identity, short-form resolution, the edges and the tallies
_PLAN_COLUMNS = list(dict.fromkeys(_IDENT_COLUMNS + RESOLVE_COLUMNS))
# the columns the pass sets: short forms resolved, and every citation's document
_SET_COLUMNS = ["resolved_code", "issuer_canonical", "resolved_by", "doc_key"]
_ROW_COLUMNS = list(dict.fromkeys(
    _PLAN_COLUMNS + ["start", "end", "surface", "sentence", "head_start", "relation"] + _TALLY_COLUMNS[1:] + _SET_COLUMNS
))
_DOC_COLUMNS = ["doc_id", "province", "province_as_written", "report_date", "own_code", "issuing_agency"]


@few_collections
def stage(staging: Path, processes: int = 1) -> None:
    """Passes over the citations, none holding more than a slice of reports.

    1. count the full codes of the corpus (what short forms may stand for);
    2. report by report, short forms resolved: count codes and years, which cited
       document each citation is (Plan);
    3. report by report: resolve the short forms and set `doc_key` (the one rewrite of
       `references`), write the graph's edges, and sort what the registry needs of each
       citation into buckets on disk, by document;
    4. bucket by bucket: tally each cited document's citations, one registry row each,
       written once, most cited first.
    """
    reports = read_reports(staging)
    corpus = corpus_codes(scan(staging, "references", CODE_COLUMNS))

    def resolved(table: pa.Table) -> list[Citation]:
        refs = records(table, Citation)
        resolve_short_forms(refs, reports, corpus)
        return refs

    def sighted(unit: list[Path]) -> list[Sighting]:
        return [s for table in unit_slices(unit, "references", _PLAN_COLUMNS) for s in sightings(resolved(table), reports)]

    # dealt out unit by unit: a unit's sightings need only the reports and the corpus's codes
    plan = Plan.of(fan_out(sighted, report_units(staging / "references"), processes))
    # at least a bucket per process: the buckets are tallied one to a process
    buckets = Buckets(staging / ".registry-buckets", max(-(-len(plan.entries) // DOCUMENTS_PER_BUCKET), processes))
    try:
        links, known = _assign(staging, plan, reports, resolved, buckets, processes)
        buckets.close()
        family = nq57_family(links | set(family_links(known)), plan.entries)
        entries = plan.by_key
        archive = Archive.of(reports)

        def registered(bucket: Path) -> pa.Table:
            return pa.Table.from_pylist([archive.mark(registry_row(entries[key], tally, reports, key in family), entries[key])
                                         for key, tally in buckets.tally(bucket).items()], schema=TABLES["cited_documents"].schema)

        # dealt out bucket by bucket: a bucket holds every citation of its documents
        rows = list(fan_out(registered, buckets.filled(), processes))
    finally:
        buckets.remove()
    registry = pa.concat_tables(rows) if rows else TABLES["cited_documents"].schema.empty_table()
    with PartWriter(staging, "cited_documents") as out:
        out.write(most_cited_first(registry, {key: i for i, key in enumerate(entries)}))


def _assign(staging: Path, plan: Plan, reports: dict[str, ReportFacts], resolved: Callable[[pa.Table], list[Citation]],
            buckets: Buckets, processes: int) -> tuple[set[tuple[str, str]], list[dict]]:
    """Pass 3 (see `stage`): the document -> document links that make a family, and the gazetteer's edges."""
    links: set[tuple[str, str]] = set()
    with PartWriter(staging, "citation_edges") as edges_out:

        def update(table: pa.Table) -> tuple[dict[str, list], tuple]:
            # may run in a forked process (fan_out): what the run's process must do with a slice is
            # returned, and done by `keep`, in the order of the slices
            refs = resolved(table)
            firsts = plan.assign(refs, reports)
            edges = edges_of(refs)
            new = {col: [getattr(r, col) for r in refs] for col in _SET_COLUMNS}
            return new, (firsts, pa.Table.from_pylist(edges, schema=TABLES["citation_edges"].schema),
                         family_links(edges), buckets.sort(table, new))

        def keep(done: tuple) -> None:
            firsts, edges, family, to_buckets = done
            plan.first_codes(firsts)
            edges_out.write(edges)
            links.update(family)
            buckets.add(to_buckets)

        update_by_report(staging, "references", _ROW_COLUMNS, update, keep, partial(fan_out, processes=processes))
        known = gazetteer_edges(plan.entries)  # after every first code is known
        edges_out.write(known)
    return links, known


def read_reports(staging: Path) -> dict[str, ReportFacts]:
    """doc_id -> what the corpus stages need to know of each report (one small record per report)."""
    return {r.doc_id: r for r in records(read_table(staging, "documents", _DOC_COLUMNS), ReportFacts)}


def most_cited_first(registry: pa.Table, first_cited: dict[str, int]) -> pa.Table:
    """Most cited first; between equals, by code, then in the order they were first cited (as Arrow data)."""
    order = pc.sort_indices(
        pa.table({
            "m": registry.column("mentions"),
            "c": pc.fill_null(registry.column("code"), ""),
            "i": pa.array([first_cited[k] for k in registry.column("doc_key").to_pylist()], pa.int64()),
        }),
        sort_keys=[("m", "descending"), ("c", "ascending"), ("i", "ascending")],
    )
    return registry.take(order)


DOCUMENTS_PER_BUCKET = 2000  # cited documents tallied at once


class Buckets:
    """What the registry needs of each citation, spread over files by cited document (a hash of doc_key).

    Each bucket holds every citation of its documents, in the order they came,
    so tallying one bucket at a time holds only its documents.
    """

    def __init__(self, folder: Path, n: int):
        self.folder = folder
        self.n = max(1, n)
        folder.mkdir(exist_ok=True)
        schema = TABLES["references"].schema
        self.schema = pa.schema([schema.field(c) for c in _TALLY_COLUMNS])
        self.paths = [folder / f"bucket-{i:05d}.parquet" for i in range(self.n)]
        self.writers: list[pq.ParquetWriter | None] = [None] * self.n

    def sort(self, table: pa.Table, new: dict[str, list]) -> dict[int, pa.Table]:
        """Each citation of a slice to its document's bucket (bucket -> its rows): `table` holds the
        slice's rows as read, `new` the values the pass set (doc_key among them), which replace the
        columns read.

        The rows are chosen as Arrow data: only the column the pass set is made anew from Python
        objects, not every column of every citation again.
        """
        spread: dict[int, list[int]] = defaultdict(list)
        for row, key in enumerate(new["doc_key"]):
            if key:
                spread[int(key[:8], 16) % self.n].append(row)
        if not spread:
            return {}
        columns = [pa.array(new[c], self.schema.field(c).type) if c in new else table.column(c) for c in _TALLY_COLUMNS]
        rows = pa.Table.from_arrays(columns, schema=self.schema)
        return {i: rows.take(pa.array(at, pa.int64())) for i, at in spread.items()}

    def add(self, sorted_rows: dict[int, pa.Table]) -> None:
        """Write rows sorted into buckets (`sort`) after those the buckets hold."""
        for i, rows in sorted_rows.items():
            if self.writers[i] is None:
                self.writers[i] = pq.ParquetWriter(self.paths[i], self.schema)
            self.writers[i].write_table(rows)

    def close(self) -> None:
        for i, writer in enumerate(self.writers):
            if writer is not None:
                writer.close()
                self.writers[i] = None

    def filled(self) -> list[Path]:
        """The buckets that hold citations."""
        return [path for path in self.paths if path.exists()]

    @staticmethod
    def tally(bucket: Path) -> dict[str, Tally]:
        """doc_key -> tally of every cited document of one bucket."""
        tallies: dict[str, Tally] = {}
        for batch in pq.ParquetFile(bucket).iter_batches(batch_size=SLICE_ROWS):
            for ref in records(pa.Table.from_batches([batch]), Tallied):
                tally = tallies.get(ref.doc_key)
                if tally is None:
                    tally = tallies[ref.doc_key] = Tally()
                tally.add(ref)
        return tallies

    def remove(self) -> None:
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)


# --- identity -------------------------------------------------------------------------


def identity(ref: Citation, report: ReportFacts) -> tuple[str, str, str] | None:
    """(kind, key, scope) of the document a citation cites; None when it cannot be known."""
    kind = ref.cite_kind
    if kind == "law":
        return ("law", gazetteer.fold(ref.name or ""), "") if ref.name else None
    if kind == "standard":
        return ("standard", compare_key(ref.code), "")
    code = ref.cited_code
    if not code:
        return None
    parts = parse_code(code)
    if parts is None:
        return None
    if is_central(parts.issuer_code):
        scope = ""
    else:
        scope = _stated_province(ref.issuer or "") or province_for(ref.issued_date, report) or f"report:{ref.doc_id}"
    return ("code", compare_key(code), scope)


@lru_cache(maxsize=1 << 12)  # asked of every local citation, twice; a corpus names few issuers
def _stated_province(issuer: str) -> str | None:
    """The province an issuer's name states (`Ủy ban nhân dân tỉnh Đắk Nông`)."""
    stated = _PROVINCE_IN_NAME.search(issuer)
    return stated.group(1) if stated else None


def _year_of(ref: Citation) -> int | None:
    parts = parse_code(ref.cited_code or "")
    if parts is not None and parts.year:
        return parts.year
    if ref.cite_kind == "law" and ref.year:
        return ref.year
    return ref.issued_date.year if ref.issued_date else None


@dataclass(slots=True)
class _Group:
    """The citations of one (kind, key, scope), counted per year: [citations, possible ones]."""

    first_code: str | None
    years: dict[int | None, list[int]] = field(default_factory=dict)


@dataclass(slots=True)
class Plan:
    """Which cited document each citation belongs to, decided from corpus-wide counts.

    Built in one pass over the citations (`of`), then applied report by report
    (`assign`), so that no more than one report's citations are held at once.
    """

    entries: list[Entry]
    by_year: dict[tuple[str, str, str], dict[int | None, Entry]]
    folded: dict[tuple[str, str, str], tuple[str, str, str]]
    by_key: dict[str, Entry]  # doc_key -> entry, in the order of `entries`

    @classmethod
    def of(cls, batches: Iterable[list[Sighting]]) -> Plan:
        """The plan from every citation's sighting (`sightings`), in the order of the citations."""
        groups: dict[tuple[str, str, str], _Group] = {}
        for sighted in batches:
            for ident, code, year, possible in sighted:
                group = groups.get(ident)
                if group is None:
                    group = groups[ident] = _Group(code)
                counts = group.years.setdefault(year, [0, 0])
                counts[0] += 1
                counts[1] += possible
        folded = _fold_lost_years(groups)
        entries: list[Entry] = []
        by_year: dict[tuple[str, str, str], dict[int | None, Entry]] = {}
        for ident, group in groups.items():
            own, by_year[ident] = _split_by_year(*ident, group.years)
            entries.extend(own)
        return cls(entries, by_year, folded, {e.doc_key: e for e in entries})

    def assign(self, refs: list[Citation], reports: dict[str, ReportFacts]) -> list[tuple[str, str | None]]:
        """Set `doc_key` on these citations (every citation of their reports); (doc_key, code) of the
        entries whose first code they gave (`first_codes` gives them to another copy of the plan)."""
        firsts = []
        for ref in refs:
            ref.doc_key = None
            ident = identity(ref, _report_of(ref, reports))
            if ident is None:
                continue
            full = self.folded.get(ident, ident)
            entry = self.by_year[full][_year_of(ref)]
            ref.doc_key = entry.doc_key
            if entry.first_code is None and full is ident:
                entry.first_code = ref.cited_code
                firsts.append((entry.doc_key, ref.cited_code))
        return firsts

    def first_codes(self, firsts: list[tuple[str, str | None]]) -> None:
        """The first codes another copy of the plan saw (in a forked process), unless one came before."""
        for key, code in firsts:
            entry = self.by_key[key]
            if entry.first_code is None:
                entry.first_code = code


# what the plan needs of one citation: (its document's identity, its code, its year, whether it is possible)
Sighting = tuple[tuple[str, str, str], str | None, int | None, bool]


def sightings(refs: list[Citation], reports: dict[str, ReportFacts]) -> list[Sighting]:
    """What the plan counts of these citations (those whose document can be known), in their order."""
    out = []
    for ref in refs:
        ident = identity(ref, _report_of(ref, reports))
        if ident is not None:
            out.append((ident, ref.cited_code, _year_of(ref), not _impossible(ref, reports)))
    return out


def _report_of(ref: Citation, reports: dict[str, ReportFacts]) -> ReportFacts:
    return reports.get(ref.doc_id) or ReportFacts(ref.doc_id)


def _fold_lost_years(groups: dict[tuple[str, str, str], _Group]) -> dict[tuple, tuple]:
    """09/TT-BKHCN is 09/2024/TT-BKHCN with its year lost, when that is the only such circular cited.

    Moves the counts of such groups into their full group; returns {folded: full}.
    """
    with_year: dict[tuple, list[tuple]] = defaultdict(list)
    for ident, group in groups.items():
        parts = parse_code(group.first_code or "") if ident[0] == "code" else None
        if parts and parts.year and parts.type_code in NORMATIVE_TYPES:
            with_year[(parts.number.lstrip("0"), parts.type_code, parts.issuer_code, ident[2])].append(ident)
    folded = {}
    for ident in list(groups):
        parts = parse_code(groups[ident].first_code or "") if ident[0] == "code" else None
        if parts and not parts.year and parts.type_code in NORMATIVE_TYPES:
            targets = with_year.get((parts.number.lstrip("0"), parts.type_code, parts.issuer_code, ident[2]), [])
            if len(targets) == 1:
                into = groups[targets[0]].years
                for year, (n, possible) in groups.pop(ident).years.items():
                    counts = into.setdefault(year, [0, 0])
                    counts[0] += n
                    counts[1] += possible
                folded[ident] = targets[0]
    return folded


def _split_by_year(kind: str, key: str, scope: str, years_seen: dict[int | None, list[int]]) -> tuple[list[Entry], dict[int | None, Entry]]:
    """The entries of one code, and year -> entry: administrative numbers restart every year."""
    years = [y for y in years_seen if y is not None]
    # a year seen only in impossible citations (dated after their report, or issued after they
    # took effect) is a wrong date, not a document of its own
    real = [y for y in years if years_seen[y][1] > 0]
    keep = real or years
    if not keep:
        entry = Entry(kind, key, scope, None)
        return [entry], {y: entry for y in years_seen}
    entries = {y: Entry(kind, key, scope, y if len(keep) > 1 else None) for y in keep}
    biggest = entries[max(keep, key=lambda y: years_seen[y][0])]
    return list(entries.values()), {y: entries.get(y, biggest) for y in years_seen}


def _impossible(ref: Citation, reports: dict[str, ReportFacts]) -> bool:
    report = reports.get(ref.doc_id)
    date = ref.issued_date
    if not date:
        return False
    if report and report.report_date and date > report.report_date:
        return True
    return ref.in_force_date is not None and ref.in_force_date < date


# --- rows ------------------------------------------------------------------------------


def registry_row(entry: Entry, tally: Tally, reports: dict[str, ReportFacts], in_nq57_family: bool) -> dict:
    """The cited_documents row of one cited document."""
    code = _most(tally.codes)
    if entry.kind == "law":
        code = code or "Luật " + _most(tally.names)
    parts = parse_code(code) if entry.kind == "code" and code else None
    dates = tally.dates
    known = known_date(code) if code else None
    citing = sorted(tally.citing)
    report_dates = [reports[d].report_date for d in citing if d in reports and reports[d].report_date]
    return {
        "doc_key": entry.doc_key,
        "code": code,
        "cite_kind": entry.kind,
        "doc_type": (type_of(parts) if parts else None) or _most(tally.doc_types),
        "type_code": parts.type_code if parts else None,
        "number": parts.number if parts else _most(tally.numbers),
        "year": (parts.year if parts and parts.year else None) or entry.year or _year_from(known, dates),
        "issuer_code": parts.issuer_code if parts else None,
        "issuer": _most(tally.issuers_stated) or _most(tally.issuers),
        "province": entry.scope if entry.scope and not entry.scope.startswith("report:") else None,
        "issued_date": known or consensus_date(dates, tally.reports_by_date),
        "known_date": known,
        "date_variants": [{"date": d, "mentions": n} for d, n in sorted(dates.items())],
        "subject": tally.subject or None,
        "mentions": tally.mentions,
        "reports": len(citing),
        "citing_doc_ids": citing,
        "first_report_date": min(report_dates) if report_dates else None,
        "last_report_date": max(report_dates) if report_dates else None,
        "nq57_family": in_nq57_family,
    }


def _most(counts: Counter):
    """The value counted most; between equals, the one seen first."""
    return counts.most_common(1)[0][0] if counts else None


def _year_from(known: dt.date | None, dates: Counter) -> int | None:
    if known:
        return known.year
    return dates.most_common(1)[0][0].year if dates else None


def consensus_date(dates: Counter, reports_by_date: dict[dt.date, set[str]]) -> dt.date | None:
    """The date cited most; between equals, the one cited by more reports, then the earliest."""
    if not dates:
        return None
    return min(dates, key=lambda d: (-dates[d], -len(reports_by_date.get(d, ())), d))


def known_date(code: str) -> dt.date | None:
    doc = known_document(code)
    return getattr(doc, "issued_date", None) if doc else None


# --- the archive's own documents -------------------------------------------------------


@dataclass(slots=True)
class Archive:
    """The corpus's documents by their own code: which cited document each one is."""

    by_code: dict[str, list[ReportFacts]]

    @classmethod
    def of(cls, reports: dict[str, ReportFacts]) -> Archive:
        by_code: dict[str, list[ReportFacts]] = defaultdict(list)
        for report in sorted(reports.values(), key=lambda r: r.doc_id):
            if report.own_code:
                by_code[_archive_key(report.own_code)].append(report)
        return cls(by_code)

    def mark(self, row: dict, entry: Entry) -> dict:
        """Set the registry row's `held_by_doc_id`: the first corpus document (by doc_id) that is the cited one."""
        code = row["code"] if entry.kind != "standard" else None
        candidates = self.by_code.get(_archive_key(code), ()) if code and parse_code(code) else ()
        row["held_by_doc_id"] = next((r.doc_id for r in candidates if holds(r, row, entry.scope)), None)
        return row


def _archive_key(code: str) -> str:
    """Codes compared as the registry compares them, case aside: a document cited as 28/2021/QĐ-TTG is 28/2021/QĐ-TTg."""
    return compare_key(code).casefold()


def holds(doc: ReportFacts, row: dict, scope: str) -> bool:
    """Is this corpus document (whose own code is the row's) the cited document?

    Its date must be one the document is cited with, or, where no date settles
    it, its issuing body the one the citations name. Never another year's (the
    numbers restart every year), nor, for a local body's code, another
    province's (198/KH-UBND of Đắk Nông is not that of Bình Dương).
    """
    date = doc.report_date
    if row["year"] and date and date.year != row["year"]:
        return False
    if scope and not scope.startswith("report:"):
        places = {after_merger(p) or p for p in (doc.province, doc.province_as_written) if p}
        if places and (after_merger(scope) or scope) not in places:
            return False
    dates = {v["date"] for v in row["date_variants"] or ()} | ({row["issued_date"]} if row["issued_date"] else set())
    if date and dates:
        return date in dates
    issuer, agency = row["issuer"], doc.issuing_agency
    return bool(issuer and agency and gazetteer.fold(issuer) == gazetteer.fold(agency))


# --- graph -----------------------------------------------------------------------------


def edges_of(refs: list[Citation]) -> list[dict]:
    """report -> cited for every citation; cited -> cited where the sentence states the relation."""
    by_start = {(r.doc_id, r.start): r for r in refs}
    edges = []
    for ref in refs:
        if not ref.doc_key:
            continue
        target_code = ref.cited_code or ref.surface
        head = by_start.get((ref.doc_id, ref.head_start)) if ref.head_start is not None else None
        edges.append(_edge("report", ref.doc_id, None, ref, target_code, "mentions" if head is not None else ref.relation, ref.start))
        if head is not None and head.doc_key and head.doc_key != ref.doc_key:
            edges.append(_edge("document", head.doc_key, head.cited_code, ref, target_code, ref.relation, head.start))
    return edges


def _edge(source_kind: str, source: str, source_code: str | None, ref: Citation, target_code: str, relation: str, start: int) -> dict:
    return {
        "source_kind": source_kind, "source": source, "source_code": source_code, "target": ref.doc_key,
        "target_code": target_code, "relation": relation, "doc_id": ref.doc_id, "start": start, "end": ref.end,
        "evidence": ref.sentence, "origin": "text",
    }


def gazetteer_edges(entries: list[Entry]) -> list[dict]:
    """Known facts (gazetteer/data/known_documents.csv) between documents the corpus cites: 02-KH/BCĐTW implements 57-NQ/TW."""
    by_key: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.kind == "code" and not e.scope:  # central documents only: known documents are central
            by_key[e.key].append(e)
    edges = []
    for source_key, sources in by_key.items():
        known = known_document(sources[0].first_code or "")
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


def family_links(edges: list[dict]) -> list[tuple[str, str]]:
    """(source, target) of the edges that make a document part of its target's family (implements, amends...)."""
    return [(e["source"], e["target"]) for e in edges if e["source_kind"] == "document" and e["relation"] in FAMILY_RELATIONS]


def nq57_family(links: Iterable[tuple[str, str]], entries: list[Entry]) -> set[str]:
    """57-NQ/TW and every document that implements it, directly or through others."""
    roots = {e.doc_key for e in entries if e.kind == "code" and e.key == NQ57}
    implementers: dict[str, set[str]] = defaultdict(set)
    for source, target in links:
        implementers[target].add(source)
    family, todo = set(roots), list(roots)
    while todo:
        for source in implementers.get(todo.pop(), ()):
            if source not in family:
                family.add(source)
                todo.append(source)
    return family

