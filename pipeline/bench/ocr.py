"""`baocao bench ocr`: OCR pages per second per core, and what each quality step costs.

The scans are made here from the gold reports printed to PDF (pipeline.bench.
render, then pipeline.bench.scan: 200 dpi, a small angle, blur, speckles, JPEG
55), or given on the command line. Every page is read in this process, one
at a time as a worker reads them, first by the baseline (main's OCR before
issue 15: 300 dpi, Tesseract `vie`, plain text, nothing else) and then by
baocao's reading, taking turns page by page so both see the same machine.
Speed is pages per CPU second (this process and its Tesseract children): what
one core does, however busy the others are. The steps of baocao's reading
are timed on their own (rendering, deskewing and denoising, Tesseract,
reading its glyph boxes and finding tables), so the table says what each costs.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path

import typer
from rich.table import Table

from pipeline.bench import app
from pipeline.bench import console as bench_console

GOAL_PAGES_PER_CORE = 0.5
BASELINE_NAME = "baseline: 300 dpi, vie, plain text"


def _baseline(settings):
    return replace(settings, dpi=300, lang="vie", psm=3, deskew=False, denoise=0, binarize="tesseract",
                   small_type=0.0, alphabet="any", heavy_noise=False, cleanup=False)


def scans_of_gold(work: Path) -> list[Path]:
    """The two gold reports printed to PDF and scanned (LibreOffice needed; [] without it)."""
    from pipeline.bench.render import many_to_pdf, read_text_report
    from pipeline.bench.scan import scan_pdf
    from pipeline.ingest.doc import soffice

    corpus = Path("corpus")
    gold = Path("../shared/gold")
    if soffice() is None or not corpus.is_dir() or not gold.is_dir():
        return []
    stems = sorted({p.name.split(".")[0] for p in gold.glob("*.references.jsonl")})
    jobs = [(read_text_report(corpus / f"{s}.txt"), work / f"{s}.printed.pdf") for s in stems if (corpus / f"{s}.txt").exists()]
    many_to_pdf(jobs)
    out = []
    for seed, (_, printed) in enumerate(jobs):
        scan = work / printed.name.replace(".printed", "")
        scan_pdf(printed, scan, seed=seed)
        out.append(scan)
    return out


@app.command("ocr")
def bench_ocr(
    paths: list[Path] = typer.Argument(None, help="Scanned PDFs (default: the gold reports printed to PDF and scanned)"),
    max_pages: int = typer.Option(8, "--pages", help="Pages to read from each file (OCR is slow; 0: all)."),
) -> None:
    """OCR pages per second per core: baocao's reading against the baseline, and the cost of each step."""
    import pypdfium2 as pdfium

    from pipeline.ingest import ocr

    console = bench_console()
    if not ocr.ocr_available():
        console.print(ocr.OCR_HINT)
        raise typer.Exit(2)
    with tempfile.TemporaryDirectory(prefix="baocao-bench-ocr-") as tmp:
        files = list(paths or []) or scans_of_gold(Path(tmp))
        if not files:
            console.print("No scan to read: name scanned PDFs, or install LibreOffice to print the gold reports.")
            raise typer.Exit(2)
        ours = ocr.default_settings()
        configs = {BASELINE_NAME: _baseline(ours), "baocao": ours}
        cpu = {name: 0.0 for name in configs}
        steps: dict[str, float] = {}
        pages = 0
        started = time.perf_counter()
        for path in files:
            pdf = pdfium.PdfDocument(str(path))
            for i in range(len(pdf) if not max_pages else min(max_pages, len(pdf))):
                page = pdf[i]
                for name, settings in configs.items():  # page by page, in turns
                    result = ocr.read_page(page, i + 1, settings)
                    cpu[name] += result.seconds
                    if settings is ours:
                        for step, seconds in result.steps.items():
                            steps[step] = steps.get(step, 0.0) + seconds
                page.close()
                pages += 1
            pdf.close()
        wall = time.perf_counter() - started
    _report(console, cpu, steps, pages, len(files), wall, ours)


def _report(console, cpu: dict[str, float], steps: dict[str, float], pages: int, files: int, wall: float, ours) -> None:
    table = Table(title=f"OCR: {files} files, {pages} pages ({wall:.0f} s wall)")
    for col in ("reading", "CPU s/page", "pages/s per core"):
        table.add_column(col, justify="left" if col == "reading" else "right")
    for name, seconds in cpu.items():
        table.add_row(name, f"{seconds / pages:.2f}", f"{pages / seconds:.2f}")
    console.print(table)
    dpi = f"{ours.dpi} dpi" if ours.dpi else "the scan's own resolution"
    detail = Table(title=f"baocao's reading step by step ({dpi}, {ours.lang}, psm {ours.psm})")
    detail.add_column("step")
    detail.add_column("CPU s/page", justify="right")
    for step, seconds in steps.items():
        detail.add_row(step, f"{seconds / pages:.2f}")
    console.print(detail)
    per_core = pages / cpu["baocao"]
    ratio = cpu[BASELINE_NAME] / cpu["baocao"]
    verdict = "meets" if per_core >= GOAL_PAGES_PER_CORE else "misses"
    around = sum(v for k, v in steps.items() if k != "Tesseract") / pages
    console.print(f"baocao reads {per_core:.2f} pages/s per core ({ratio:.2f}x the baseline's speed); "
                  f"it {verdict} the goal of {GOAL_PAGES_PER_CORE} page/s per core. The quality steps around "
                  f"Tesseract (rendering, deskew, denoise, glyph boxes, tables) cost {around:.2f} s a page, "
                  f"{around / (cpu['baocao'] / pages):.0%} of the reading.")
