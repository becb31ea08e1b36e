"""`baocao bench run`: the whole pipeline on corpora of growing size, 1 worker against all cores.

The corpus is built from the sample reports (corpus/): copies made unique by a
line of their own, as text, and, where LibreOffice can print them, as DOCX and
PDF (pipeline.bench.render). Each measurement runs in a child process of its
own, so its peak memory (the parent's and the largest worker's, from the
kernel's rusage) is its own. Baselines run in this process on the same files:
plain pypdfium2 text extraction and plain pdfplumber `extract_text` on the
PDFs, and underthesea's `word_tokenize` on the text of the text files, which
the text pipeline alone is compared with: it is timed once before the baselines
and once after, so that a machine slowing down under a minute of work (a shared
or throttled one) weighs on both sides. Beside the speed-up of all cores over
one worker, the machine's own: the same files' per-document work dealt out to
as many processes with nothing else to do.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import typer
from rich.table import Table

from pipeline.bench import app, require_bench_extra
from pipeline.bench import console as bench_console

GOAL_SPEEDUP_2 = 1.9  # 2 workers against 1 (issue 11)
GOAL_MEMORY_GROWTH = 1.2  # peak memory when the corpus grows 10x
GOAL_TEXT_VS_TOKENIZER = 5.0  # the whole text pipeline against underthesea merely tokenizing (issue 11)
BASELINE_PDFS = 20  # pdfplumber needs about 0.1 s a page: the PDF baselines read this many files

_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from pipeline.run import run
corpus, out, workers = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
started = time.perf_counter()
s = run([corpus], out, workers=workers, incremental=False)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "read": s.read, "failed": s.failed, "characters": s.characters,
    "rss_parent_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "rss_worker_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


# the per-document work alone (reading and extracting, nothing written, no corpus stages), the
# corpus's files dealt out to 1 and then N forked processes: what this machine's cores give this work
# now, with no serial part at all. On a shared virtual machine that is well below N and moves from
# one minute to the next (the 2-core machine of the README: 1.6-2.6x), so the run is judged beside it.
_CEILING = """
import json, multiprocessing as mp, sys, time
from pathlib import Path
from pipeline.discover import discover
from pipeline.document import process_file, warm_up
corpus, n = Path(sys.argv[1]), int(sys.argv[2])
files = discover([corpus])[0]
warm_up()
def deal(k, of):
    for item in files[k::of]:
        process_file(item)
seconds = {}
for of in (1, n):
    started = time.perf_counter()
    procs = [mp.get_context("fork").Process(target=deal, args=(k, of)) for k in range(of)]
    for p in procs: p.start()
    for p in procs: p.join()
    seconds[of] = time.perf_counter() - started
print(json.dumps(seconds))
"""


def build_corpus(folder: Path, n: int, formats: tuple[str, ...] = ("txt", "docx", "pdf")) -> dict[str, int]:
    """n reports in `folder`: text, DOCX and PDF copies of the sample reports, each unique."""
    from pipeline.bench.render import many_to_pdf, read_text_report, to_docx
    from pipeline.ingest.doc import soffice

    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(Path("corpus").glob("*.txt"))
    if not seeds:
        raise typer.BadParameter("No sample reports in corpus/: run the benchmark from the repository.")
    if soffice() is None:
        formats = tuple(f for f in formats if f != "pdf")
    counts = {f: 0 for f in formats}
    printed: dict[Path, Path] = {}
    if "pdf" in formats:  # one LibreOffice start prints every seed; copies get a unique trailing comment
        pdf_dir = folder.parent / f".{folder.name}-pdf"
        pdf_dir.mkdir(exist_ok=True)
        jobs = [(read_text_report(s), pdf_dir / f"{s.stem}.pdf") for s in seeds]
        many_to_pdf(jobs)
        printed = {s: pdf for s, (_, pdf) in zip(seeds, jobs)}
    docs = {s: read_text_report(s) for s in seeds} if "docx" in formats else {}
    for i in range(n):
        seed = seeds[i % len(seeds)]
        fmt = formats[(i // len(seeds)) % len(formats)]
        target = folder / f"{seed.stem}-{i:06d}.{fmt}"
        if fmt == "txt":
            target.write_text(seed.read_text(encoding="utf-8") + f"\nBản sao số {i}.\n", encoding="utf-8")
        elif fmt == "pdf":
            target.write_bytes(printed[seed].read_bytes() + f"\n% copy {i}\n".encode())
        else:
            to_docx(_with_line(docs[seed], f"Bản sao số {i}."), target)
        counts[fmt] += 1
    return counts


def _with_line(doc, line: str):
    """The document with one more paragraph at its end (what makes a copy unique)."""
    from pipeline.models import Block

    start = len(doc.text) + 1
    return replace(doc, text=doc.text + "\n" + line, blocks=[*doc.blocks, Block("body", line, start=start, end=start + len(line))])


def _measure(corpus: Path, workers: int, work: Path) -> dict:
    out = work / f"out-{corpus.name}-{workers}"
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(corpus), str(out), str(workers)],
                          capture_output=True, text=True, cwd=Path.cwd(), check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    shutil.rmtree(out, ignore_errors=True)
    return result


def _ceiling(corpus: Path, workers: int) -> float:
    """How much faster `workers` processes do the corpus's per-document work than one, with nothing else to do."""
    done = subprocess.run([sys.executable, "-c", _CEILING, str(corpus), str(workers)],
                          capture_output=True, text=True, cwd=Path.cwd(), check=True)
    seconds = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds["1"] / seconds[str(workers)]


def _pages(corpus: Path) -> int:
    import pypdfium2 as pdfium

    total = 0
    for p in corpus.glob("*.pdf"):
        pdf = pdfium.PdfDocument(p)
        total += len(pdf)
        pdf.close()
    return total


def _baselines(corpus: Path) -> dict[str, tuple[float, str]]:
    """name -> (seconds, what was measured), on the corpus's own files."""
    out = {}
    pdfs = [p.read_bytes() for p in sorted(corpus.glob("*.pdf"))][:BASELINE_PDFS]
    if pdfs:
        from pipeline.bench.pdf import _pdfium, _plumber

        for name, fn in (("plain pypdfium2 text", _pdfium), ("plain pdfplumber extract_text", _plumber)):
            started = time.perf_counter()
            pages = sum(fn(b) for b in pdfs)
            out[name] = (time.perf_counter() - started, f"{pages} pages")
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    try:
        from underthesea import word_tokenize
    except ImportError:
        word_tokenize = None
    if word_tokenize is not None and texts:
        started = time.perf_counter()
        for text in texts:
            for line in text.splitlines():
                if line.strip():
                    word_tokenize(line)
        out["underthesea word_tokenize (text files)"] = (time.perf_counter() - started, f"{sum(map(len, texts)):,} chars")
    return out


@app.command("run")
def bench_run(
    sizes: str = typer.Option("50,500", "--sizes", help="Corpus sizes, comma-separated (files); each is measured with 1 worker and all cores."),
    workers: int = typer.Option(0, "--workers", help="The 'all cores' worker count (0: one per core)."),
    formats: str = typer.Option("txt,docx,pdf", "--formats", help="Formats of the copies."),
) -> None:
    """Files/s, MB/s, pages/s and peak memory of `baocao run` for 1 worker and all cores, on corpora growing 10x, with baselines."""
    require_bench_extra()
    console = bench_console()
    all_cores = workers or os.cpu_count() or 1
    counts = sorted(int(s) for s in sizes.split(",") if s.strip())
    rows, measured = [], {}
    with tempfile.TemporaryDirectory(prefix="baocao-bench-") as tmp:
        work = Path(tmp)
        text_only = None
        for n in counts:
            corpus = work / f"c{n}"
            made = build_corpus(corpus, n, tuple(f.strip() for f in formats.split(",")))
            size_mb = sum(p.stat().st_size for p in corpus.iterdir()) / 1e6
            pages = _pages(corpus)
            for w in sorted({1, all_cores}):
                r = _measure(corpus, w, work)
                measured[(n, w)] = r
                rows.append((n, w, made, size_mb, pages, r))
            text_only = corpus
        # right after the largest corpus's runs: the machine as they found it
        ceiling = _ceiling(text_only, all_cores) if all_cores > 1 else None
        # the text pipeline alone, on the text files of the largest corpus, against underthesea on the same
        # text; timed before and after the baselines, whose minute of work may slow a shared machine down
        text_corpus = work / "text-only"
        text_corpus.mkdir()
        for p in text_only.glob("*.txt"):
            shutil.copy(p, text_corpus / p.name)
        text_runs = [_measure(text_corpus, 1, work)]
        baselines = _baselines(text_only)
        text_runs.append(_measure(text_corpus, 1, work))
    _report(console, rows, measured, baselines, text_runs, text_only.name, counts, all_cores, ceiling)


def _report(console, rows, measured, baselines, text_runs, text_name, counts, all_cores, ceiling=None) -> None:
    table = Table(title="baocao run: whole pipeline (ingest, all extractors, corpus stages, Parquet)")
    for col in ("files", "workers", "formats", "MB", "seconds", "files/s", "MB/s", "pages/s", "peak RSS parent", "peak RSS worker"):
        table.add_column(col, justify="right")
    for n, w, made, size_mb, pages, r in rows:
        s = r["seconds"]
        table.add_row(
            str(n), str(w), " ".join(f"{k}:{v}" for k, v in made.items() if v), f"{size_mb:.1f}", f"{s:.2f}",
            f"{n / s:.1f}", f"{size_mb / s:.2f}", f"{pages / s:.1f}" if pages else "-",
            f"{r['rss_parent_kb'] / 1024:.0f} MB", f"{r['rss_worker_kb'] / 1024:.0f} MB",
        )
    console.print(table)
    base = Table(title=f"Baselines on the same files ({text_name})")
    base.add_column("baseline")
    base.add_column("seconds", justify="right")
    base.add_column("on")
    for name, (secs, what) in baselines.items():
        base.add_row(name, f"{secs:.2f}", what)
    pdf_pages = int(baselines["plain pypdfium2 text"][1].split()[0]) if "plain pypdfium2 text" in baselines else 0
    for when, run in zip(("before", "after"), text_runs):
        base.add_row(f"baocao run, text files only, 1 worker ({when} the baselines)", f"{run['seconds']:.2f}", f"{run['characters']:,} chars")
    console.print(base)
    largest = counts[-1]
    if all_cores > 1 and (largest, 1) in measured:
        speedup = measured[(largest, 1)]["seconds"] / measured[(largest, all_cores)]["seconds"]
        goal = GOAL_SPEEDUP_2 if all_cores == 2 else None
        console.print(f"{all_cores} workers vs 1 on {largest} files: {speedup:.2f}x" + (f" (goal >= {goal}x: {'meets' if speedup >= goal else 'MISSES'})" if goal else ""))
        if ceiling:
            console.print(f"  the same files' reading and extraction alone, dealt out to {all_cores} processes with nothing else "
                          f"to do: {ceiling:.2f}x (what this machine's cores gave just now); the run reached {speedup / ceiling:.0%} of it")
    if len(counts) >= 2:
        small, big = measured[(counts[0], 1)], measured[(counts[-1], 1)]
        growth = (big["rss_parent_kb"] + big["rss_worker_kb"]) / (small["rss_parent_kb"] + small["rss_worker_kb"])
        console.print(f"peak memory (parent + largest worker), {counts[0]} -> {counts[-1]} files: x{growth:.2f} "
                      f"(goal < x{GOAL_MEMORY_GROWTH}: {'meets' if growth < GOAL_MEMORY_GROWTH else 'MISSES'})")
    if pdf_pages:
        for name in ("plain pypdfium2 text", "plain pdfplumber extract_text"):
            console.print(f"{name}: {pdf_pages / baselines[name][0]:.1f} pages/s (`baocao bench pdf` compares our PDF ingestion on its own)")
    tok = baselines.get("underthesea word_tokenize (text files)")
    if tok:
        ratio = tok[0] / statistics.mean(run["seconds"] for run in text_runs)
        console.print(f"whole text pipeline (mean of its runs before and after) vs underthesea tokenizing the same text: {ratio:.2f}x faster "
                      f"(goal >= {GOAL_TEXT_VS_TOKENIZER:g}x: {'meets' if ratio >= GOAL_TEXT_VS_TOKENIZER else 'MISSES'})")
