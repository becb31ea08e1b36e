"""Measure OCR configurations: character error rate and CPU seconds per page.

    python scripts/ocr_experiment.py REFERENCE.pdf:PAGES [...] [--scan-dpi 200,150] [--real SCAN.pdf=TEXT]
                                     [--angle 0.8] [--only NAME,...]

Each REFERENCE.pdf is a born-digital PDF (for the gold reports: printed by
pipeline.bench.render); its scans are made here (pipeline.bench.scan: at each
`--scan-dpi`, a small angle, blur, speckles, JPEG 55). PAGES (`1,4,7`, 1-based)
keeps the run small: OCR is slow and the machine shared. `--real` adds a real
scan read against its transcription (whole document; the transcription's own
mistakes count against every configuration alike).

For every configuration: the CER against the reference's text layer over whole
pages, over their small type (the footnotes: the reference's lines set smaller
than its body, against the closest part of the page's reading, wherever the
reading put them), on the real scan, and the CPU seconds per page (this
process and Tesseract's). `F` is baocao's reading (pipeline.ingest.ocr's
defaults); the others change one thing.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.bench.cer import edit_distance, normalized  # noqa: E402
from pipeline.bench.scan import ScanStyle, scan_pdf  # noqa: E402
from pipeline.ingest import ocr  # noqa: E402
from pipeline.text import MARKER_RE  # noqa: E402

F = ocr.OcrSettings()
MAIN = replace(F, dpi=300, deskew=False, denoise=0, binarize="tesseract", cleanup=False, tables=False)
CONFIGS = {
    "main before issue 15: 300 dpi, vie, psm 3, plain": MAIN,
    "F = baocao: own dpi, deskew, median 3, glyphs, tables": F,
    "F without glyph-box cleanup": replace(F, cleanup=False),
    "F without deskew": replace(F, deskew=False),
    "F without denoise": replace(F, denoise=0),
    "F without table cells": replace(F, tables=False),
    "F, our Otsu binarization": replace(F, binarize="otsu"),
    "F, Sauvola binarization (Tesseract's)": replace(F, binarize="sauvola"),
    "F at 200 dpi": replace(F, dpi=200),
    "F at 300 dpi": replace(F, dpi=300),
    "F at 400 dpi": replace(F, dpi=400),
    "F, psm 4": replace(F, psm=4),
    "F, psm 6": replace(F, psm=6),
    "F, model Vietnamese (script)": replace(F, lang="Vietnamese"),
    "F, models vie+Vietnamese": replace(F, lang="vie+Vietnamese"),
    "F, small type read again at 1.5x": replace(F, small_type=1.5),
    "F, characters no report prints forbidden": replace(F, alphabet="reports"),
    "F, Tesseract's heavy noise removal": replace(F, heavy_noise=True),
}


def reference_pages(pdf_path: Path, pages: list[int]) -> dict[int, tuple[str, str]]:
    """(whole page, small type) of each page, from the born-digital PDF's text layer."""
    import pypdfium2 as pdfium

    from pipeline.ingest.pdf import _page_lines

    pdf = pdfium.PdfDocument(str(pdf_path))
    out = {}
    for n in pages:
        page = pdf[n - 1]
        textpage = page.get_textpage()
        lines = _page_lines(textpage, page.get_height())
        textpage.close()
        sizes = sorted(pl.size for pl in lines if pl.size > 0)
        body = sizes[len(sizes) // 2] if sizes else 0
        out[n] = (" ".join(pl.text for pl in lines), " ".join(pl.text for pl in lines if 0 < pl.size < 0.9 * body))
    pdf.close()
    return out


def _visible(text: str) -> str:
    """The reading as characters: footnote markers (sentinels) as the digit 1, the reference has digits there."""
    return MARKER_RE.sub("1", text)


def measure_scan(scan: Path, refs: dict[int, tuple[str, str]], settings: ocr.OcrSettings, tally: dict) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(scan))
    for i, n in enumerate(sorted(refs)):
        result = ocr.read_page(pdf[i], n, settings)
        whole, small = (normalized(t) for t in refs[n])
        reading = normalized(_visible(result.text))
        _add(tally, "cer", edit_distance(whole, reading), len(whole))
        _add(tally, "small", edit_distance(small, reading, anywhere=True), len(small))
        _add(tally, "cpu", result.seconds, 1)
    pdf.close()


def measure_real(scan: Path, transcription: Path, settings: ocr.OcrSettings, tally: dict) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(scan))
    pages = [ocr.read_page(pdf[i], i + 1, settings) for i in range(len(pdf))]
    pdf.close()
    ref = normalized(transcription.read_text(encoding="utf-8"))
    _add(tally, "real", edit_distance(ref, normalized(_visible("\n".join(p.text for p in pages)))), len(ref))
    _add(tally, "cpu", sum(p.seconds for p in pages), len(pages))


def _add(tally: dict, key: str, errors: float, n: int) -> None:
    a = tally.setdefault(key, [0.0, 0])
    a[0] += errors
    a[1] += n


def _scans(args, work: Path) -> list[tuple[str, Path, dict]]:
    out = []
    for dpi in [int(d) for d in args.scan_dpi.split(",")]:
        for k, spec in enumerate(args.inputs):
            path, _, pages = spec.rpartition(":")
            numbers = [int(p) for p in pages.split(",")]
            scan = work / f"scan{dpi}-{k}.pdf"
            scan_pdf(Path(path), scan, replace(ScanStyle(), max_angle=args.angle, dpi=dpi), seed=args.seed + k,
                     pages=[p - 1 for p in numbers])
            out.append((f"{dpi} dpi", scan, reference_pages(Path(path), numbers)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="+", help="REFERENCE.pdf:PAGES")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--angle", type=float, default=0.8, help="the scans' pages turn by up to this many degrees")
    ap.add_argument("--scan-dpi", default="200", help="the scans' resolutions, comma-separated")
    ap.add_argument("--real", default="", help="SCAN.pdf=TRANSCRIPTION: a real scan and its text")
    ap.add_argument("--only", default="", help="comma-separated configuration names (substrings)")
    args = ap.parse_args()
    sets = _scans(args, Path(tempfile.mkdtemp(prefix="ocr-experiment-")))
    groups = sorted({g for g, _, _ in sets}, key=lambda g: -int(g.split()[0]))
    header = "".join(f"{'CER ' + g:>14}{'small':>8}" for g in groups) + (f"{'real scan':>11}" if args.real else "")
    print(f"{'configuration':54}{header}{'CPU s/page':>12}", flush=True)
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    for name, settings in CONFIGS.items():
        if wanted and not any(w in name for w in wanted):
            continue
        if any(lang not in ocr.installed_languages() for lang in settings.lang.split("+")):
            print(f"{name:54} (model not installed)")
            continue
        cells, cpu = [], {}
        for g in groups:
            tally: dict = {}
            for _, scan, refs in (s for s in sets if s[0] == g):
                measure_scan(scan, refs, settings, tally)
            cells.append(f"{tally['cer'][0] / tally['cer'][1]:14.2%}{tally['small'][0] / max(1, tally['small'][1]):8.2%}")
            _add(cpu, "cpu", *tally["cpu"])
        if args.real:
            scan, _, text = args.real.partition("=")
            tally = {}
            measure_real(Path(scan), Path(text), settings, tally)
            cells.append(f"{tally['real'][0] / tally['real'][1]:11.2%}")
            _add(cpu, "cpu", *tally["cpu"])
        print(f"{name:54}{''.join(cells)}{cpu['cpu'][0] / cpu['cpu'][1]:12.2f}", flush=True)


if __name__ == "__main__":
    main()
