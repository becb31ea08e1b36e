"""Citations read from real scans against those of their transcriptions.

    python scripts/ocr_transcriptions.py [SCAN.pdf=TRANSCRIPTION ...]

By default the scans of ../shared/corpus-extra that come with a transcription
(`duansohoa__*.pdf` with `*.ref.md`, `hcmut__test_1.pdf` with
`hcmut__test_1_ref.txt`). The scan is read as `baocao run` reads it (OCR), the
transcription as a text report; the citations with a code of each are listed
side by side: found in both, only in the transcription (missed, or the
transcription is wrong: the transcriptions are unverified, read the page image
where they disagree), only in the scan's reading. Dates are compared where
both give one.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.codes import compare_key  # noqa: E402
from pipeline.discover import InputFile  # noqa: E402
from pipeline.document import process_file  # noqa: E402

EXTRA = Path(__file__).resolve().parents[2] / "shared" / "corpus-extra"
DEFAULT = [
    ("duansohoa__09-2025-QD-TTg.pdf", "duansohoa__09-2025-QD-TTg.ref.md"),
    ("duansohoa__20-2020-QD-TTg.pdf", "duansohoa__20-2020-QD-TTg.ref.md"),
    ("duansohoa__7197-BKHCN-CDSQG.pdf", "duansohoa__7197-BKHCN-CDSQG.ref.md"),
    ("hcmut__test_1.pdf", "hcmut__test_1_ref.txt"),
]


def citations(path: Path) -> dict[str, tuple[str, set]]:
    """compare key -> (code as found, dates stated with it) of the coded citations of one file."""
    res = process_file(InputFile(path, path.name))
    out: dict[str, tuple[str, set]] = {}
    for ref in res.entities("references"):
        if ref.code:
            code, dates = out.setdefault(compare_key(ref.code), (ref.code, set()))
            if ref.issued_date:
                dates.add(ref.issued_date)
    return out


def compare(scan: Path, transcription: Path) -> tuple[int, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        as_text = Path(tmp) / (transcription.stem + ".txt")
        shutil.copy(transcription, as_text)
        wanted = citations(as_text)
    found = citations(scan)
    both = sorted(set(wanted) & set(found))
    print(f"\n{scan.name}: {len(wanted)} codes transcribed, {len(found)} read from the scan, {len(both)} in both")
    for key in both:
        (code, d1), (_, d2) = wanted[key], found[key]
        agree = "dates agree" if d1 == d2 else f"dates: transcribed {sorted(map(str, d1))}, scan {sorted(map(str, d2))}"
        print(f"  both            {code:28} {agree}")
    for key in sorted(set(wanted) - set(found)):
        print(f"  transcribed only {wanted[key][0]:28} {sorted(map(str, wanted[key][1]))}")
    for key in sorted(set(found) - set(wanted)):
        print(f"  scan only        {found[key][0]:28} {sorted(map(str, found[key][1]))}")
    return len(both), len(wanted), len(found)


def main() -> None:
    pairs = [tuple(a.split("=", 1)) for a in sys.argv[1:]] or [(EXTRA / s, EXTRA / t) for s, t in DEFAULT]
    total = [0, 0, 0]
    for scan, transcription in pairs:
        for i, n in enumerate(compare(Path(scan), Path(transcription))):
            total[i] += n
    both, wanted, found = total
    print(f"\nall: {both} of {wanted} transcribed codes read from the scans (recall {both / max(1, wanted):.3f}); "
          f"{found - both} read that the transcriptions do not have")


if __name__ == "__main__":
    main()
