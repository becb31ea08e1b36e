"""`baocao codes`: how well the code grammar understands a list of document codes."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.cli.common import fail

HELP_ORDER = 40


def codes(
    files: list[Path] = typer.Argument(..., help="CSV files (with --column) or text files with one code per line."),
    column: str = typer.Option(None, "--column", "-c", help="CSV column holding the codes (so_ky_hieu, id, ...)."),
    show: int = typer.Option(20, "--show", help="How many unparsed codes to list."),
) -> None:
    """Parse a list of document codes and report the share understood, by family, type and issuer."""
    from pipeline.reports.codes import read_codes, report

    try:
        rep = report(c for f in files for c in read_codes(f, column))
    except (OSError, ValueError) as exc:
        fail(str(exc))
    out = Console()
    out.print(f"distinct codes: {rep.total}   parsed: {rep.parsed} ({rep.share:.2%})")
    for title, counter in (("family", rep.families), ("document type", rep.types), ("issuer", rep.issuers)):
        t = Table(title=f"by {title}")
        t.add_column(title)
        t.add_column("codes", justify="right")
        for key, n in counter.most_common(15):
            t.add_row(escape(key), str(n))
        out.print(t)
    if rep.unparsed:
        out.print(f"not understood ({len(rep.unparsed)}):")
        for code in rep.unparsed[:show]:
            out.print(f"  {code[:80]!r}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("codes")(codes)
