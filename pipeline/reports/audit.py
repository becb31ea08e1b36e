"""Audit reports over a dataset: the terminal view and one self-contained HTML page.

The HTML page carries everything inline (CSS, the graph as SVG): it opens
offline, from a mail attachment or a file share. Every piece of text that
comes from a document is escaped.
"""
from __future__ import annotations

import datetime as dt
import html
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from extractors.codes import compare_key
from pipeline.corpus.audit import SEVERITIES
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

    def __post_init__(self) -> None:
        self.ref_at = {(r["doc_id"], r["start"]): r for r in self.references}

    def family(self) -> set[str]:
        return {k for k, d in self.registry.items() if d["nq57_family"]}


def load(dataset: Path) -> AuditData:
    def rows(name: str, columns=None) -> list[dict]:
        return read_table(dataset, name, columns).to_pylist()

    docs = {d["doc_id"]: d for d in rows("documents", _DOC_COLUMNS)}
    return AuditData(
        documents=docs,
        references=rows("references"),
        findings=rows("findings"),
        registry={d["doc_key"]: d for d in rows("cited_documents")},
        edges=rows("citation_edges"),
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


def print_terminal(data: AuditData, console: Console, code: str | None = None) -> None:
    refs, findings = select(data, code)
    what = escape(code) if code else "the 57-NQ/TW family"
    counts = Counter(f["severity"] for f in findings)
    console.print(
        f"[bold]{len(data.documents)} reports, {len(data.references)} citations, {len(data.registry)} cited documents; "
        f"{len(refs)} citations of {what}; findings: "
        + ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES)
        + "[/bold]"
    )
    refs_by_doc: dict[str, list[dict]] = defaultdict(list)
    for r in refs:
        refs_by_doc[r["doc_id"]].append(r)
    findings_by_doc: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        findings_by_doc[f["doc_id"]].append(f)
    for doc_id in sorted(set(refs_by_doc) | set(findings_by_doc), key=lambda d: _doc_label(data, d)):
        console.rule(escape(_doc_label(data, doc_id)))
        if refs_by_doc[doc_id]:
            t = Table(title=f"citations of {what}", show_lines=False)
            for col in ("citation", "date", "issuer", "relation"):
                t.add_column(col)
            for r in sorted(refs_by_doc[doc_id], key=lambda r: r["start"]):
                t.add_row(*(escape(str(v or "")) for v in (r["surface"], r["issued_date"], r.get("issuer_canonical"), r["relation"])))
            console.print(t)
        for severity in SEVERITIES:
            for f in (f for f in findings_by_doc[doc_id] if f["severity"] == severity):
                style = {"error": "red", "warning": "yellow", "info": "blue"}[severity]
                console.print(f"  [{style}]{severity}[/{style}] {f['rule']}: {escape(f['message'])}")


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
summary{cursor:pointer;font-weight:600}.graph svg{max-width:100%;height:auto}code{font-size:.9em}
"""


def render_html(data: AuditData, generated: dt.datetime | None = None) -> str:
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
        _findings_section(data),
        _graph_section(data, family),
        _registry_section(data),
        _reports_section(data),
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


def _findings_section(data: AuditData) -> str:
    rows = []
    order = {s: i for i, s in enumerate(SEVERITIES)}
    for f in sorted(data.findings, key=lambda f: (order[f["severity"]], f["rule"], _doc_label(data, f["doc_id"]))):
        ref = data.ref_at.get((f["doc_id"], f["start"]))
        sentence = ref["sentence"] if ref else None
        surface = ref["surface"] if ref else None
        rows.append(
            "<tr>"
            f"<td><span class='sev {f['severity']}'>{f['severity']}</span></td>"
            f"<td>{html.escape(f['rule'])}</td>"
            f"<td>{html.escape(_doc_label(data, f['doc_id']))}</td>"
            f"<td>{html.escape(f['message'])}"
            + (f"<br><span class='muted'>found</span> {html.escape(f['found'] or '')} "
               f"<span class='muted'>expected</span> {html.escape(f['expected'] or '')}")
            + (f"<div class='sentence'>{_highlight(sentence, surface)}</div>" if sentence else "")
            + "</td></tr>"
        )
    body = "".join(rows) or "<tr><td colspan='4'>No findings.</td></tr>"
    return (
        "<section id='findings'><h2>Findings</h2><table><thead><tr><th>severity</th><th>rule</th>"
        f"<th>report</th><th>what and where</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


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


def _reports_section(data: AuditData) -> str:
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
        blocks.append(
            f"<details><summary>{html.escape(doc['source_path'])} — {len(refs)} citations</summary>"
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
    g.attr("node", shape="box", style="rounded,filled", fillcolor="#e8eef6", fontname="DejaVu Sans", fontsize="11")
    g.attr("edge", fontname="DejaVu Sans", fontsize="9", color="#5b6b7b")
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
