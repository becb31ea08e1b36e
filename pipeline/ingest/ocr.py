"""OCR of pages without a text layer: render, clean the image, read it with Tesseract.

Every step was chosen by measurement (scripts/ocr_experiment.py; README,
"Scanned PDFs"): character error rate against the text of the same pages, on
realistic scans of the gold reports (pipeline.bench.scan), and CPU seconds per
page. The defaults of `OcrSettings` are the winners; the other values stay
selectable so the experiment can measure them again on other scans.

Tesseract runs as a subprocess, one page at a time and one thread
(OMP_THREAD_LIMIT=1): the worker pool already keeps every core busy, a crash or
a hang costs one page's subprocess rather than the worker, and its start costs
0.15-0.25 s against 1-2 s of reading. It writes hOCR with each glyph's box,
which gives what plain text loses: each word's confidence, each line's type size
(pipeline.ingest.hocr: the PDF reader tells a scan's footnote zone by its
smaller type, as it does for text pages), superscripts, specks, and where each
word stands, to place it in a ruled table's cell (pipeline.ingest.scan_tables).
"""
from __future__ import annotations

import functools
import io
import math
import os
import resource
import shutil
import subprocess
from dataclasses import dataclass, field, replace

from pipeline.ingest import hocr, scan_tables
from pipeline.ingest.external import ToolTimeout, run_tool
from pipeline.text import clean_chars

OCR_TIMEOUT_S = 180  # one page
MAX_RENDER_PIXELS = 64_000_000  # a rendered page, grayscale: 64 MB here, about 10 times that in Tesseract
OCR_HINT = (
    "Install Tesseract with its Vietnamese model to read scanned pages: "
    "`apt-get install tesseract-ocr tesseract-ocr-vie` (`bash setup.sh` does it when run as root)."
)


# Characters no Vietnamese report prints but Tesseract reads into specks, rules and look-alike
# letters: `|` and `_` for rules and specks, `Ð` (Icelandic eth) and `Ñ` for Đ and N. Forbidden, so
# Tesseract takes its next choice. (A list of allowed characters instead breaks the Vietnamese
# models, which spell a letter with its tone marks as several symbols.)
NOT_IN_REPORTS = "|_\\~^¡¿¦«»ÐðÑñÇçËëÏïÎîÛûØøÅåÆæ"


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """How a page is read. The defaults are what measured best (see the module docstring)."""

    dpi: int = 0  # rendering resolution; 0: the scan's own (its image's), see reading_dpi
    lang: str = "vie"  # Tesseract model(s): vie, Vietnamese (the script model), vie+Vietnamese
    psm: int = 3  # page segmentation mode: 3 automatic, 4 one column, 6 one block
    deskew: bool = True  # measure the page's angle and turn it straight
    denoise: int = 3  # median filter size in pixels (0: none): speckles go, strokes stay
    binarize: str = "tesseract"  # tesseract (its own, and its LSTM reads the grey), otsu (ours, global), sauvola
    small_type: float = 0.0  # scale of a second pass over lines in small type (footnotes); 0: none
    alphabet: str = "any"  # any: the model's own characters; reports: NOT_IN_REPORTS forbidden
    heavy_noise: bool = False  # Tesseract's aggressive removal of specks before it finds the lines
    cleanup: bool = True  # superscripts cut and specks dropped by their glyphs' boxes (pipeline.ingest.hocr)
    tables: bool = True  # ruled tables found in the image, words placed in their cells (pipeline.ingest.scan_tables)


@dataclass(slots=True)
class OcrLine:
    text: str  # its words; a footnote marker as pipeline.text.marker(n), n = 0 when its digits could not be read
    size: float  # type size in points, from the x-height of its glyphs (0: not measured)
    top: float  # the line's box, as fractions of the page height (0 at the top) and width
    bottom: float
    left: float
    right: float
    words: list[tuple[str, float]] = field(default_factory=list)  # (word, Tesseract's confidence 0-100)
    lead: str | None = None  # the superscript number before its first word (a footnote's), as read
    cell: tuple[int, int, int] | None = None  # a ruled table's cell: (table on the page, row, column)
    columns: tuple[int, ...] = ()  # a cell's table: its column edges (pixels), to tell its continuation on the next page

    @property
    def conf(self) -> float:
        return mean_conf([self])


@dataclass(slots=True)
class OcrPage:
    number: int
    lines: list[OcrLine]
    angle: float = 0.0  # the skew found and undone, degrees
    seconds: float = 0.0  # CPU seconds, this process and Tesseract's
    dpi: int = 0  # the resolution it was read at
    reduced: int = 0  # the resolution it should have been read at, when MAX_RENDER_PIXELS made it less
    steps: dict[str, float] = field(default_factory=dict)  # CPU seconds of each step (`baocao bench ocr` shows them)

    @property
    def conf(self) -> float:
        return mean_conf(self.lines)

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


def mean_conf(lines: list[OcrLine]) -> float:
    """Mean word confidence, weighted by word length (0-100; 0 when there are no words)."""
    weight = sum(len(w) for ln in lines for w, _ in ln.words)
    return sum(len(w) * c for ln in lines for w, c in ln.words) / weight if weight else 0.0


class OcrError(Exception):
    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type, self.message = error_type, message


@functools.cache
def installed_languages() -> frozenset[str]:
    exe = shutil.which("tesseract")
    if exe is None:
        return frozenset()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(out.split("\n")[1:]) - {""} if out else frozenset()  # the first line is a title


def ocr_available() -> bool:
    return "vie" in installed_languages()


@functools.cache
def default_settings() -> OcrSettings:
    """The measured defaults; a model they name that is not installed gives way to `vie`."""
    settings = OcrSettings()
    missing = [lang for lang in settings.lang.split("+") if lang not in installed_languages()]
    return replace(settings, lang="vie") if missing else settings


MIN_DPI, MAX_DPI = 200, 400
UPSCALE_TO = 250
SHAPES_DPI = 300  # a page of text drawn as shapes has no resolution of its own


def read_page(page, number: int, settings: OcrSettings | None = None) -> OcrPage:
    """One PDF page (a pypdfium2 page) read by OCR."""
    settings = settings or default_settings()
    steps: dict[str, float] = {}
    started = cpu_seconds()
    wanted = settings.dpi or page_dpi(page)
    scale = render_scale(page.get_width(), page.get_height(), wanted)
    settings = replace(settings, dpi=round(scale * 72))
    image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    rendered = cpu_seconds()
    steps["render"] = rendered - started
    image, angle = prepare(image, settings)
    prepared = cpu_seconds()
    steps["deskew, denoise"] = prepared - rendered
    result = OcrPage(number, read_image(image, settings, number, steps=steps), angle, steps=steps, dpi=settings.dpi,
                     reduced=wanted if settings.dpi < wanted else 0)
    read = cpu_seconds()
    steps["glyph boxes, tables"] = read - prepared - steps["Tesseract"]
    if settings.small_type:
        second_pass(page, result, settings, angle)
        steps["small type again"] = cpu_seconds() - read
    result.seconds = cpu_seconds() - started
    return result


def render_scale(width_pt: float, height_pt: float, dpi: float, max_pixels: int = MAX_RENDER_PIXELS) -> float:
    """The scale to render a page at: `dpi`, or less where the page would exceed `max_pixels`.

    A PDF page may be 14400 pt square (5 m); at 300 dpi that is 3.6 gigapixels,
    which pdfium would allocate (3.5 GB), and Tesseract refuse. Tesseract needs
    about 10 bytes a pixel: the cap keeps it under 1 GB, and reads an A3 page
    at 300 dpi and an A0 poster at 200.
    """
    scale = dpi / 72
    pixels = width_pt * scale * height_pt * scale
    if pixels > max_pixels:
        scale *= math.sqrt(max_pixels / pixels)
    return scale


def page_dpi(page) -> int:
    """The resolution to render a page at: its largest image's own, so the scan is read as scanned
    and not resampled; within MIN_DPI..MAX_DPI (a fax or a 150 dpi scan is read enlarged)."""
    import pypdfium2.raw as pdfium_c

    best, width = 0, 0.0
    for obj in page.get_objects(max_depth=2):
        if obj.type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
            continue
        try:
            px, _ = obj.get_px_size()
            left, _, right, _ = obj.get_bounds()
        except Exception:  # an image pdfium cannot measure: judged by the others
            continue
        if right - left > width and px > 0:
            best, width = round(px / ((right - left) / 72)), right - left
    if not best or width < 0.5 * page.get_width():
        return SHAPES_DPI
    return reading_dpi(best)


def reading_dpi(native: int) -> int:
    """The resolution a scan of `native` dpi is read at: its own from MIN_DPI to MAX_DPI; below, enlarged
    by a whole factor to at least UPSCALE_TO (150 -> 300, 100 -> 300: whole factors add no resampling
    pattern); above, reduced by a whole factor (600 -> 300)."""
    if native < MIN_DPI:
        return native * math.ceil(UPSCALE_TO / native)
    if native > MAX_DPI:
        return round(native / math.ceil(native / MAX_DPI))
    return native


def cpu_seconds() -> float:
    """CPU seconds of this process and of the Tesseract processes it waited for."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def read_image(image, settings: OcrSettings, number: int = 1, psm: int | None = None,
               steps: dict[str, float] | None = None) -> list[OcrLine]:
    """The lines Tesseract reads on a prepared image, cleaned (pipeline.ingest.hocr); the words in a
    ruled table's cells as one line per cell, where the table begins. `steps` gets Tesseract's CPU time."""
    started = cpu_seconds()
    text = tesseract(png_bytes(image), settings, number, psm)
    if steps is not None:
        steps["Tesseract"] = steps.get("Tesseract", 0.0) + cpu_seconds() - started
    raw = hocr.parse(text)
    hocr.smooth_x_heights(raw)
    x_height = hocr.page_x_height(raw)
    grids = scan_tables.find_grids(image, otsu(image.convert("L"))) if settings.tables else []
    out: list[OcrLine] = []
    cells: dict[tuple[int, int, int], list[tuple[hocr.Word, hocr.HLine]]] = {}
    table_at: dict[int, int] = {}  # table -> where its cells go among the lines
    last = ""  # the last word read: the speck rules see across a line break
    for line in raw:
        if settings.cleanup:
            hocr.cut_superscripts(line, x_height)
        words = hocr.clean_words(line.words, last) if settings.cleanup else line.words
        last = words[-1].text if words else last
        for w in words:
            w.text = clean_chars(w.text)  # NFC, and look-alikes: Ð (U+00D0) is Đ
        if grids:
            words = _into_cells(words, line, grids, cells, table_at, len(out))
        if words:
            out.append(_line(words, line, x_height, image, settings))
    for t in sorted(table_at, reverse=True):  # from the last, so the earlier places stay right
        at = table_at[t]
        table = [(key, hocr.clean_cell([w for w, _ in ws]), ws[0][1]) for key, ws in sorted(cells.items()) if key[0] == t]
        out[at:at] = [_line(words, line, x_height, image, settings, cell=key, columns=tuple(grids[t].columns))
                      for key, words, line in table if words]
    return out


def _line(words: list, line, x_height: float, image, settings: OcrSettings, cell=None, columns=()) -> OcrLine:
    l, t, r, b = line.box
    return OcrLine(
        text=" ".join(w.text for w in words),
        size=(line.x_height or x_height) * hocr.X_TO_POINTS * 72 / settings.dpi,
        top=t / image.height, bottom=b / image.height, left=l / image.width, right=r / image.width,
        words=[(w.text, w.conf) for w in words],
        lead=None if cell else (line.words[0].lead if line.words else None),
        cell=cell, columns=columns,
    )


_RULE_READ = frozenset("|Il1[]!")  # what Tesseract makes of a vertical rule


def _into_cells(words: list, line, grids: list, cells: dict, table_at: dict, position: int) -> list:
    """Move the words standing in a table's cell to that cell; the words outside any table, returned."""
    rest = []
    for w in words:
        l, t, r, b = w.box
        for k, grid in enumerate(grids):
            place = grid.cell((l + r) / 2, (t + b) / 2)
            if place is not None:
                if not (w.text in _RULE_READ and any(l - 3 <= x <= r + 3 for x in grid.columns)):
                    cells.setdefault((k, *place), []).append((w, line))
                    table_at.setdefault(k, position)
                break
        else:
            rest.append(w)
    return rest


def png_bytes(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)  # fast: the bytes only cross a pipe
    return buf.getvalue()


def tesseract(png: bytes, settings: OcrSettings, number: int = 1, psm: int | None = None) -> str:
    cmd = ["tesseract", "stdin", "stdout", "-l", settings.lang, "--psm", str(psm or settings.psm), "--dpi", str(settings.dpi),
           # reports print no white-on-black lines: not reading each doubtful line inverted too saves 5%
           "-c", "tessedit_do_invert=0"]
    if settings.binarize == "sauvola":
        cmd += ["-c", "thresholding_method=2"]
    if settings.alphabet == "reports":
        cmd += ["-c", f"tessedit_char_blacklist={NOT_IN_REPORTS}"]
    if settings.heavy_noise:
        cmd += ["-c", "textord_heavy_nr=1"]
    cmd += ["-c", "hocr_char_boxes=1", "hocr"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:  # in a process group of its own, killed whole at the time limit (pipeline.ingest.external)
        done = run_tool(cmd, input=png, timeout=OCR_TIMEOUT_S, env=env)
    except ToolTimeout as exc:
        raise OcrError("ocr_timeout", f"OCR of page {number} took more than {OCR_TIMEOUT_S} s.") from exc
    except OSError as exc:
        raise OcrError("ocr_failed", f"Tesseract could not be started for page {number}: {exc}. {OCR_HINT}") from exc
    if done.returncode != 0:
        raise OcrError("ocr_failed", f"Tesseract failed on page {number}: {done.stderr.decode('utf-8', 'replace')[:300]}")
    return done.stdout.decode("utf-8", "replace")


# --- the image -------------------------------------------------------------------------


def prepare(image, settings: OcrSettings):
    """The page image cleaned for reading: (image, skew angle undone).

    Turned straight (bilinear: at 200-300 dpi bicubic reads no better and costs
    twice as much) and the specks taken out by a median filter. Cutting ink from
    paper is left to Tesseract: its LSTM reads the grey of each line, and a real
    150 dpi scan read from our own Otsu image had a fifth more errors
    (README, "Scanned PDFs"). With `otsu` the image is cut before the median
    filter, which on two tones is a majority vote, in half the time.
    """
    from PIL import ImageFilter

    angle = 0.0
    if settings.deskew:
        angle = skew_angle(image)
        if abs(angle) >= 0.05:
            image = image.rotate(angle, resample=2, expand=False, fillcolor=255)  # 2: bilinear
    if settings.binarize == "otsu":
        t = otsu(image)
        image = image.point(lambda v: 255 if v > t else 0)
    if settings.denoise:
        image = image.filter(ImageFilter.MedianFilter(settings.denoise))
    if settings.binarize == "otsu":
        image = image.convert("1", dither=0)  # Image.Dither.NONE: the values are 0 and 255 already
    return image, angle


def otsu(image) -> int:
    """The grey level that best splits ink from paper (Otsu's method, over the histogram)."""
    hist = image.histogram()[:256]
    total = sum(hist)
    sum_all = sum(i * h for i, h in enumerate(hist))
    best, best_t, w0, sum0 = -1.0, 128, 0, 0
    for t in range(256):
        w0 += hist[t]
        if w0 == 0 or w0 == total:
            continue
        sum0 += t * hist[t]
        m0, m1 = sum0 / w0, (sum_all - sum0) / (total - w0)
        between = w0 * (total - w0) * (m0 - m1) ** 2
        if between > best:
            best, best_t = between, t
    return best_t


def skew_angle(image, limit: float = 3.0) -> float:
    """The angle (degrees, counter-clockwise) that makes the text lines horizontal.

    Projection profiles: turned straight, the rows of a page alternate between
    ink (lines of text) and paper (the gaps), so the row sums vary most. Instead
    of turning the image for every angle tried, the page is cut into vertical
    strips whose row profiles are taken once (Pillow's box resize sums the rows
    without a loop over pixels); an angle shifts each strip's profile by its
    offset times the slope, so trying an angle costs one pass over the profiles.
    """
    small = image.reduce(max(1, image.width // 1000))
    t = otsu(small)
    ink = small.point(lambda v: 255 if v <= t else 0)
    strips = 16
    width = ink.width // strips
    profiles = [list(ink.crop((k * width, 0, (k + 1) * width, ink.height)).resize((1, ink.height), 4).tobytes()) for k in range(strips)]
    centre = (strips - 1) / 2

    def sharpness(angle: float) -> float:
        slope = math.tan(math.radians(angle))
        rows = [0.0] * ink.height
        for k, profile in enumerate(profiles):
            shift = round((k - centre) * width * slope)  # a line rising to the right sits higher in later strips
            lo, hi = max(0, -shift), min(ink.height, ink.height - shift)
            for y in range(lo, hi):
                rows[y] += profile[y + shift]
        return sum((a - b) ** 2 for a, b in zip(rows, rows[1:]))

    coarse = [i * 0.25 for i in range(round(-limit / 0.25), round(limit / 0.25) + 1)]
    best = max(coarse, key=sharpness)
    angle = max((best + i * 0.05 for i in range(-4, 5)), key=sharpness)
    return round(angle, 2) if sharpness(angle) > sharpness(0.0) * 1.02 else 0.0


# --- small type: a second look ------------------------------------------------------------


def second_pass(page, result: OcrPage, settings: OcrSettings, angle: float = 0.0) -> None:
    """Lines in type smaller than the body's (footnotes, notes under tables) read again at a higher resolution.

    Tesseract reads best when a letter is 20-30 pixels high; at the body's
    resolution a footnote's letters are three quarters of that. Only the band of
    the page that holds the small type is rendered again, at `small_type` times
    the resolution, and read as one block of lines; they replace the first
    reading's lines of that band when Tesseract is surer of them.
    """
    body = body_size(result.lines)
    small = [ln for ln in result.lines if 0 < ln.size < 0.88 * body]
    if not small or body == 0:
        return
    pad = 0.008
    top, bottom = max(0.0, min(ln.top for ln in small) - pad), min(1.0, max(ln.bottom for ln in small) + pad)
    zone = [i for i, ln in enumerate(result.lines) if ln.top >= top and ln.bottom <= bottom]
    if not zone:
        return
    height = page.get_height()
    scale = render_scale(page.get_width(), height * (bottom - top), settings.dpi * settings.small_type)
    hi = replace(settings, dpi=round(scale * 72), deskew=False)
    image = page.render(scale=scale, grayscale=True, crop=(0, (1 - bottom) * height, 0, top * height)).to_pil().convert("L")
    if abs(angle) >= 0.05:  # the band turned by the page's angle: its lines come out level, shifted a little
        image = image.rotate(angle, resample=2, expand=False, fillcolor=255)
    image, _ = prepare(image, hi)
    lines = read_image(image, hi, result.number, psm=6)
    for ln in lines:  # back to fractions of the whole page
        ln.top, ln.bottom = top + ln.top * (bottom - top), top + ln.bottom * (bottom - top)
    if lines and mean_conf(lines) > mean_conf([result.lines[i] for i in zone]):
        result.lines[zone[0] : zone[-1] + 1] = lines


def body_size(lines: list[OcrLine]) -> float:
    """The type size most of the page's text is set in (weighted by length)."""
    sizes: dict[float, int] = {}
    for ln in lines:
        if ln.size > 0:
            sizes[round(ln.size)] = sizes.get(round(ln.size), 0) + len(ln.text)
    return max(sizes, key=sizes.get) if sizes else 0.0
