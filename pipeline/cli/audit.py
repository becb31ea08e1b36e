"""`baocao audit`: the 57-NQ/TW family citations and the audit's findings, per report, located and quoted."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from pipeline.cli.common import dataset_option, fail, plain, require_dataset

HELP_ORDER = 30
FORMATS = ("terminal", "csv", "json")


def audit(
    dataset: Path = dataset_option(),
    doc: str = typer.Option(None, "--doc", help="Show one cited document (a code, e.g. 02-KH/BCĐTW) instead of the 57-NQ/TW family."),
    html_file: Path = typer.Option(None, "--html", help="Write a self-contained HTML report to this file, and every report's page "
                                   "(the text with its marks) into the folder <name>-reports/ beside it."),
    fmt: str = typer.Option("terminal", "-f", "--format", help="terminal (per report, for reading), or the findings table as csv or json."),
    out: Path = typer.Option(None, "-o", "--out", help="With --format csv/json: write to this file instead of the terminal.", show_default=False),
    show_all: bool = typer.Option(False, "--all", help="Also show the notes (info): candidates set aside, with the reason."),
) -> None:
    """Audit the citations: per report, the 57-NQ/TW family citations and the findings, by severity.

    Each finding shows its place (file:line, page), the sentence it rests on, what it is
    checked against (other citations, the gazetteer) with their places, its confidence and
    the text's origin. With --html, one self-contained page (works offline): summary counts,
    the findings, the registry of cited documents with date variants, the graph of the family,
    and every report's citations; each finding links to its place in the report's own page.
    With --format csv or json, every row of the findings table (evidence as JSON in CSV).
    """
    from pipeline.reports.audit import load, print_terminal, write_findings, write_html

    if fmt not in FORMATS:
        fail(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    path = require_dataset(dataset)
    if fmt != "terminal":
        write_findings(path, fmt, out, code=doc, show_all=show_all)
        return
    data = load(path)
    if html_file is not None:
        folder = write_html(data, path, html_file)
        plain(f"wrote {html_file} (and the reports' pages in {folder})")
        return
    print_terminal(data, Console(), code=doc, show_all=show_all)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
