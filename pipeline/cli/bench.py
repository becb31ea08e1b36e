"""`baocao bench ...`: the benchmark commands (pipeline/bench)."""
from __future__ import annotations

import typer

HELP_ORDER = 60


def register(app: typer.Typer) -> None:
    from pipeline.bench import app as bench_app

    app.add_typer(bench_app, name="bench")
