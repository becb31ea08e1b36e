"""`baocao run`: read reports and write the dataset."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeline.cli.common import DATASET_ENV, DEFAULT_CORPUS, DEFAULT_DATASET, console, fail, parse_size, plain
from pipeline.document import Limits

HELP_ORDER = 10
_LIMITS = Limits()  # the defaults, declared once
_MAX_MEMORY_HELP = ("Address space one worker may take (RLIMIT_AS; 4G, 512M, bytes; 0: no limit). "
                    "A file that needs more becomes an errors row `out_of_memory` or `worker_crashed`.")
_MAX_UNPACKED_HELP = ("What one file's compressed parts (a DOCX's XML, a PDF stream) may expand to (512M, bytes). Default: "
                      "512M for the file, and a part that expands more than 100 times only up to 32M; given, it replaces both.")


def run(
    paths: list[Path] = typer.Argument(
        None, help="Report files and folders (searched recursively). Default: corpus/", show_default=False
    ),
    out: Path = typer.Option(None, "-o", "--out", envvar=DATASET_ENV, show_default=False,
                             help=f"Folder of the dataset to write. Default: ${DATASET_ENV}, else {DEFAULT_DATASET}."),
    workers: int = typer.Option(0, "-j", "--workers", help="Worker processes (0: one per core)."),
    engine: str = typer.Option("local", "--engine", help="local (worker processes on this machine) or dask."),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://HOST:PORT); without it --engine dask starts a local cluster."),
    timeout: float = typer.Option(_LIMITS.timeout_s, "--timeout", help="Seconds one file may take; a file that takes longer becomes an errors row `timeout`."),
    max_bytes: int = typer.Option(_LIMITS.max_bytes, "--max-bytes", help="Refuse files larger than this (bytes)."),
    max_pages: int = typer.Option(_LIMITS.max_pages, "--max-pages", help="Refuse PDFs with more pages than this."),
    max_memory: str = typer.Option(f"{_LIMITS.max_memory // 2**30}G", "--max-memory", help=_MAX_MEMORY_HELP),
    max_unpacked: str = typer.Option(None, "--max-unpacked", show_default=False, help=_MAX_UNPACKED_HELP),
    full: bool = typer.Option(False, "--full", help="Read every file again, even those unchanged since the last run."),
    prune: bool = typer.Option(False, "--prune", help="Drop the rows of files that are no longer among the inputs."),
    follow_symlinks: bool = typer.Option(False, "--follow-symlinks", help="Read symbolic links found in input folders even when they point outside them."),
    log_file: Path = typer.Option(None, "--log-file", help="Append one JSON line per file (and per run) to this file."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="One line per file on the terminal."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar, no summary."),
) -> None:
    """Read reports and write the dataset (documents, blocks, references, quantities, agencies, ..., manifest.json).

    Re-running on the same output reads only new and changed files (same sha256
    and baocao version: carried over). Exit code: 0 when every file was read, 1
    when some could not be (see the errors table), 2 when the run itself failed.
    """
    from pipeline.discover import InputError
    from pipeline.run import INTERRUPTED, run as run_pipeline
    from pipeline.runlog import RunLog
    from pipeline.store.commit import OutputError

    paths = paths or _default_inputs()
    out = out or DEFAULT_DATASET
    limits = Limits(max_bytes=max_bytes, max_pages=max_pages, timeout_s=timeout, max_memory=parse_size(max_memory, "--max-memory") or None,
                    max_unpacked=parse_size(max_unpacked, "--max-unpacked"))
    progress = _progress(quiet)
    with progress:
        task = progress.add_task("read", total=None, current="")
        log = RunLog(log_file, echo=plain if verbose else None)
        try:
            summary = run_pipeline(
                paths, out, limits=limits, workers=workers, engine=engine, scheduler=scheduler,
                incremental=not full, prune=prune, follow_symlinks=follow_symlinks, log=log,
                on_start=lambda n: progress.update(task, total=n),
                on_file=lambda res: progress.update(task, advance=1, current=Path(res.source_path).name[-40:]),
                on_page=lambda item, n, pages: progress.update(task, current=f"{Path(item.display).name[-40:]}: OCR page {n}/{pages}"),
            )
        except KeyboardInterrupt:  # a second Ctrl-C, while the files done were being committed
            progress.stop()
            plain("interrupted: nothing committed, the previous dataset is untouched")
            raise typer.Exit(INTERRUPTED) from None
        except (InputError, OutputError) as exc:
            fail(str(exc))
        except (RuntimeError, ValueError, OSError) as exc:
            fail(f"The run failed: {exc} The previous dataset is untouched.")
        finally:
            log.close()
    _report(summary, out, quiet)


def _default_inputs() -> list[Path]:
    if not DEFAULT_CORPUS.is_dir():
        fail(f"No input given and no {DEFAULT_CORPUS}/ folder here. Name files or folders to read.")
    return [DEFAULT_CORPUS]


def _report(summary, out: Path, quiet: bool) -> None:
    """The summary, or after Ctrl-C the one line saying what was kept; then the exit code."""
    if summary.interrupted:
        plain(f"interrupted: {summary.done} files done, rerun to continue")
    elif not quiet:
        console.print(_summary_table(summary, out))
    raise typer.Exit(summary.exit_code)


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("[bold]reading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", markup=False),
        console=console, disable=quiet, transient=True,
    )


def _summary_table(summary, out: Path) -> Table:
    from rich.markup import escape

    table = Table(title=f"baocao run -> {escape(str(out))}", show_header=False)
    table.add_row("files", str(summary.files))
    table.add_row("read", str(summary.read) + (f" ({summary.duplicates} duplicates)" if summary.duplicates else ""))
    table.add_row("failed", str(summary.failed))
    if summary.skipped or summary.replaced or summary.pruned or summary.kept:
        table.add_row("unchanged (carried over)", str(summary.skipped))
        table.add_row("added / replaced", f"{summary.added} / {summary.replaced}")
        table.add_row("vanished: pruned / kept", f"{summary.pruned} / {summary.kept}")
    for error_type, n in sorted(summary.errors_by_type.items()):
        table.add_row(f"  {error_type}", str(n))
    table.add_row("citations (files read)" if summary.skipped else "citations", str(summary.references))
    table.add_row("time", f"{summary.seconds:.2f} s")
    if summary.seconds > 0 and summary.characters:
        table.add_row("throughput", f"{summary.characters / summary.seconds:,.0f} chars/s")
    return table


def register(app: typer.Typer) -> None:
    app.command("run")(run)
