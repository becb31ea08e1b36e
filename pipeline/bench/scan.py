"""Make a realistic scan of a PDF: what a photocopied, faxed or office-scanned report looks like.

The tests and `baocao bench ocr` build their scans here from the gold reports'
PDF renderings (pipeline.bench.render), never from committed binaries: each
page is rendered at the scanner's resolution, turned by a small angle (paper
never lies straight on the glass), blurred (optics, toner spread), speckled
(dust, photocopier noise), JPEG-compressed as office scanners do and written
back as an image-only PDF, so nothing of the text layer survives.
Pillow only, with a seeded random generator: the same seed gives the same scan.
"""
from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ScanStyle:
    dpi: int = 200
    max_angle: float = 0.8  # degrees, each page turned by a random angle within +-max_angle
    blur: float = 0.6  # Gaussian radius in pixels at `dpi`
    speckles: int = 2500  # dark and light dots per A4 page
    jpeg_quality: int = 55
    gray_paper: int = 238  # a copy's paper is never white


def scan_pdf(src: Path, dest: Path, style: ScanStyle = ScanStyle(), seed: int = 0, pages: Sequence[int] | None = None) -> int:
    """Write `dest`, an image-only PDF of `src`'s pages as scanned; returns the number of pages."""
    import pypdfium2 as pdfium

    rng = random.Random(seed)
    pdf = pdfium.PdfDocument(str(src))
    try:
        images = []
        for i in pages or range(len(pdf)):
            page = pdf[i]
            try:
                image = page.render(scale=style.dpi / 72, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            images.append(_distort(image, style, rng))
    finally:
        pdf.close()
    # each page as a JPEG inside the PDF, as a scanner writes it
    jpegs = []
    for image in images:
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=style.jpeg_quality)
        jpegs.append(_reopen(buf.getvalue()))
    jpegs[0].save(dest, "PDF", resolution=style.dpi, save_all=True, append_images=jpegs[1:])
    return len(jpegs)


def _reopen(data: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(data))


def _distort(image, style: ScanStyle, rng: random.Random):
    from PIL import ImageDraw, ImageFilter

    # paper tone first, so the rotation's new corners are paper, not black
    image = image.point(lambda v: v * style.gray_paper // 255)
    angle = rng.uniform(-style.max_angle, style.max_angle)
    image = image.rotate(angle, resample=3, expand=False, fillcolor=style.gray_paper)  # 3: bicubic
    if style.blur:
        image = image.filter(ImageFilter.GaussianBlur(style.blur))
    draw = ImageDraw.Draw(image)
    width, height = image.size
    n = round(style.speckles * width * height / (1654 * 2339))  # A4 at 200 dpi
    for _ in range(n):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.choice((0, 0, 0, 1))
        tone = rng.choice((40, 90, 255))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tone)
    return image
