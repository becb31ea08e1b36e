"""Measure OCR configurations: character error rate and CPU seconds per page.

    python scripts/ocr_experiment.py REFERENCE.pdf:PAGES [...] [--seed N] [--only NAME,...]

Each REFERENCE.pdf is a born-digital PDF (for the gold reports: printed by
pipeline.bench.render); its scan is made here (pipeline.bench.scan: 200 dpi,
a small angle, blur, speckles, JPEG 55). PAGES (`1,4,7`, 1-based) keeps the run
small: OCR is slow and the machine shared. For every configuration the script
reads those pages of the scan with pipeline.ingest.ocr and prints the CER
against the reference's own text layer, over whole pages and over their small
type (footnotes: lines set smaller than the body, on both sides), the mean
word confidence and the CPU seconds per page (this process and Tesseract's).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.bench.cer import edit_distance, normalized  # noqa: E402
from pipeline.bench.scan import ScanStyle, scan_pdf  # noqa: E402
from pipeline.ingest import ocr  # noqa: E402
from pipeline.text import MARKER_RE  # noqa: E402

BASE = ocr.OcrSettings(dpi=300, lang="vie", psm=3, deskew=False, denoise=0, binarize="tesseract", small_type=0,
                       alphabet="any", heavy_noise=False, cleanup=False)
_C = replace(BASE, cleanup=True)
_O = replace(_C, deskew=True, denoise=3, binarize="otsu")
CONFIGS = {
    "main: 300 dpi, vie, psm 3, plain text": BASE,
    "main at 200 dpi": replace(BASE, dpi=200),
    "main at 400 dpi": replace(BASE, dpi=400),
    "C = main + glyph boxes (specks, superscripts)": _C,
    "C + denoise (median 3)": replace(_C, denoise=3),
    "C + deskew": replace(_C, deskew=True),
    "C + deskew + denoise": replace(_C, deskew=True, denoise=3),
    "C + deskew + denoise + sauvola": replace(_C, deskew=True, denoise=3, binarize="sauvola"),
    "O = C + deskew + denoise + otsu": _O,
    "O + heavy noise removal": replace(_O, heavy_noise=True),
    "O + no-report characters forbidden": replace(_O, alphabet="reports"),
    "O, psm 4": replace(_O, psm=4),
    "O, psm 6": replace(_O, psm=6),
    "O, model Vietnamese": replace(_O, lang="Vietnamese"),
    "O, models vie+Vietnamese": replace(_O, lang="vie+Vietnamese"),
    "O, at the scan's own resolution (200-400)": replace(_O, dpi=0),
    "O, own resolution, no deskew": replace(_O, dpi=0, deskew=False),
    "O, 400 dpi": replace(_O, dpi=400),
    "O, 300 dpi": replace(_O, dpi=300),
    "O, 250 dpi": replace(_O, dpi=250),
    "O, 200 dpi": replace(_O, dpi=200),
    "O, 250 dpi, small type again at 400": replace(_O, dpi=250, small_type=1.6),
    "O, 200 dpi, small type again at 400": replace(_O, dpi=200, small_type=2.0),
    "O, 300 dpi, small type again at 450": replace(_O, small_type=1.5),
    "O, 250 dpi, vie+Vietnamese, small type again at 400": replace(_O, dpi=250, lang="vie+Vietnamese", small_type=1.6),
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
        whole = " ".join(pl.text for pl in lines)
        small = " ".join(pl.text for pl in lines if 0 < pl.size < 0.9 * body)
        out[n] = (whole, small)
    pdf.close()
    return out


def measure(scan: Path, refs: dict[int, tuple[str, str]], settings: ocr.OcrSettings) -> dict[str, float]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(scan))
    errors = chars = small_errors = small_chars = 0
    conf = seconds = 0.0
    for i, n in enumerate(sorted(refs)):
        page = pdf[i]
        result = ocr.read_page(page, n, settings)
        seconds += result.seconds
        whole, small = refs[n]
        errors += edit_distance(normalized(whole), normalized(_visible(result.text)))
        chars += len(normalized(whole))
        # the small type against the closest part of the whole reading: wherever the reading put it
        small_errors += edit_distance(normalized(small), normalized(_visible(result.text)), anywhere=True)
        small_chars += len(normalized(small))
        conf += result.conf
        page.close()
    pdf.close()
    n = len(refs)
    return {"cer": errors / chars, "small_cer": small_errors / max(1, small_chars), "conf": conf / n, "cpu": seconds / n}


def _visible(text: str) -> str:
    """The reading as characters: footnote markers (sentinels) as the digit 1, the reference has digits there."""
    return MARKER_RE.sub("1", text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="+", help="REFERENCE.pdf:PAGES")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--angle", type=float, default=0.8, help="the scans' pages turn by up to this many degrees")
    ap.add_argument("--scan-dpi", type=int, default=200, help="the scans' resolution")
    ap.add_argument("--only", default="", help="comma-separated configuration names (substrings)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ocr-experiment-"))
    sets = []
    for k, spec in enumerate(args.inputs):
        path, _, pages = spec.rpartition(":")
        numbers = [int(p) for p in pages.split(",")]
        scan = work / f"scan{k}.pdf"
        style = replace(ScanStyle(), max_angle=args.angle, dpi=args.scan_dpi)
        scan_pdf(Path(path), scan, style, seed=args.seed + k, pages=[p - 1 for p in numbers])
        sets.append((scan, reference_pages(Path(path), numbers)))
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    print(f"{'configuration':44} {'CER':>7} {'small CER':>10} {'conf':>6} {'CPU s/page':>11}")
    for name, settings in CONFIGS.items():
        if wanted and not any(w in name for w in wanted):
            continue
        if any(lang not in ocr.installed_languages() for lang in settings.lang.split("+")):
            print(f"{name:44} (model not installed)")
            continue
        started = time.perf_counter()
        rows = [measure(scan, refs, settings) for scan, refs in sets]
        pages = sum(len(refs) for _, refs in sets)
        weights = [len(refs) / pages for _, refs in sets]
        avg = {key: sum(w * r[key] for w, r in zip(weights, rows)) for key in rows[0]}
        print(f"{name:44} {avg['cer']:7.2%} {avg['small_cer']:10.2%} {avg['conf']:6.1f} {avg['cpu']:11.2f}"
              f"   ({time.perf_counter() - started:.0f} s wall)", flush=True)


if __name__ == "__main__":
    main()
