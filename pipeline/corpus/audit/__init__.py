"""The citation audit: rules over resolved citations, quantities and the registry -> `findings`.

A rule is one module in pipeline/corpus/audit/rules/ with one function
`check(rows, context) -> findings` registered with `@rule(name, table)`;
`table` says which rows it reads (citations or quantities), a slice of reports
at a time, with the `Context` of the slice. A rule that needs a fact of the
whole corpus (which issuer codes are in use, under which codes a number and
date are cited) names an `index`: a class whose `build(staging, registry)`
scans the staged tables once, before the rules run. Adding a rule is adding
its module (and its case table, tests/cases/audit/<rule>.yaml).

Each finding has a severity (`error`: the citation is wrong on its face;
`warning`: probably wrong, a reader should check; `info`: a note, or a
candidate the text cannot carry, set aside with the reason in `caveat`), a
message a reader understands, and its `evidence`. After the rules, every
finding is located (file, page, line, quote, origin: locate.py) and weighed
(confidence, set aside when it rests on OCR, a repair, a link or a blank form:
weigh.py).
"""
from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.corpus.fanout import fan_out
from pipeline.corpus.records import Citation, CitedFacts, Figure, ReportFacts, columns_of, few_collections, records
from pipeline.store.schema import TABLES
from pipeline.store.tables import PartWriter, read_table, report_units, unit_slices

SEVERITIES = ("error", "warning", "info")


class Index(Protocol):
    """A corpus-wide fact a rule needs, built once before the rules run."""

    @classmethod
    def build(cls, staging: Path, registry: pa.Table) -> Index: ...


@dataclass(slots=True)
class Context:
    """What a rule may consult beside its rows."""

    reports: dict[str, ReportFacts]
    registry: dict[str, CitedFacts]  # the cited documents of the slice's citations
    today: dt.date
    indexes: dict[str, Any] = field(default_factory=dict)  # rule name -> its Index

    def index(self, rule: str) -> Any:
        return self.indexes.get(rule)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    table: str  # "references" or "quantities"
    check: Callable[[list, Context], list[dict]]
    index: type | None = None
    # the rows of a slice it may flag, chosen as Arrow data before records are made (None: every row)
    select: Callable[[pa.Table], pa.Table] | None = None


RULES: list[Rule] = []
_RECORDS = {"references": Citation, "quantities": Figure}
# fields no rule (nor `finding`) reads: their columns are not read, the fields keep their defaults.
# A rule that comes to read one must take it out of here.
_UNREAD = {
    "references": {"head_start", "number", "page", "resolved_by", "subject"},
    "quantities": {"compared_to", "measure", "page", "role"},
}


@cache
def registered() -> tuple[Rule, ...]:
    """Every rule: the modules of pipeline/corpus/audit/rules register theirs when imported (in name order)."""
    package = importlib.import_module(f"{__name__}.rules")  # the package, not this function
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{package.__name__}.{info.name}")
    return tuple(RULES)


def rule(name: str, table: str = "references", index: type | None = None, select: Callable[[pa.Table], pa.Table] | None = None):
    """Register a rule (with the corpus-wide index it reads, and the rows it may flag, if it says)."""

    def register(check: Callable[[list, Context], list[dict]]):
        RULES.append(Rule(name, table, check, index, select))
        return check

    return register


@dataclass(frozen=True, slots=True)
class Place:
    """Another place a finding is checked against: a citation elsewhere, or a gazetteer fact."""

    doc_id: str | None  # None for a gazetteer fact
    start: int | None
    end: int | None
    quote: str | None  # the sentence there, or the fact as the gazetteer states it
    note: str  # what this place says (`cited 19/06/2025`, `known document`)
    source_path: str | None = None  # for gazetteer facts: its file under gazetteer/data
    line: int | None = None  # for gazetteer facts: its line in that file

    def row(self) -> dict:
        return {"doc_id": self.doc_id, "source_path": self.source_path, "page": None, "line": self.line,
                "start": self.start, "end": self.end, "quote": self.quote, "note": self.note}


def finding(
    row: Citation | Figure, rule: str, severity: str, found: str | None, expected: str | None, message: str,
    *, evidence: list[Place] = (), confidence: float = 1.0,
) -> dict:
    """A finding on a row: where it is, what the text says and should say, and what it is checked against.

    `confidence` is the rule's own certainty that the text is wrong, before
    weigh.py looks at where the text came from.
    """
    cite = isinstance(row, Citation)
    return {
        "doc_id": row.doc_id,
        "start": row.start,
        "end": row.end,
        "rule": rule,
        "severity": severity,
        "code": row.cited_code if cite else None,
        "found": found,
        "expected": expected,
        "message": message,
        "quote": row.sentence,
        "evidence": [p.row() for p in evidence],
        "confidence": confidence,
        # what weigh.py needs of the row: did the ingest put the code or date back together?
        "_repair": (row.repair_reason or "repaired") if cite and row.repaired else None,
    }


@few_collections
def stage(staging: Path, processes: int = 1) -> None:
    from pipeline.corpus.audit.locate import locate
    from pipeline.corpus.audit.weigh import weigh
    from pipeline.corpus.cited import read_reports

    reports = read_reports(staging)
    registry = read_table(staging, "cited_documents", columns_of(CitedFacts))  # Arrow: compact, looked up slice by slice
    indexes = {r.name: r.index.build(staging, registry) for r in registered() if r.index is not None}
    context = Context(reports, {}, dt.date.today(), indexes)
    found: list[dict] = []
    for table in ("references", "quantities"):
        checks = [r for r in registered() if r.table == table]
        columns = [c for c in columns_of(_RECORDS[table]) if c not in _UNREAD[table]]

        def check_unit(unit: list[Path], table: str = table, checks: list[Rule] = checks, columns: list[str] = columns) -> list[dict]:
            found_here: list[dict] = []
            for piece in unit_slices(unit, table, columns):
                if table == "references":
                    keys = pc.unique(piece.column("doc_key").drop_null())
                    cited = registry.filter(pc.is_in(registry.column("doc_key"), keys))
                    context.registry = {c.doc_key: c for c in records(cited, CitedFacts)}
                found_here.extend(_check(piece, checks, _RECORDS[table], context))
            return found_here

        # unit by unit: the rules see one slice and the indexes built above, nothing another slice changes
        for found_in_unit in fan_out(check_unit, report_units(staging / table) if checks else [], processes):
            found.extend(found_in_unit)
    findings = weigh(locate(staging, found, processes))
    with PartWriter(staging, "findings") as writer:
        writer.write(in_order(pa.Table.from_pylist(findings, schema=TABLES["findings"].schema)))


def _check(piece: pa.Table, checks: list[Rule], cls: type, context: Context) -> list[dict]:
    """The findings of these rules on a slice. A rule that says which rows it may flag gets records of
    those only (most figures are in sentences no rule over them can flag); the others share records
    of every row, made once."""
    found: list[dict] = []
    every: list | None = None
    for r in checks:
        if r.select is not None:
            rows = records(r.select(piece), cls)
        else:
            every = records(piece, cls) if every is None else every
            rows = every
        found.extend(r.check(rows, context))
    return found


def in_order(findings: pa.Table) -> pa.Table:
    """Errors first, then warnings, then notes; each by report and place."""
    rank = pc.index_in(findings.column("severity"), pa.array(SEVERITIES))
    ordered = findings.append_column("_rank", rank).sort_by(
        [("_rank", "ascending"), ("doc_id", "ascending"), ("start", "ascending"), ("rule", "ascending")]
    )
    return ordered.drop_columns(["_rank"])
