"""Corpus stages: run once over the whole staged dataset, before it is committed.

Per-document work cannot see other reports; resolving short forms, the
registry of cited documents with its graph, and the audit can. They read the
staged tables (which, in incremental runs, include the rows carried over from
the previous dataset) and rewrite or add tables in the staging folder, a slice
of reports at a time (pipeline.store.tables). A stage that fails adds an
`errors` row (stage = its name) instead of failing the run. A stage gets the
number of processes it may use (the run's workers, done by then) and deals out
the passes that allow it (pipeline.corpus.fanout).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.models import ErrorRecord
from pipeline.store.memory import trim

Stage = Callable[[Path, int], None]  # gets the staging folder and the processes it may use
# (name, stage) in order; None: the default stages, imported when first needed
STAGES: list[tuple[str, Stage]] | None = None


def default_stages() -> list[tuple[str, Stage]]:
    from pipeline.corpus import audit, cited

    return [("registry", cited.stage), ("audit", audit.stage)]


def finalize(staging: Path, processes: int = 1) -> list[ErrorRecord]:
    errors: list[ErrorRecord] = []
    for name, stage in STAGES if STAGES is not None else default_stages():
        try:
            stage(staging, processes)
        except Exception as exc:
            errors.append(ErrorRecord("(corpus)", name, f"{name}_failed", f"The {name} stage failed ({type(exc).__name__}: {exc})."))
        trim()
    return errors
