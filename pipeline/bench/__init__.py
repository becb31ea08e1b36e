"""Benchmarks: commands that measure throughput against baselines run in the same process.

Each benchmark module adds a sub-command to `app` (`baocao bench <name>`).
"""
from __future__ import annotations

import typer

app = typer.Typer(
    help="Benchmarks: measure throughput and compare it with baselines run on the same files in the same process.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def require_bench_extra() -> None:
    """The benchmarks' baselines and renderings need the `bench` extra; say so instead of a traceback."""
    import importlib.util

    missing = [m for m in ("pdfplumber", "docx", "underthesea") if importlib.util.find_spec(m) is None]
    if missing:
        typer.echo(f"The benchmarks need the `bench` extra ({', '.join(missing)} missing): pip install -e '.[bench]' "
                   "(bash setup.sh --test installs it).", err=True)
        raise typer.Exit(2)


def console():
    """A rich console; printed to a file or a pipe, wide enough that the tables keep their headers."""
    import sys

    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=160)


def _register() -> None:
    """Each benchmark module adds its command to `app` when imported."""
    from pipeline.bench import ocr, pdf, run, scale  # noqa: F401


_register()
