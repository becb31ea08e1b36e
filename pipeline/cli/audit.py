"""`baocao audit`: the 57-NQ/TW family citations and the audit's findings, per report."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from pipeline.cli.common import dataset_option, plain, require_dataset

HELP_ORDER = 30


def audit(
    dataset: Path = dataset_option(),
    doc: str = typer.Option(None, "--doc", help="Show one cited document (a code, e.g. 02-KH/BCĐTW) instead of the 57-NQ/TW family."),
    html_file: Path = typer.Option(None, "--html", help="Write a self-contained HTML report to this file."),
) -> None:
    """Audit the citations: per report, the 57-NQ/TW family citations and the findings, by severity.

    With --html, one self-contained page (works offline): summary counts, findings with their
    sentence, the registry of cited documents with date variants, the graph of the family, and
    every report's citations.
    """
    from pipeline.reports.audit import load, print_terminal, render_html

    data = load(require_dataset(dataset))
    if html_file is not None:
        html_file.write_text(render_html(data), encoding="utf-8")
        plain(f"wrote {html_file}")
        return
    print_terminal(data, Console(), code=doc)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
