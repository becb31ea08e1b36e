"""Where each finding, and each place it is checked against, stands: file, page, line, quote, origin.

A finding is worth only what an auditor can check. The rules give a span in a
report's text; this pass reads the text and blocks of the reports concerned
(one report at a time, never the corpus) and adds `source_path`,
`page`, `line` (1 + the newlines of documents.text before the span), the quote
when the rule had none (the span's line), and `origin`: `ocr` when the span's
block was read from a scan, `repaired` when the ingest put the code or date
back together, else `text`. It also notes, for weigh.py, what the text around
the span is: a heading in capitals, a web link, a blank form.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.corpus.fanout import fan_out
from pipeline.store.schema import TABLES
from pipeline.store.tables import report_units, scan, unit_slices

QUOTE_CHARS = 300  # a quote taken from the text (when the rule has no sentence): this much around the span
OCR_CONF = "ocr_conf"  # a block's OCR confidence, where the ingest records one


@dataclass(frozen=True, slots=True)
class Spot:
    """What the text says around a span."""

    page: int | None
    line: int
    kind: str | None  # the block's kind: heading, body, table_cell, ...
    ocr: bool
    ocr_conf: float | None  # 0-1
    line_text: str  # the span's line, cut to QUOTE_CHARS around it
    token: str  # the whitespace-delimited run of text the span stands in (a link shows there)


@dataclass(slots=True)
class Report:
    source_path: str
    text: str
    block_starts: list[int]
    blocks: pa.Table  # the report's blocks, in text order: a row is made a dict only when a span falls in it

    def spot(self, start: int, end: int) -> Spot:
        # the newlines before the span, counted in place: a list of every newline of every report
        # located cost more than the few spans of each report ask
        line = self.text.count("\n", 0, start) + 1
        i = bisect.bisect_right(self.block_starts, start) - 1
        block = self.blocks.slice(i, 1).to_pylist()[0] if i >= 0 else {}
        block = block if block and start < block["end"] else {}
        conf = block.get(OCR_CONF)
        return Spot(
            page=block.get("page"), line=line, kind=block.get("kind"), ocr=bool(block.get("ocr")),
            ocr_conf=(conf / 100 if conf and conf > 1 else conf), line_text=self._line(start, end), token=self._token(start, end),
        )

    def _line(self, start: int, end: int) -> str:
        begin = self.text.rfind("\n", 0, start) + 1
        stop = self.text.find("\n", end)
        stop = len(self.text) if stop < 0 else stop
        begin, stop = max(begin, start - QUOTE_CHARS // 2), min(stop, end + QUOTE_CHARS // 2)
        return self.text[begin:stop]

    def _token(self, start: int, end: int) -> str:
        begin = max(self.text.rfind(" ", 0, start), self.text.rfind("\n", 0, start)) + 1
        stops = [i for i in (self.text.find(" ", end), self.text.find("\n", end)) if i >= 0]
        return self.text[begin : min(stops) if stops else len(self.text)]


def locate(staging: Path, findings: list[dict], processes: int = 1) -> list[dict]:
    """The findings with source_path, page, line, quote and origin (and `_spot` for weigh.py), in place.

    The reports are read a unit of the documents table at a time, the units dealt out to `processes`
    (pipeline.corpus.fanout): what a unit's reports say of each span comes back and is set here.
    """
    at: dict[str, tuple[list[int], list[tuple[int, int]]]] = {}  # doc_id -> (its findings, evidence placed in it)
    for i, f in enumerate(findings):
        at.setdefault(f["doc_id"], ([], []))[0].append(i)
        for j, e in enumerate(f["evidence"]):
            if e["doc_id"]:
                at.setdefault(e["doc_id"], ([], []))[1].append((i, j))
    ids = pa.array(sorted(at), pa.string())
    blocks = _Blocks.of(staging, ids)  # read once, before the deal: every process sees it

    def place(unit: list[Path]) -> list[tuple[int, int | None, dict]]:
        placed = []  # (finding, its evidence or None, what to set)
        for doc_id, report in _reports(unit, ids, blocks):
            mine, evidence = at[doc_id]
            placed.extend((i, None, _place(findings[i], report)) for i in mine)
            placed.extend((i, j, _place_evidence(findings[i]["evidence"][j], report)) for i, j in evidence)
        return placed

    for placed in fan_out(place, report_units(staging / "documents") if at else [], processes):
        for i, j, fields in placed:
            (findings[i] if j is None else findings[i]["evidence"][j]).update(fields)
    for f in findings:
        f.setdefault("source_path", f["doc_id"] or "?")
        f.setdefault("_spot", None)
        f["quote"] = f["quote"] or f["message"]
        f["origin"] = "ocr" if f["_spot"] and f["_spot"].ocr else "repaired" if f["_repair"] else "text"
    return findings


def _place(f: dict, report: Report) -> dict:
    spot = report.spot(f["start"], f["end"])
    return {"source_path": report.source_path, "page": spot.page, "line": spot.line,
            "surface": report.text[f["start"] : f["end"]], "_spot": spot, "quote": f["quote"] or spot.line_text}


def _place_evidence(e: dict, report: Report) -> dict:
    spot = report.spot(e["start"], e["end"])
    return {"source_path": report.source_path, "page": spot.page, "line": spot.line, "quote": e["quote"] or spot.line_text}


@dataclass(slots=True)
class _Blocks:
    """The blocks of the reports with findings (a few small columns, as Arrow data), each report's rows together."""

    table: pa.Table
    ranges: dict[str, tuple[int, int]]  # doc_id -> its rows

    @classmethod
    def of(cls, staging: Path, ids: pa.Array) -> _Blocks:
        # one pass over the blocks for every report (a pass per batch of reports grew with the square of the corpus)
        columns = ["doc_id", "start", "end", "page", "kind", "ocr"] + ([OCR_CONF] if OCR_CONF in TABLES["blocks"].names else [])
        table = _of_reports(staging, "blocks", columns, ids).sort_by([("doc_id", "ascending"), ("start", "ascending")])
        return cls(table, _ranges(table.column("doc_id").to_pylist()))

    def of_report(self, doc_id: str) -> pa.Table:
        lo, hi = self.ranges.get(doc_id, (0, 0))
        return self.table.slice(lo, hi - lo)


def _reports(unit: list[Path], ids: pa.Array, blocks: _Blocks) -> Iterator[tuple[str, Report]]:
    """The text and blocks of the reports `ids` names in one unit of the documents table, one report at a time
    (the texts are read a slice at a time, each report made when its text comes)."""
    for table in unit_slices(unit, "documents", ["doc_id", "source_path", "text"]):
        for d in table.filter(pc.is_in(table.column("doc_id"), value_set=ids)).to_pylist():
            own = blocks.of_report(d["doc_id"])
            yield d["doc_id"], Report(d["source_path"], d["text"], own.column("start").to_pylist(), own)


def _of_reports(staging: Path, name: str, columns: list[str], ids: pa.Array) -> pa.Table:
    """Some columns of a table's rows of these reports (read a slice at a time, kept as Arrow data)."""
    kept = [t.filter(pc.is_in(t.column("doc_id"), value_set=ids)) for t in scan(staging, name, columns)]
    return pa.concat_tables(kept) if kept else TABLES[name].schema.empty_table().select(columns)


def _ranges(ids: list[str]) -> dict[str, tuple[int, int]]:
    """doc_id -> (first row, row after its last) in a list where each report's rows stand together."""
    out: dict[str, tuple[int, int]] = {}
    begin = 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[begin]:
            out[ids[begin]] = (begin, i)
            begin = i
    return out
