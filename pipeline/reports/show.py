"""One report, readable with everything baocao found in it: `baocao show REPORT [--html FILE]`.

The document's text (documents.text), line by line with the line numbers
findings give, with its citations, quantities, agencies and findings marked
where they stand. Each mark carries its parsed fields; a citation carries its
registry entry (consensus date, date variants, the gazetteer's facts) and links
to the other reports citing the same document; a finding its message, evidence
and caveat. In the terminal, notes follow each line; in HTML (one offline page,
no script), notes stand beside each line and every mark shows its fields on
hover. Report pages are named `report-<doc_id>.html`, so pages written into one
folder (`baocao audit --html` writes every report's beside its page) link to
each other.
"""
from __future__ import annotations

import bisect
import html
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import regex as re
from rich.console import Console
from rich.text import Text

from pipeline.store.tables import read_table

KINDS = ("finding", "citation", "quantity", "agency")  # drawn in this order of precedence
_DOC_COLUMNS = ["doc_id", "source_path", "text", "title", "doc_type", "own_code", "report_date", "province",
                "issuing_agency", "source_format", "n_pages", "ocr_pages"]


@dataclass(slots=True)
class Mark:
    kind: str  # finding, citation, quantity, agency
    start: int
    end: int
    label: str  # a short name: the code, the value, the body
    fields: dict[str, object]  # what was parsed, shown on hover and in notes
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, href): other reports citing it, evidence
    severity: str | None = None

    @property
    def anchor(self) -> str:
        return f"{self.kind[0]}-{self.start}"


@dataclass(slots=True)
class ReportView:
    doc: dict
    marks: list[Mark]
    pages: dict[int, int]  # line -> page, for the lines that start a page

    @property
    def lines(self) -> list[str]:
        return self.doc["text"].split("\n")


def page_name(doc_id: str) -> str:
    return f"report-{doc_id}.html"


def find_report(dataset: Path, wanted: str) -> tuple[str | None, list[str]]:
    """The doc_id of the report a user names (doc_id, path, file name or a unique part of it), or the candidates."""
    docs = read_table(dataset, "documents", ["doc_id", "source_path"]).to_pylist()
    for test in (lambda d: d["doc_id"] == wanted or d["source_path"] == wanted,
                 lambda d: Path(d["source_path"]).name == wanted,
                 lambda d: wanted in d["source_path"]):
        hits = [d for d in docs if test(d)]
        if len(hits) == 1:
            return hits[0]["doc_id"], []
        if hits:
            return None, sorted(d["source_path"] for d in hits)
    return None, []


def load_view(dataset: Path, doc_id: str) -> ReportView:
    """Everything one report's page shows, read for that report alone (and the registry entries of what it cites)."""
    here = pc.field("doc_id") == doc_id
    doc = read_table(dataset, "documents", _DOC_COLUMNS, here).to_pylist()[0]
    refs = read_table(dataset, "references", None, here).to_pylist()
    keys = sorted({r["doc_key"] for r in refs if r["doc_key"]})
    cited = read_table(dataset, "cited_documents", None, pc.field("doc_key").isin(pa.array(keys, pa.string())))
    registry = {d["doc_key"]: d for d in cited.to_pylist()}
    elsewhere = _elsewhere(dataset, doc_id, keys)
    marks = [_citation(r, registry.get(r["doc_key"]), elsewhere.get(r["doc_key"], [])) for r in refs]
    marks += [_quantity(q) for q in read_table(dataset, "quantities", None, here).to_pylist()]
    marks += [_agency(a) for a in read_table(dataset, "agencies", None, here).to_pylist()]
    marks += [_finding(f) for f in read_table(dataset, "findings", None, here).to_pylist()]
    pages: dict[int, int] = {}
    line_of = _line_index(doc["text"])
    for b in read_table(dataset, "blocks", ["start", "page"], here).to_pylist():
        if b["page"] is not None:
            pages.setdefault(line_of(b["start"]), b["page"])
    return ReportView(doc, sorted(marks, key=lambda m: (m.start, KINDS.index(m.kind))), pages)


def _line_index(text: str):
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return lambda offset: bisect.bisect_right(starts, offset)


def _elsewhere(dataset: Path, doc_id: str, keys: list[str]) -> dict[str, list[dict]]:
    """The citations of the same documents in other reports, with their report's path."""
    if not keys:
        return {}
    rows = read_table(dataset, "references", ["doc_id", "start", "doc_key", "page", "surface"],
                      pc.field("doc_key").isin(pa.array(keys, pa.string())) & (pc.field("doc_id") != doc_id)).to_pylist()
    paths = {d["doc_id"]: d["source_path"] for d in read_table(dataset, "documents", ["doc_id", "source_path"]).to_pylist()}
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["doc_key"]].append(r | {"source_path": paths.get(r["doc_id"], r["doc_id"])})
    return out


def _citation(r: dict, entry: dict | None, elsewhere: list[dict]) -> Mark:
    fields = {k: r.get(k) for k in ("doc_type", "code", "resolved_code", "issued_date", "issuer", "issuer_canonical",
                                     "subject", "relation", "resolved_by", "repair_reason")}
    if entry:
        variants = ", ".join(f"{v['date']:%d/%m/%Y} ×{v['mentions']}" for v in entry["date_variants"] or [])
        fields |= {"registry date": entry["issued_date"], "dates cited": variants, "known date (gazetteer)": entry["known_date"],
                   "cited in reports": entry["reports"], "57-NQ/TW family": entry["nq57_family"] or None}
    by_report: dict[str, list[dict]] = defaultdict(list)
    for o in sorted(elsewhere, key=lambda o: (o["source_path"], o["start"])):
        by_report[o["doc_id"]].append(o)
    links = [  # one link per report, to its first citation of the document
        (Path(os[0]["source_path"]).name + (f" p. {os[0]['page']}" if os[0]["page"] else "") + (f" ({len(os)}×)" if len(os) > 1 else ""),
         f"{page_name(doc)}#c-{os[0]['start']}")
        for doc, os in by_report.items()
    ]
    return Mark("citation", r["start"], r["end"], r["code"] or r["resolved_code"] or r["surface"], fields, links)


def _quantity(q: dict) -> Mark:
    fields = {k: q.get(k) for k in ("kind", "value", "total", "unit", "measure", "role", "compared_to", "period", "indicator")}
    return Mark("quantity", q["start"], q["end"], q["surface"], fields)


def _agency(a: dict) -> Mark:
    return Mark("agency", a["start"], a["end"], a["canonical"], {k: a.get(k) for k in ("canonical", "level", "province", "kind")})


def _finding(f: dict) -> Mark:
    fields = {"rule": f["rule"], "message": f["message"], "found": f["found"], "expected": f["expected"],
              "confidence": f["confidence"], "origin": f["origin"], "caveat": f["caveat"]}
    links = [(_where(e), (f"{page_name(e['doc_id'])}#c-{e['start']}" if e["doc_id"] else "")) for e in f["evidence"] or []]
    return Mark("finding", f["start"], f["end"], f["rule"], fields, links, f["severity"])


def _where(e: dict) -> str:
    place = Path(e["source_path"] or "?").name if e["doc_id"] else (e["source_path"] or "")
    place += f":{e['line']}" if e["line"] else ""
    place += f" p. {e['page']}" if e["page"] else ""
    return f"{place} ({e['note']})" if e["note"] else place


def shown(value: object) -> str:
    if value is None or value == "":
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe(mark: Mark) -> str:
    """The mark's fields as one line of text (hover, terminal notes)."""
    return "; ".join(f"{k}: {shown(v)}" for k, v in mark.fields.items() if shown(v))


# --- the page's lines, cut into segments by the marks over them ------------------------------------


def line_segments(view: ReportView) -> list[tuple[int, int, list[tuple[int, int, list[Mark]]], list[Mark]]]:
    """For each line: (number, start offset, [(start, end, marks over it)], marks starting on it)."""
    out, offset, marks, first = [], 0, view.marks, 0
    for number, line in enumerate(view.lines, start=1):
        end = offset + len(line)
        while first < len(marks) and marks[first].end <= offset:
            first += 1
        over = []
        for m in marks[first:]:  # sorted by start: the marks of this line, and a few long ones from before
            if m.start > end:
                break
            if m.end > offset:
                over.append(m)
        cuts = sorted({offset, end, *(max(offset, min(end, p)) for m in over for p in (m.start, m.end))})
        segments = [(a, b, [m for m in over if m.start < b and m.end > a]) for a, b in zip(cuts, cuts[1:]) if b > a]
        out.append((number, offset, segments or [(offset, end, [])], [m for m in over if offset <= m.start <= end]))
        offset = end + 1
    return out


# --- terminal -------------------------------------------------------------------------------------

STYLES = {"finding": "bold white on red", "citation": "bold cyan", "quantity": "green", "agency": "magenta"}


def print_view(view: ReportView, console: Console, kinds: tuple[str, ...] = KINDS) -> None:
    d = view.doc
    console.rule(Text(d["source_path"]))
    head = " · ".join(shown(v) for v in (d["doc_type"], d["own_code"], d["report_date"], d["province"], d["title"]) if shown(v))
    console.print(Text(head, style="bold"))
    console.print(Text("citations ", style=STYLES["citation"]) + Text("quantities ", style=STYLES["quantity"])
                  + Text("agencies ", style=STYLES["agency"]) + Text("findings", style=STYLES["finding"]))
    for number, _, segments, starting in line_segments(view):
        if number in view.pages:
            console.print(Text(f"— page {view.pages[number]} —", style="dim"))
        text = Text(f"{number:>5} ", style="dim")
        for a, b, over in segments:
            style = next((STYLES[m.kind] for m in sorted(over, key=lambda m: KINDS.index(m.kind)) if m.kind in kinds), None)
            text.append(d["text"][a:b], style=style)
        console.print(text)
        for m in starting:
            if m.kind in ("finding", "citation") and m.kind in kinds:
                console.print(_note(m))


def _note(m: Mark) -> Text:
    if m.kind == "finding":
        note = Text(f"      ! {m.severity} {m.label}: ", style="red") + Text(str(m.fields["message"]))
        for text, _ in m.links:
            note.append(f"\n        checked against {text}", style="dim")
        if m.fields["caveat"]:
            note.append(f"\n        caveat: {m.fields['caveat']}", style="dim")
        return note
    note = Text(f"      ↳ {m.label}: ", style="cyan") + Text(brief(m), style="dim")
    if m.links:
        note.append(f"\n        also cited in {len(m.links)} other report(s): " + ", ".join(t for t, _ in m.links[:5]), style="dim")
    return note


# --- HTML -------------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:0;color:#1d2327;background:#f6f7f9;font-size:15px}
header{background:#12355b;color:#fff;padding:1rem 2rem}header h1{margin:0 0 .3rem;font-size:1.3rem;word-break:break-all}
header a{color:#cfe3ff}.meta{opacity:.9}.legend{padding:.6rem 2rem;background:#fff;border-bottom:1px solid #dde2e8;position:sticky;top:0;z-index:2}
.legend label{margin-right:1.2rem;cursor:pointer}main{padding:.5rem 2rem 3rem}
.row{display:grid;grid-template-columns:3.2rem minmax(0,1fr) minmax(16rem,26rem);gap:.8rem;padding:.15rem 0;border-bottom:1px solid #eef0f3}
.no{color:#8a94a0;text-align:right;font-variant-numeric:tabular-nums;user-select:none}.text{white-space:pre-wrap;line-height:1.55}
.notes{font-size:.85rem;color:#37424d}.note{background:#fff;border-left:3px solid #7aa7d8;padding:.2rem .45rem;margin:.15rem 0;border-radius:3px}
.note.finding{border-left-color:#c62828;background:#fff5f5}.note b{color:#12355b}.note a{color:#0b57d0}
.page{color:#8a94a0;font-size:.85rem;padding:.4rem 0;text-align:center}
.citation{color:#0b4f9c;border-bottom:2px solid #4a8fdb}.quantity{background:#e3f4e1}.agency{border-bottom:2px dotted #8e44ad}
.finding{background:#ffd5d2;outline:1px solid #c62828}.sev{font-weight:600;padding:0 .35rem;border-radius:3px;color:#fff;font-size:.8rem}
.error{background:#c62828}.warning{background:#ef8f00}.info{background:#1565c0}:target{box-shadow:0 0 0 3px #ffb300}
[id]{scroll-margin-top:5rem}
body:has(#hide-q:checked) .quantity{background:none}body:has(#hide-a:checked) .agency{border-bottom:none}
body:has(#hide-n:checked) .notes .note:not(.finding){display:none}
"""


def render_view(view: ReportView) -> str:
    d = view.doc
    counts = defaultdict(int)
    for m in view.marks:
        counts[m.kind] += 1
    meta = " · ".join(html.escape(shown(v)) for v in (d["doc_type"], d["own_code"], d["report_date"], d["province"], d["issuing_agency"]) if shown(v))
    rows = []
    for number, _, segments, starting in line_segments(view):
        if number in view.pages:
            rows.append(f"<div class='page'>page {view.pages[number]}</div>")
        body = "".join(_segment(d["text"], a, b, over) for a, b, over in segments)
        notes = "".join(_html_note(m) for m in starting if m.kind in ("finding", "citation"))
        rows.append(f"<div class='row' id='l-{number}'><span class='no'>{number}</span><span class='text'>{body}</span>"
                    f"<span class='notes'>{notes}</span></div>")
    return "\n".join([
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>baocao — {html.escape(Path(d['source_path']).name)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{html.escape(d['source_path'])}</h1><div class='meta'>{meta}</div>",
        f"<div class='meta'>{html.escape(shown(d['title']))}</div></header>",
        "<div class='legend'>"
        f"<span class='citation'>{counts['citation']} citations</span> · <span class='quantity'>{counts['quantity']} quantities</span> · "
        f"<span class='agency'>{counts['agency']} agencies</span> · <span class='finding'>{counts['finding']} findings</span> — "
        "<label><input type='checkbox' id='hide-q'> hide quantities</label><label><input type='checkbox' id='hide-a'> hide agencies</label>"
        "<label><input type='checkbox' id='hide-n'> findings' notes only</label>"
        "<span class='meta'>Line numbers are those of the findings (lines of documents.text). Hover a mark for its fields.</span></div>",
        f"<main>{''.join(rows)}</main></body></html>",
    ])


def _segment(text: str, a: int, b: int, over: list[Mark]) -> str:
    piece = html.escape(text[a:b])
    for m in sorted(over, key=lambda m: -KINDS.index(m.kind)):  # the finding outermost
        anchor = f" id='{m.anchor}'" if m.start == a else ""
        piece = f"<span class='{m.kind}'{anchor} title='{html.escape(m.label + ' — ' + describe(m), quote=True)}'>{piece}</span>"
    return piece


def _html_note(m: Mark) -> str:
    links = "".join(
        f"<br>↳ <a href='{html.escape(href, quote=True)}'>{html.escape(text)}</a>" if href else f"<br>↳ {html.escape(text)}"
        for text, href in m.links[:8]
    )
    more = f"<br>… and {len(m.links) - 8} more" if len(m.links) > 8 else ""
    if m.kind == "finding":
        caveat = f"<br><i>{html.escape(str(m.fields['caveat']))}</i>" if m.fields["caveat"] else ""
        return (f"<div class='note finding'><span class='sev {m.severity}'>{m.severity}</span> <b>{html.escape(m.label)}</b> "
                f"{html.escape(str(m.fields['message']))} <span class='meta'>(confidence {shown(m.fields['confidence'])}, "
                f"{html.escape(str(m.fields['origin']))})</span>{links}{more}{caveat}</div>")
    also = f"<br>also cited in {len(m.links)} other report(s):" if m.links else ""
    return f"<div class='note'><a href='#{m.anchor}'><b>{html.escape(m.label)}</b></a> {html.escape(brief(m))}{also}{links}{more}</div>"


def brief(mark: Mark) -> str:
    """A citation's note: type, date, issuer, relation; the registry's dates when they disagree (the rest is on hover)."""
    f = mark.fields
    parts = [shown(f.get(k)) for k in ("doc_type", "issued_date", "issuer_canonical")] + [shown(f.get("relation")).replace("_", " ")]
    if "," in shown(f.get("dates cited")):  # cited with several dates: the registry's variants
        parts.append(f"dates cited: {shown(f.get('dates cited'))}")
    if f.get("known date (gazetteer)"):
        parts.append(f"gazetteer: {shown(f.get('known date (gazetteer)'))}")
    return " · ".join(p for p in parts if p)


def write_view(view: ReportView, out: Path) -> None:
    out.write_text(render_view(view), encoding="utf-8")
