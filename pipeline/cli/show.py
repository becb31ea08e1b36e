"""`baocao show REPORT`: one report's text with its citations, quantities, agencies and findings marked."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from pipeline.cli.common import dataset_option, fail, plain, require_dataset

HELP_ORDER = 35


def show(
    report: str = typer.Argument(..., help="The report: its path as in the dataset, its file name, a unique part of its path, or its doc_id."),
    dataset: Path = dataset_option(),
    html_file: Path = typer.Option(None, "--html", help="Write the report as one self-contained HTML page to this file."),
    findings_only: bool = typer.Option(False, "--findings", help="In the terminal, mark only the findings and citations."),
) -> None:
    """Read one report with everything baocao found in it, marked where it stands.

    Every line of the text (numbered as findings number them), citations, quantities,
    agencies and findings marked; after each line, the notes of what starts there: a
    citation's parsed fields and registry entry, the other reports citing it; a finding's
    message, evidence and caveat. With --html, the same as one offline page: notes beside
    each line, every mark's fields on hover, links to the other reports' pages
    (report-<doc_id>.html in the same folder, as `baocao audit --html` writes them).
    """
    from pipeline.reports.show import find_report, load_view, print_view, write_view

    path = require_dataset(dataset)
    doc_id, candidates = find_report(path, report)
    if doc_id is None:
        listed = "; ".join(candidates[:10]) + (" ..." if len(candidates) > 10 else "")
        fail(f"{report!r} names several reports: {listed}" if candidates else
             f"No report {report!r} in {path}; `baocao query \"select source_path from documents\"` lists them.")
    view = load_view(path, doc_id)
    if html_file is not None:
        write_view(view, html_file)
        plain(f"wrote {html_file}")
        return
    print_view(view, Console(highlight=False), kinds=("finding", "citation") if findings_only else ("finding", "citation", "quantity", "agency"))


def register(app: typer.Typer) -> None:
    app.command("show")(show)
