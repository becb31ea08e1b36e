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


def _register() -> None:
    """Each benchmark module adds its command to `app` when imported."""
    from pipeline.bench import pdf, run  # noqa: F401


_register()
