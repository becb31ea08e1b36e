"""`baocao bench pdf`: pages per second of our PDF ingestion against plain pypdfium2 and plain pdfplumber.

All three read the same files in the same process, one after the other, so
the machine's speed cancels out of the ratios. Our ingestion runs without OCR
here: OCR measures Tesseract, not the layout work.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import typer
from rich.table import Table

from pipeline.bench import app, require_bench_extra
from pipeline.bench import console as bench_console

GOAL_VS_PDFIUM = 0.5  # at least half the speed of plain pypdfium2 text extraction
GOAL_VS_PLUMBER = 10.0  # at least ten times plain pdfplumber


def _ours(data: bytes) -> int:
    from pipeline.document.assemble import assemble
    from pipeline.ingest.pdf import read_pdf

    ing = read_pdf(data, ocr=False)
    assemble(ing.blocks)
    return ing.n_pages or 0


def _pdfium(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    for i in range(len(pdf)):
        page = pdf[i]
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    n = len(pdf)
    pdf.close()
    return n


def _plumber(data: bytes) -> int:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        return len(pdf.pages)


def text_pdfs(folder: Path) -> list[Path]:
    """PDFs of a folder whose first page has a text layer (scans measure OCR, not ingestion)."""
    import pypdfium2 as pdfium

    found = []
    for path in sorted(folder.glob("*.pdf")):
        try:
            pdf = pdfium.PdfDocument(path)
            if len(pdf) and pdf[0].get_textpage().count_chars() > 200:
                found.append(path)
            pdf.close()
        except pdfium.PdfiumError:
            continue
    return found


def _rendered_seeds(work: Path) -> list[Path]:
    from pipeline.bench.render import many_to_pdf, read_text_report
    from pipeline.ingest.doc import soffice

    corpus = Path("corpus")
    if soffice() is None or not corpus.is_dir():
        return []
    jobs = [(read_text_report(p), work / f"{p.stem}.pdf") for p in sorted(corpus.glob("*.txt"))]
    many_to_pdf(jobs)
    return [path for _, path in jobs]


@app.command("pdf")
def bench_pdf(
    paths: list[Path] = typer.Argument(None, help="PDF files or folders (default: the text PDFs of ../shared/corpus-extra and the sample reports printed to PDF)"),
) -> None:
    """Pages per second: our layout-aware PDF ingestion vs plain pypdfium2 vs plain pdfplumber, on the same files."""
    require_bench_extra()
    console = bench_console()
    with tempfile.TemporaryDirectory(prefix="baocao-bench-pdf-") as tmp:
        files: list[Path] = []
        for p in paths or []:
            files.extend(text_pdfs(p) if p.is_dir() else [p])
        if not paths:
            extra = Path("../shared/corpus-extra")
            files = (text_pdfs(extra) if extra.is_dir() else []) + _rendered_seeds(Path(tmp))
        if not files:
            console.print("No PDF with a text layer to measure.")
            raise typer.Exit(2)
        blobs = [f.read_bytes() for f in files]
        # each reader warms up on one file (imports, compiled patterns); then the fast readers take
        # turns, pass after pass, and each one's best pass counts: a single pass of a second or
        # two varies by 20% on a busy machine, and taking turns gives both the same conditions
        readers = {"baocao ingest (layout)": _ours, "plain pypdfium2": _pdfium, "plain pdfplumber": _plumber}
        for fn in readers.values():
            fn(blobs[0])
        results: dict[str, tuple[int, float]] = {}
        for name, fn in [(n, f) for _ in range(5) for n, f in readers.items() if n != "plain pdfplumber"] + [
            ("plain pdfplumber", _plumber)
        ]:
            started = time.perf_counter()
            pages = sum(fn(b) for b in blobs)
            seconds = time.perf_counter() - started
            results[name] = (pages, min(seconds, results.get(name, (0, seconds))[1]))
    table = Table(title=f"PDF ingestion: {len(files)} files, {results['plain pypdfium2'][0]} pages")
    for col in ("reader", "pages", "seconds", "pages/s"):
        table.add_column(col, justify="right" if col != "reader" else "left")
    for name, (pages, secs) in results.items():
        table.add_row(name, str(pages), f"{secs:.2f}", f"{pages / secs:,.1f}")
    console.print(table)
    ours = results["baocao ingest (layout)"][0] / results["baocao ingest (layout)"][1]
    pdfium_rate = results["plain pypdfium2"][0] / results["plain pypdfium2"][1]
    plumber_rate = results["plain pdfplumber"][0] / results["plain pdfplumber"][1]
    for label, ratio, goal in (("vs plain pypdfium2", ours / pdfium_rate, GOAL_VS_PDFIUM), ("vs plain pdfplumber", ours / plumber_rate, GOAL_VS_PLUMBER)):
        verdict = "meets" if ratio >= goal else "MISSES"
        console.print(f"baocao {label}: {ratio:.2f}x (goal >= {goal}x): {verdict} the goal")
