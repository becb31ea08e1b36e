"""The `baocao` command line."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeline import __version__

DEFAULT_CORPUS = Path("corpus")
DEFAULT_DATASET = Path("outputs/dataset")

app = typer.Typer(
    help="baocao: Vietnamese government reports (PDF, DOCX, text) in, a Parquet dataset of "
    "citations, quantities, agencies and report metadata out.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console(stderr=True)

# command groups defined in their own modules
from pipeline.bench import app as _bench_app  # noqa: E402

app.add_typer(_bench_app, name="bench")


def _version(value: bool) -> None:
    if value:
        print(f"baocao {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_version, is_eager=True),
) -> None:
    """baocao: reports in, a Parquet dataset out."""


@app.command()
def run(
    paths: list[Path] = typer.Argument(
        None, help="Report files and folders (searched recursively). Default: corpus/", show_default=False
    ),
    out: Path = typer.Option(DEFAULT_DATASET, "-o", "--out", help="Folder of the dataset to write."),
    workers: int = typer.Option(0, "-j", "--workers", help="Worker processes (0: one per core)."),
    engine: str = typer.Option("local", "--engine", help="local (worker processes on this machine) or dask."),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://HOST:PORT); without it --engine dask starts a local cluster."),
    timeout: float = typer.Option(300.0, "--timeout", help="Seconds one file may take; a file that takes longer becomes an errors row `timeout`."),
    max_bytes: int = typer.Option(512 * 1024 * 1024, "--max-bytes", help="Refuse files larger than this (bytes)."),
    max_pages: int = typer.Option(None, "--max-pages", help="Refuse PDFs with more pages than this."),
    full: bool = typer.Option(False, "--full", help="Read every file again, even those unchanged since the last run."),
    prune: bool = typer.Option(False, "--prune", help="Drop the rows of files that are no longer among the inputs."),
    log_file: Path = typer.Option(None, "--log-file", help="Append one JSON line per file (and per run) to this file."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="One line per file on the terminal."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar, no summary."),
) -> None:
    """Read reports and write the dataset (documents, blocks, references, quantities, agencies, ..., manifest.json).

    Re-running on the same output reads only new and changed files (same sha256
    and baocao version: carried over). Exit code: 0 when every file was read, 1
    when some could not be (see the errors table), 2 when the run itself failed.
    """
    from pipeline.run import run as run_pipeline
    from pipeline.runlog import RunLog
    from pipeline.store import OutputError

    if not paths:
        if not DEFAULT_CORPUS.is_dir():
            console.print(f"[red]No input given and no {DEFAULT_CORPUS}/ folder here.[/red] Name files or folders to read.")
            raise typer.Exit(2)
        paths = [DEFAULT_CORPUS]
    progress = Progress(
        TextColumn("[bold]reading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=console,
        disable=quiet,
        transient=True,
    )
    with progress:
        task = progress.add_task("read", total=None, current="")

        def on_start(n: int) -> None:
            progress.update(task, total=n)

        def on_file(res) -> None:
            progress.update(task, advance=1, current=Path(res.source_path).name[-40:])

        log = RunLog(log_file, echo=console.print if verbose else None)
        try:
            summary = run_pipeline(
                paths, out, max_bytes=max_bytes, max_pages=max_pages, timeout_s=timeout, workers=workers,
                engine=engine, scheduler=scheduler, incremental=not full, prune=prune, log=log,
                on_start=on_start, on_file=on_file,
            )
        except OutputError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        except (RuntimeError, ValueError, OSError) as exc:
            console.print(f"[red]The run failed: {exc}[/red] The previous dataset is untouched.")
            raise typer.Exit(2) from None
        finally:
            log.close()
    if not quiet:
        table = Table(title=f"baocao run -> {out}", show_header=False)
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
        console.print(table)
    raise typer.Exit(summary.exit_code)


@app.command("eval")
def eval_cmd(
    gold: Path = typer.Option(..., "--gold", help="Folder of gold files (<stem>.references.jsonl, ...)."),
    dataset: Path = typer.Option(DEFAULT_DATASET, "-d", "--dataset", help="Dataset folder written by `baocao run`."),
    details: bool = typer.Option(False, "--details", help="List the misses and false alarms of each file."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Score a dataset against gold annotations: precision, recall and F1 per table and metric."""
    from pipeline.eval import evaluate, totals

    if not (dataset / "manifest.json").exists():
        console.print(f"[red]{dataset} is not a baocao dataset.[/red] Run `baocao run` first or pass -d.")
        raise typer.Exit(2)
    if not gold.is_dir():
        console.print(f"[red]Gold folder {gold} does not exist.[/red]")
        raise typer.Exit(2)
    results = evaluate(gold, dataset)
    if as_json:
        payload = {
            table: {
                "total": {m: _score_dict(s) for m, s in totals(scores).items()},
                "files": [
                    {"gold": fs.gold_file, "source_path": fs.source_path, **{m: _score_dict(s) for m, s in fs.metrics.items() if s.tp + s.fp + s.fn or table != "metadata"}}
                    for fs in scores
                ],
            }
            for table, scores in results.items()
        }
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    out = Console()
    for table_name, scores in results.items():
        fmt = _fmt_share if table_name == "metadata" else _fmt  # one value per file and field: the share right says it
        t = Table(title=f"{table_name}: " + ("share right (right/scored)" if table_name == "metadata" else "precision / recall / F1"))
        t.add_column("file")
        metrics = list(scores[0].metrics) if scores else []
        for m in metrics:
            t.add_column(m, justify="right")
        for fs in scores:
            t.add_row(Path(fs.source_path).name, *(fmt(fs.metrics[m]) for m in metrics))
        tot = totals(scores)
        t.add_row("[bold]all files[/bold]", *(f"[bold]{fmt(tot[m])}[/bold]" for m in metrics))
        out.print(t)
        if details:
            for fs in scores:
                for m in metrics:
                    for label, items in (("missed", fs.misses[m]), ("false alarm", fs.false_alarms[m])):
                        for item in items:
                            out.print(f"  {Path(fs.source_path).name} {m} {label}: {item}")


@app.command()
def audit(
    dataset: Path = typer.Option(DEFAULT_DATASET, "-d", "--dataset", help="Dataset folder written by `baocao run`."),
    doc: str = typer.Option(None, "--doc", help="Show one cited document (a code, e.g. 02-KH/BCĐTW) instead of the 57-NQ/TW family."),
    html_file: Path = typer.Option(None, "--html", help="Write a self-contained HTML report to this file."),
) -> None:
    """Audit the citations: per report, the 57-NQ/TW family citations and the findings, by severity.

    With --html, one self-contained page (works offline): summary counts, findings with their
    sentence, the registry of cited documents with date variants, the graph of the family, and
    every report's citations.
    """
    from pipeline.audit_report import load, print_terminal, render_html

    if not (dataset / "manifest.json").exists():
        console.print(f"[red]{dataset} is not a baocao dataset.[/red] Run `baocao run` first or pass -d.")
        raise typer.Exit(2)
    data = load(dataset)
    if html_file is not None:
        html_file.write_text(render_html(data), encoding="utf-8")
        console.print(f"wrote {html_file}")
        return
    print_terminal(data, Console(), code=doc)


@app.command()
def codes(
    files: list[Path] = typer.Argument(..., help="CSV files (with --column) or text files with one code per line."),
    column: str = typer.Option(None, "--column", "-c", help="CSV column holding the codes (so_ky_hieu, id, ...)."),
    show: int = typer.Option(20, "--show", help="How many unparsed codes to list."),
) -> None:
    """Parse a list of document codes and report the share understood, by family, type and issuer."""
    from pipeline.codereport import read_codes, report

    try:
        rep = report(c for f in files for c in read_codes(f, column))
    except (OSError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    out = Console()
    out.print(f"distinct codes: {rep.total}   parsed: {rep.parsed} ({rep.share:.2%})")
    for title, counter in (("family", rep.families), ("document type", rep.types), ("issuer", rep.issuers)):
        t = Table(title=f"by {title}")
        t.add_column(title)
        t.add_column("codes", justify="right")
        for key, n in counter.most_common(15):
            t.add_row(key, str(n))
        out.print(t)
    if rep.unparsed:
        out.print(f"not understood ({len(rep.unparsed)}):")
        for code in rep.unparsed[:show]:
            out.print(f"  {code[:80]!r}")


def _fmt(s) -> str:
    return f"{s.precision:.3f} / {s.recall:.3f} / {s.f1:.3f}  ({s.tp}/{s.tp + s.fn})"


def _fmt_share(s) -> str:
    n = s.tp + s.fp + s.fn
    return f"{s.share:.0%}  ({s.tp}/{n})" if n else "–"


def _score_dict(s) -> dict:
    return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4), "tp": s.tp, "fp": s.fp, "fn": s.fn}


# commands defined in their own modules, listed after the ones above
from pipeline.query_command import query as _query  # noqa: E402

app.command("query")(_query)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        console.print("[red]interrupted[/red]")
        sys.exit(2)
    except Exception:  # the run itself failed (not one file): exit code 2, as documented
        console.print_exception(max_frames=5)
        sys.exit(2)


if __name__ == "__main__":
    main()
