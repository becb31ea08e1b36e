"""Audit reports over a dataset: the terminal view and one self-contained HTML page.

The HTML page carries everything inline (CSS, the graph as SVG): it opens
offline, from a mail attachment or a file share. Every piece of text that
comes from a document is escaped.
"""
from __future__ import annotations

import bisect
import datetime as dt
import html
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import regex as re
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from extractors.codes import compare_key
from pipeline.corpus.audit import SEVERITIES
from pipeline.reports.show import load_view, page_name, write_view
from pipeline.store.tables import read_table

_DOC_COLUMNS = ["doc_id", "source_path", "title", "province", "province_as_written", "report_date"]


@dataclass(slots=True)
class AuditData:
    documents: dict[str, dict]
    references: list[dict]
    findings: list[dict]
    registry: dict[str, dict]
    edges: list[dict]
    ref_at: dict[tuple[str, int], dict] = field(default_factory=dict)

    line_starts: dict[str, list[int]] = field(default_factory=dict)  # doc_id -> where each line of its text starts

    def __post_init__(self) -> None:
        self.ref_at = {(r["doc_id"], r["start"]): r for r in self.references}

    def line_of(self, doc_id: str, offset: int) -> int | None:
        starts = self.line_starts.get(doc_id)
        return bisect.bisect_right(starts, offset) if starts else None

    def family(self) -> set[str]:
        return {k for k, d in self.registry.items() if d["nq57_family"]}


def load(dataset: Path) -> AuditData:
    def rows(name: str, columns=None) -> list[dict]:
        return read_table(dataset, name, columns).to_pylist()

    docs, starts = {}, {}
    for d in read_table(dataset, "documents", [*_DOC_COLUMNS, "text"]).to_pylist():
        starts[d["doc_id"]] = [0] + [m.end() for m in re.finditer("\n", d.pop("text"))]
        docs[d["doc_id"]] = d
    return AuditData(
        documents=docs,
        references=rows("references"),
        findings=rows("findings"),
        registry={d["doc_key"]: d for d in rows("cited_documents")},
        edges=rows("citation_edges"),
        line_starts=starts,
    )


def select(data: AuditData, code: str | None) -> tuple[list[dict], list[dict]]:
    """Citations and findings to show: the 57-NQ/TW family, or the document with `code`."""
    if code:
        key = compare_key(code)
        wanted = {k for k, d in data.registry.items() if d["code"] and compare_key(d["code"]) == key}
    else:
        wanted = data.family()
    refs = [r for r in data.references if r.get("doc_key") in wanted]
    findings = data.findings
    if code:
        findings = [f for f in findings if f["code"] and compare_key(f["code"]) == compare_key(code)]
    return refs, findings


# --- terminal -----------------------------------------------------------------------------


def print_terminal(data: AuditData, console: Console, code: str | None = None, show_all: bool = False) -> None:
    """Per report: the family's (or one document's) citations, then each finding with where it is, its quote and evidence.

    Findings set aside (info) are counted, and shown with `show_all`.
    """
    refs, findings = select(data, code)
    what = escape(code) if code else "the 57-NQ/TW family"
    counts = Counter(f["severity"] for f in findings)
    console.print(
        f"[bold]{len(data.documents)} reports, {len(data.references)} citations, {len(data.registry)} cited documents; "
        f"{len(refs)} citations of {what}; findings: "
        + ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES)
        + "[/bold]"
    )
    if counts.get("info") and not show_all:
        console.print(f"[dim]{counts['info']} notes (info: candidates set aside, with the reason) are not shown; --all shows them.[/dim]")
    shown = findings if show_all else [f for f in findings if f["severity"] != "info"]
    refs_by_doc: dict[str, list[dict]] = defaultdict(list)
    for r in refs:
        refs_by_doc[r["doc_id"]].append(r)
    findings_by_doc: dict[str, list[dict]] = defaultdict(list)
    for f in shown:
        findings_by_doc[f["doc_id"]].append(f)
    for doc_id in sorted(set(refs_by_doc) | set(findings_by_doc), key=lambda d: _doc_label(data, d)):
        console.rule(escape(_doc_label(data, doc_id)))
        if refs_by_doc[doc_id]:
            t = Table(title=f"citations of {what}", show_lines=False)
            for col in ("line", "citation", "date", "issuer", "relation"):
                t.add_column(col)
            for r in sorted(refs_by_doc[doc_id], key=lambda r: r["start"]):
                cells = (data.line_of(doc_id, r["start"]), r["surface"], r["issued_date"], r.get("issuer_canonical"), r["relation"])
                t.add_row(*(escape(str(v or "")) for v in cells))
            console.print(t)
        for severity in SEVERITIES:
            for f in (f for f in findings_by_doc[doc_id] if f["severity"] == severity):
                console.print(finding_text(f))


_STYLE = {"error": "red", "warning": "yellow", "info": "blue"}


def finding_text(f: dict) -> Text:
    """One finding for the terminal: severity, rule, place; message; the quote with what it is about; evidence; caveat."""
    out = Text("  ")
    out.append(f"{f['severity']} ", style=f"bold {_STYLE[f['severity']]}")
    out.append(f"{f['rule']} ", style="bold")
    out.append(f"{where(f)}  confidence {f['confidence']:.2f}, {f['origin']}\n", style="dim")
    out.append(f"    {f['message']}\n")
    out.append("    “")
    out.append_text(highlighted(f["quote"], f.get("surface"), f["code"]))
    out.append("”")
    for e in f["evidence"] or []:
        out.append(f"\n    checked against {where(e)}: {e['note']}", style="dim")
        if e["quote"]:
            out.append(f" — “{_cut(e['quote'], 160)}”", style="dim")
    if f["caveat"]:
        out.append(f"\n    caveat: {f['caveat']}", style="italic dim")
    return out


def where(row: dict) -> str:
    """`file:line (p. N)` for a finding or a place of its evidence."""
    place = row.get("source_path") or row.get("doc_id") or "?"
    if row.get("line"):
        place += f":{row['line']}"
    if row.get("page"):
        place += f" (p. {row['page']})"
    return place


def highlighted(quote: str | None, *wanted: str | None) -> Text:
    text = Text(_cut(quote or "", 400))
    for w in (" ".join(w.split()) for w in wanted if w):
        if w and w in text.plain:
            at = text.plain.index(w)
            text.stylize("bold reverse", at, at + len(w))
            break
    return text


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _doc_label(data: AuditData, doc_id: str) -> str:
    d = data.documents.get(doc_id) or {}
    return d.get("source_path") or doc_id or "?"


# --- HTML -----------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:0;color:#1d2327;background:#f6f7f9}
header{background:#12355b;color:#fff;padding:1.2rem 2rem}header h1{margin:0 0 .3rem;font-size:1.5rem}
main{padding:1rem 2rem;max-width:1300px}section{background:#fff;border-radius:8px;padding:1rem 1.3rem;margin:1rem 0;box-shadow:0 1px 3px #0002}
h2{margin-top:0;font-size:1.2rem;color:#12355b}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #e3e6ea;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#eef1f5}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{background:#fff;border-radius:8px;padding:.8rem 1.2rem;min-width:9rem;box-shadow:0 1px 3px #0002}
.card b{display:block;font-size:1.6rem}.sev{font-weight:600;padding:.1rem .45rem;border-radius:4px;color:#fff;font-size:.8rem}
.error{background:#c62828}.warning{background:#ef8f00}.info{background:#1565c0}mark{background:#ffe082;padding:0 .1rem}
.sentence{color:#444}.muted{color:#777}.variant-bad{color:#c62828;font-weight:600}details{margin:.4rem 0}
summary{cursor:pointer;font-weight:600}code{font-size:.9em}.where{max-width:18rem;overflow-wrap:anywhere}.path{font-size:.75rem}.caveat{color:#7a4b00;font-style:italic}
ul.evidence{margin:.2rem 0 .2rem 1rem;padding:0}
.graph{overflow-x:auto}.graph svg{max-width:none;height:auto}
"""


def render_html(data: AuditData, generated: dt.datetime | None = None, pages: str | None = None) -> str:
    """The audit page; `pages`: the folder (relative to the page) holding every report's page, which findings link to."""
    generated = generated or dt.datetime.now()
    counts = Counter(f["severity"] for f in data.findings)
    family = data.family()
    parts = [
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>baocao — citation audit</title>",
        f"<style>{_CSS}</style></head><body>",
        "<header><h1>Citation audit</h1>",
        f"<div>Generated {html.escape(generated.strftime('%Y-%m-%d %H:%M'))} · Resolution 57-NQ/TW and the documents that implement it</div></header><main>",
        "<div class='cards'>",
        _card("reports", len(data.documents)),
        _card("citations", len(data.references)),
        _card("cited documents", len(data.registry)),
        _card("in the 57-NQ/TW family", len(family)),
        *(_card(f"{s} findings", counts.get(s, 0)) for s in SEVERITIES),
        "</div>",
        _findings_section(data, pages),
        _graph_section(data, family),
        _registry_section(data),
        _reports_section(data, pages),
        "</main></body></html>",
    ]
    return "\n".join(parts)


def _card(label: str, n: int) -> str:
    return f"<div class='card'><b>{n}</b>{html.escape(label)}</div>"


def _highlight(sentence: str | None, surface: str | None) -> str:
    sentence = sentence or ""
    if surface and surface in sentence:
        a = sentence.index(surface)
        return (
            html.escape(sentence[:a])
            + f"<mark>{html.escape(surface)}</mark>"
            + html.escape(sentence[a + len(surface) :])
        )
    return html.escape(sentence)


def _findings_section(data: AuditData, pages: str | None) -> str:
    order = {s: i for i, s in enumerate(SEVERITIES)}
    ranked = sorted(data.findings, key=lambda f: (order[f["severity"]], f["rule"], _doc_label(data, f["doc_id"]), f["start"]))
    main = "".join(_finding_row(f, pages) for f in ranked if f["severity"] != "info") or "<tr><td colspan='4'>No findings.</td></tr>"
    notes = [f for f in ranked if f["severity"] == "info"]
    aside = (
        f"<details><summary>{len(notes)} notes: candidates set aside, each with the reason</summary><table><tbody>"
        + "".join(_finding_row(f, pages) for f in notes) + "</tbody></table></details>"
    ) if notes else ""
    return (
        "<section id='findings'><h2>Findings</h2><p class='muted'>Each with its place (file:line, page; the link opens the report "
        "at that place), the sentence it rests on, what it is checked against, and how sure the audit is.</p><table><thead><tr>"
        f"<th>severity</th><th>rule</th><th>where</th><th>what</th></tr></thead><tbody>{main}</tbody></table>{aside}</section>"
    )


def _finding_row(f: dict, pages: str | None) -> str:
    place = html.escape(where(f | {"source_path": Path(f["source_path"]).name}))
    if pages and f["doc_id"]:
        place = f"<a href='{html.escape(_page_link(pages, f['doc_id'], 'f', f['start']), quote=True)}'>{place}</a>"
    place += f"<div class='muted path'>{html.escape(f['source_path'])}</div>"
    evidence = "".join(
        "<li>" + (f"<a href='{html.escape(_page_link(pages, e['doc_id'], 'c', e['start']), quote=True)}'>{html.escape(where(e))}</a>"
                  if pages and e["doc_id"] else f"<code>{html.escape(where(e))}</code>")
        + f" — {html.escape(e['note'] or '')}" + (f"<div class='sentence'>{html.escape(_cut(e['quote'], 300))}</div>" if e["quote"] else "") + "</li>"
        for e in f["evidence"] or []
    )
    return (
        "<tr>"
        f"<td><span class='sev {f['severity']}'>{f['severity']}</span></td>"
        f"<td>{html.escape(f['rule'])}</td><td class='where'>{place}</td>"
        f"<td>{html.escape(f['message'])}"
        f"<br><span class='muted'>found</span> {html.escape(f['found'] or '')} "
        f"<span class='muted'>expected</span> {html.escape(f['expected'] or '')} "
        f"<span class='muted'>· confidence {f['confidence']:.2f} · {html.escape(f['origin'])}</span>"
        f"<div class='sentence'>{_highlight(f['quote'], f.get('surface') if f.get('surface') in (f['quote'] or '') else f['code'])}</div>"
        + (f"<div class='muted'>checked against:</div><ul class='evidence'>{evidence}</ul>" if evidence else "")
        + (f"<div class='caveat'>{html.escape(f['caveat'])}</div>" if f["caveat"] else "")
        + "</td></tr>"
    )


def _page_link(pages: str, doc_id: str, kind: str, start: int) -> str:
    return f"{pages}/{page_name(doc_id)}#{kind}-{start}"


def _registry_section(data: AuditData) -> str:
    rows = []
    for d in sorted(data.registry.values(), key=lambda d: (not d["nq57_family"], -d["mentions"], d["code"] or "")):
        variants = d["date_variants"] or []
        consensus = d["issued_date"]
        shown = ", ".join(
            f"<span class='{'variant-bad' if len(variants) > 1 and v['date'] != consensus else ''}'>"
            f"{v['date']:%d/%m/%Y} ×{v['mentions']}</span>"
            for v in variants
        )
        rows.append(
            "<tr>"
            f"<td><code>{html.escape(d['code'] or '')}</code>{' ★' if d['nq57_family'] else ''}</td>"
            f"<td>{html.escape(d['doc_type'] or '')}</td><td>{html.escape(d['issuer'] or '')}</td>"
            f"<td>{consensus.strftime('%d/%m/%Y') if consensus else ''}</td><td>{shown}</td>"
            f"<td>{d['mentions']}</td><td>{d['reports']}</td>"
            f"<td class='muted'>{html.escape((d['subject'] or '')[:160])}</td></tr>"
        )
    return (
        "<section id='registry'><h2>Cited documents</h2><p class='muted'>★ 57-NQ/TW and the documents that "
        "implement it. Dates in red disagree with the consensus (or known) date.</p><table><thead><tr>"
        "<th>code</th><th>type</th><th>issuer</th><th>date</th><th>dates cited</th><th>mentions</th>"
        f"<th>reports</th><th>subject</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _reports_section(data: AuditData, pages: str | None = None) -> str:
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for r in data.references:
        by_doc[r["doc_id"]].append(r)
    flagged = {(f["doc_id"], f["start"]) for f in data.findings}
    blocks = []
    for doc_id, doc in sorted(data.documents.items(), key=lambda kv: kv[1]["source_path"]):
        refs = sorted(by_doc.get(doc_id, []), key=lambda r: r["start"])
        rows = "".join(
            f"<tr><td>{'⚠ ' if (doc_id, r['start']) in flagged else ''}{html.escape(r['surface'])}</td>"
            f"<td>{html.escape(r['doc_type'] or '')}</td><td>{r['issued_date'] or ''}</td>"
            f"<td>{html.escape(r.get('issuer_canonical') or '')}</td><td>{html.escape(r['relation'])}</td></tr>"
            for r in refs
        )
        meta = " · ".join(
            html.escape(str(v)) for v in (doc.get("title"), doc.get("province"), doc.get("report_date")) if v
        )
        link = f" · <a href='{html.escape(pages + '/' + page_name(doc_id), quote=True)}'>read it with its marks</a>" if pages else ""
        blocks.append(
            f"<details><summary>{html.escape(doc['source_path'])} — {len(refs)} citations</summary>{link}"
            f"<div class='muted'>{meta}</div><table><thead><tr><th>citation</th><th>type</th><th>date</th>"
            f"<th>issuer</th><th>relation</th></tr></thead><tbody>{rows}</tbody></table></details>"
        )
    return f"<section id='reports'><h2>Reports and their citations</h2>{''.join(blocks)}</section>"


GRAPH_LIMIT = 60  # more nodes than this make a picture nobody can read


def _graph_section(data: AuditData, family: set[str]) -> str:
    shown = family
    note = ""
    if len(family) > GRAPH_LIMIT:
        shown = set(sorted(family, key=lambda k: -data.registry[k]["mentions"])[:GRAPH_LIMIT])
        note = f" Showing the {GRAPH_LIMIT} most cited of {len(family)} documents."
    svg = family_graph_svg(data, shown)
    if svg is None:
        body = (
            "<p class='muted'>The graph needs Graphviz (<code>dot</code>), which is not installed here: "
            "run <code>bash setup.sh</code> as root, or <code>apt-get install graphviz</code>.</p>"
        )
    else:
        body = f"<div class='graph'>{svg}</div>"
    return (
        "<section id='graph'><h2>How the 57-NQ/TW family is implemented</h2><p class='muted'>Arrows go from a "
        f"document to the documents that implement it, as the reports state it.{note}</p>{body}</section>"
    )


def family_graph_svg(data: AuditData, family: set[str]) -> str | None:
    """The family's implementation graph as SVG, laid out by Graphviz; None when `dot` is missing."""
    if not shutil.which("dot"):
        return None
    import graphviz

    g = graphviz.Digraph("nq57", format="svg", graph_attr={"rankdir": "TB", "fontname": "DejaVu Sans", "nodesep": "0.25"})
    g.attr("node", shape="box", style="rounded,filled", fillcolor="#e8eef6", fontname="DejaVu Sans", fontsize="14")
    g.attr("edge", fontname="DejaVu Sans", fontsize="12", color="#5b6b7b")
    seen: set[tuple[str, str, str]] = set()
    for e in data.edges:
        if e["source_kind"] != "document" or e["source"] not in family or e["target"] not in family:
            continue
        key = (e["target"], e["source"], e["relation"])
        if key in seen or e["relation"] not in ("implements", "amends", "based_on"):
            continue
        seen.add(key)
        # drawn from the implemented document down to the one implementing it
        g.edge(e["target"], e["source"], label=e["relation"].replace("_", " "))
    for key in family:
        d = data.registry[key]
        label = f"{d['code']}\n{d['doc_type'] or ''}"
        if d["issued_date"]:
            label += f" {d['issued_date']:%d/%m/%Y}"
        g.node(key, label=label, fillcolor="#ffd54f" if compare_key(d["code"] or "") == compare_key("57-NQ/TW") else "#e8eef6")
    svg = g.pipe(encoding="utf-8")
    return svg[svg.index("<svg") :]


def write_html(data: AuditData, dataset: Path, out: Path) -> Path:
    """The audit page at `out` and every report's page in the folder beside it (`<name>-reports/`), linked both ways."""
    folder = out.with_name(out.stem + "-reports")
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id in data.documents:
        write_view(load_view(dataset, doc_id), folder / page_name(doc_id))
    out.write_text(render_html(data, pages=folder.name), encoding="utf-8")
    return folder


def write_findings(dataset: Path, fmt: str, out: Path | None, code: str | None = None, show_all: bool = False) -> int:
    """The findings table (all columns), as CSV or JSON, to `out` or the terminal; returns the rows written."""
    import pyarrow as pa

    from pipeline.query.output import write_result

    table = read_table(dataset, "findings")
    rows = [f for f in table.to_pylist() if (show_all or f["severity"] != "info") and (code is None or (f["code"] and compare_key(f["code"]) == compare_key(code)))]
    return write_result(pa.Table.from_pylist(rows, schema=table.schema).to_reader(), fmt, out)
