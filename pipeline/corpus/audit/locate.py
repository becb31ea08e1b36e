"""Where each finding, and each place it is checked against, stands: file, page, line, quote, origin.

A finding is worth only what an auditor can check. The rules give a span in a
report's text; this pass reads the text and blocks of the reports concerned
(a batch of reports at a time, never the corpus) and adds `source_path`,
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
import regex as re

from pipeline.store.schema import TABLES
from pipeline.store.tables import scan

REPORTS_PER_BATCH = 64  # texts held at once while locating, with their blocks as dicts
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
    newlines: list[int]
    block_starts: list[int]
    blocks: list[dict]

    def spot(self, start: int, end: int) -> Spot:
        line = bisect.bisect_left(self.newlines, start) + 1
        i = bisect.bisect_right(self.block_starts, start) - 1
        block = self.blocks[i] if i >= 0 and start < self.blocks[i]["end"] else {}
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


def locate(staging: Path, findings: list[dict]) -> list[dict]:
    """The findings with source_path, page, line, quote and origin (and `_spot` for weigh.py), in place."""
    wanted = sorted({f["doc_id"] for f in findings} | {e["doc_id"] for f in findings for e in f["evidence"] if e["doc_id"]})
    for batch in (wanted[i : i + REPORTS_PER_BATCH] for i in range(0, len(wanted), REPORTS_PER_BATCH)):
        reports = dict(_reports(staging, batch))
        for f in findings:
            report = reports.get(f["doc_id"])
            if report is not None:
                _place(f, report)
            for e in f["evidence"]:
                if e["doc_id"] in reports:
                    _place_evidence(e, reports[e["doc_id"]])
    for f in findings:
        f.setdefault("source_path", f["doc_id"] or "?")
        f.setdefault("_spot", None)
        f["quote"] = f["quote"] or f["message"]
        f["origin"] = "ocr" if f["_spot"] and f["_spot"].ocr else "repaired" if f["_repair"] else "text"
    return findings


def _place(f: dict, report: Report) -> None:
    spot = report.spot(f["start"], f["end"])
    f.update(source_path=report.source_path, page=spot.page, line=spot.line, surface=report.text[f["start"] : f["end"]], _spot=spot)
    f["quote"] = f["quote"] or spot.line_text


def _place_evidence(e: dict, report: Report) -> None:
    spot = report.spot(e["start"], e["end"])
    e.update(source_path=report.source_path, page=spot.page, line=spot.line)
    e["quote"] = e["quote"] or spot.line_text


def _reports(staging: Path, doc_ids: list[str]) -> Iterator[tuple[str, Report]]:
    """The text and blocks of some reports of the staged dataset."""
    block_columns = ["doc_id", "start", "end", "page", "kind", "ocr"] + ([OCR_CONF] if OCR_CONF in TABLES["blocks"].names else [])
    blocks_of: dict[str, list[dict]] = {}
    for b in _rows(staging, "blocks", block_columns, doc_ids):
        blocks_of.setdefault(b["doc_id"], []).append(b)
    for d in _rows(staging, "documents", ["doc_id", "source_path", "text"], doc_ids):
        text = d["text"]
        blocks = sorted(blocks_of.get(d["doc_id"], []), key=lambda b: b["start"])
        newlines = [m.start() for m in re.finditer("\n", text)]
        yield d["doc_id"], Report(d["source_path"], text, newlines, [b["start"] for b in blocks], blocks)


def _rows(staging: Path, name: str, columns: list[str], doc_ids: list[str]) -> Iterator[dict]:
    """The rows of these reports, the table read a slice at a time (a filtered dataset read ahead
    most of the corpus's texts: 60 MB more at 500 reports)."""
    ids = pa.array(doc_ids, pa.string())
    for table in scan(staging, name, columns):
        yield from table.filter(pc.is_in(table.column("doc_id"), value_set=ids)).to_pylist()
