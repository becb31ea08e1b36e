"""The `baocao` command line: one module per command in this package.

A module that defines `register(app)` adds its command there; `HELP_ORDER`
places it in `baocao --help`. Adding a command is adding its module.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from pipeline import __version__
from pipeline.cli.common import console

app = typer.Typer(
    help="baocao: Vietnamese government reports (PDF, DOCX, text) in, a Parquet dataset of "
    "citations, quantities, agencies and report metadata out.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"baocao {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_version, is_eager=True),
) -> None:
    """baocao: reports in, a Parquet dataset out."""


def _register() -> None:
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    for module in sorted((m for m in modules if hasattr(m, "register")), key=lambda m: m.HELP_ORDER):
        module.register(app)


_register()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # Ctrl-C before a command could take it over: nothing was changed
        console.print("[red]interrupted[/red]")
        sys.exit(130)  # what a shell reports for a command stopped by Ctrl-C
    except Exception:  # the run itself failed (not one file): exit code 2, as documented
        console.print_exception(max_frames=5)
        sys.exit(2)
