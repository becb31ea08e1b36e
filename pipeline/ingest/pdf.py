"""PDF: text pages through pypdfium2, scanned pages through Tesseract.

Why pypdfium2 and not pdfplumber: pypdfium2's text extraction runs in C and
is about fifty times faster per page; pdfplumber builds a Python object per
character. Layout needs only a little more than the plain text: the font size
of each line (one call per line, not per character) tells the footnote zone at
the page bottom and the superscript markers from body text, and the text flow
module already knows how to join wrapped lines, keep the hyphen of a code
split across lines and recognise running lines and page numbers.

Pages with no text layer (scans, or text drawn as vector shapes) are read by
OCR (pipeline.ingest.ocr), one page at a time; their lines come back with the
type size their glyphs measure, so the same layout rules find a scan's
footnote zone, with each word's confidence, which the blocks carry on, and
with the cells of the ruled tables found in the image. Where Tesseract is
missing the file gets a `no_text_layer` error that says how to install it.
"""
from __future__ import annotations

import ctypes
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import regex as re

from pipeline.ingest import IngestError, Ingested, bombs
from pipeline.ingest.layout import PAGE_NUMBER, Line, body_width, build_blocks, running_lines
from pipeline.ingest.ocr import OCR_HINT, OcrError, OcrPage, ocr_available, read_page
from pipeline.ingest.pdf_tables import DocumentTables, PageTables
from pipeline.models import Block
from pipeline.text import MARKER_RE, marker, marker_number

_FN_NUMBER = re.compile(r"\s*(\d{1,3})\s*(?=\S)")
_FN_ALONE = re.compile(r"(\d{1,3})")
_UNIT_BEFORE = re.compile(r"(?<![\p{L}])(?:m|km|cm|mm|dm|ha)$")  # m², km², cm³: exponents, not markers
_LETTER = re.compile(r"\p{L}")
_DIGIT = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"(?<=\S)\d+(?=[\s.,;:)”\"’']|$)")


@dataclass(slots=True)
class _PLine:
    text: str
    size: float  # type size of its first visible character (0 when unknown)
    start: int  # char index of its first character in the text page
    low: bool = False  # it stands in the lower half of the page, where footnotes go
    table: list[Block] | None = None  # where a ruled table stands among the lines: its cells (pdf_tables, scan_tables)
    # OCR'd lines: each word's confidence, and whether a superscript number stood before
    # the first word whose digits could not be read (a footnote's number, numbered in order)
    words: list[tuple[str, float]] | None = None
    lead_unread: bool = False


def read_pdf(data: bytes, *, max_pages: int | None = None, ocr: bool = True, max_unpacked: int | None = None,
             on_page: Callable[[int, int], None] | None = None) -> Ingested:
    """A PDF's text, page by page (its text layer, else OCR), laid out into blocks; `on_page(number,
    n_pages)` is told before each page OCR reads (it takes seconds)."""
    pdf = _open(data, max_unpacked)
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise IngestError("empty_pdf", "The PDF has no pages.")
        if max_pages is not None and n_pages > max_pages:
            raise IngestError("too_many_pages", f"The PDF has {n_pages} pages, more than the limit of {max_pages}; raise --max-pages if it is genuine.")
        read = _read_pages(pdf, ocr and ocr_available(), on_page)
    finally:
        pdf.close()
    pages, no_text, ocr_pages = read.pages, read.no_text, read.ocr_pages
    if len(no_text) == n_pages and not ocr_pages:
        raise IngestError(
            "no_text_layer",
            f"None of the {n_pages} pages has a text layer (a scan, or text drawn as shapes) and OCR is not available. {OCR_HINT}",
        )
    # a scan's sizes are measured from its glyphs, a text layer's read from its fonts: each has its own body size
    body_size = {kind: _body_size([pl for number, plines in enumerate(pages, 1) if (number in ocr_pages) == kind for pl in plines])
                 for kind in (False, True)}
    lines: list[Line] = []
    expected, seen = [1], set()
    for number, plines in enumerate(pages, start=1):
        lines.extend(_classify_page(plines, number, body_size[number in ocr_pages], expected, seen))
    running = running_lines(lines)
    if running:
        for ln in _page_edges(lines):  # a running line stands first or last on its page, never mid-page
            if ln.kind == "body" and re.sub(r"\d+", "#", ln.text.strip()) in running:
                ln.kind = "running"
    width = body_width([len(ln.text) for ln in lines if ln.kind == "body"])
    blocks = build_blocks(lines, width)
    for block in blocks:
        if block.page in ocr_pages:
            block.ocr = True
            block.ocr_page_conf = ocr_pages[block.page]
    notes = []
    missed = [p + 1 for p in no_text if p + 1 not in ocr_pages]
    if missed:
        notes.append(f"pages without a text layer left unread (no OCR): {missed[:20]}")
    notes.extend(read.notes)
    doc_conf = _mean_conf([pl for n in ocr_pages for pl in pages[n - 1]]) if ocr_pages else None
    return Ingested("pdf", blocks, layout="pdf", n_pages=n_pages, ocr_pages=len(ocr_pages), ocr_conf=doc_conf, notes=notes)


@dataclass(slots=True)
class _Pages:
    pages: list[list[_PLine]]  # each page's lines, from its text layer or from OCR
    no_text: list[int]  # pages (0-based) without a text layer
    ocr_pages: dict[int, float]  # pages (1-based) OCR read -> the mean confidence of their words
    notes: list[str]


def _read_pages(pdf: pdfium.PdfDocument, ocr: bool, on_page: Callable[[int, int], None] | None) -> _Pages:
    out = _Pages([], [], {}, [])
    tables = DocumentTables()
    scans = _ScanTables(tables)
    next_marker = [1]  # the number the next marker OCR could not read takes
    for i in range(len(pdf)):
        page = pdf[i]
        try:
            textpage = page.get_textpage()
            try:
                plines = _page_lines(textpage, page.get_height(), tables.page(page.raw, textpage.raw, i + 1))
            finally:
                textpage.close()
            if not any(pl.text.strip() or pl.table for pl in plines):
                out.no_text.append(i)
                plines = []
                if ocr:
                    if on_page is not None:
                        on_page(i + 1, len(pdf))
                    try:
                        result = read_page(page, i + 1)
                    except OcrError as exc:
                        raise IngestError(exc.error_type, exc.message) from None
                    plines = _ocr_lines(result, next_marker, scans)
                    out.ocr_pages[i + 1] = _mean_conf(plines)
                    if result.reduced:
                        out.notes.append(_scaled_note(i + 1, page.get_width(), page.get_height(), result))
        finally:
            page.close()
        out.pages.append(plines)
    return out


def _scaled_note(number: int, width_pt: float, height_pt: float, result: OcrPage) -> str:
    return (f"page {number} is {width_pt:.0f} x {height_pt:.0f} pt; OCR read it rendered at {result.dpi} dpi "
            f"instead of {result.reduced} to bound memory")


def _body_size(plines: list[_PLine]) -> float:
    """The type size most text is set in (weighted by length)."""
    sizes: Counter[float] = Counter()
    for pl in plines:
        if pl.size > 0:
            sizes[round(pl.size, 1)] += len(pl.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _mean_conf(plines: list[_PLine]) -> float:
    """Mean word confidence, weighted by word length (0-100); a table's cells count too."""
    words = [w for pl in plines for w in pl.words or ()] + [w for pl in plines for b in pl.table or () for w in b.ocr_words]
    weight = sum(len(w) for w, _ in words)
    return round(sum(len(w) * c for w, c in words) / weight, 1) if weight else 0.0


class _ScanTables:
    """The tables OCR found, numbered with the text layer's (pdf_tables); a table running on from
    the page before, with the same columns, continues it."""

    def __init__(self, numbers: DocumentTables) -> None:
        self.numbers = numbers
        self.last: tuple[int, int, tuple[int, ...]] | None = None  # the last page's closing table: number, rows, columns

    def place(self, result: OcrPage) -> dict[int, tuple[int, int]]:
        """Each table of the page -> (its number in the document, the row its first row is)."""
        content = [ln for ln in result.lines if not PAGE_NUMBER.fullmatch(ln.text.strip())]
        out: dict[int, tuple[int, int]] = {}
        for t in sorted({ln.cell[0] for ln in result.lines if ln.cell}):
            first = bool(content) and content[0].cell is not None and content[0].cell[0] == t
            if first and self.last and _same_columns(self.last[2], _columns_of(result, t)):
                out[t] = (self.last[0], self.last[1])  # a table whose rows run on from the last page
            else:
                out[t] = (self.numbers.count, 0)
                self.numbers.count += 1
                self.numbers.last = None  # a text-layer table on the next page does not continue a scanned one
        closing = content[-1].cell if content and content[-1].cell else None
        self.last = None
        if closing:
            number, offset = out[closing[0]]
            rows = max(ln.cell[1] for ln in result.lines if ln.cell and ln.cell[0] == closing[0]) + 1
            self.last = (number, offset + rows, _columns_of(result, closing[0]))
        return out


def _columns_of(result: OcrPage, table: int) -> tuple[int, ...]:
    return next(ln.columns for ln in result.lines if ln.cell and ln.cell[0] == table)


def _same_columns(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= 0.01 * max(a[-1], 1) for x, y in zip(a, b))


def _ocr_lines(result: OcrPage, next_marker: list[int], tables: _ScanTables) -> list[_PLine]:
    """An OCR'd page's lines as the layout rules take them: markers whose digits were not read (or not in
    order) numbered in turn; each table's cells as blocks, on one line where the table stands."""
    out: list[_PLine] = []
    placed = tables.place(result)
    for ln in result.lines:
        if ln.cell:
            number, offset = placed[ln.cell[0]]
            cell = Block("table_cell", ln.text, page=result.number, table=number, row=offset + ln.cell[1], col=ln.cell[2],
                         ocr_words=list(ln.words))
            if out and out[-1].table and out[-1].table[-1].table == number:
                out[-1].table.append(cell)
            else:
                out.append(_PLine("", 0.0, -1, low=ln.top >= 0.5, table=[cell]))
            continue
        text = ln.text
        for m in MARKER_RE.finditer(ln.text):
            # markers run in order: digits read out of order (a small 4 read as 1) are misread too
            n = marker_number(m.group(0))
            if not next_marker[0] <= n <= next_marker[0] + 3:
                text = text.replace(m.group(0), marker(next_marker[0]), 1)
                n = next_marker[0]
            next_marker[0] = n + 1
        lead_unread = bool(ln.lead) and not ln.lead.isdigit()
        if ln.lead and not lead_unread:
            text = f"{ln.lead} {text}"
        out.append(_PLine(text, ln.size, -1, low=ln.top >= 0.5, words=ln.words, lead_unread=lead_unread))
    return out


def _page_edges(lines: list[Line]) -> list[Line]:
    by_page: dict[int | None, list[Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln)
    return [ln for page in by_page.values() for ln in (page[:2] + page[-2:] if len(page) > 4 else page)]


def _open(data: bytes, max_unpacked: int | None = None) -> pdfium.PdfDocument:
    # pdfium inflates a content stream whole, with no limit: 1.5 MB of deflated blanks took 2.5 GB
    found = bombs.flate_bomb(data, max_unpacked)
    if found is not None:
        offset, reached = found
        rule = bombs.rule_text(None, max_unpacked, "for one stream")
        raise IngestError(
            "stream_bomb",
            f"A compressed stream of the PDF (at byte {offset:,}) expands {rule}; it reached {reached:,} bytes "
            f"before it was stopped: refused as a likely decompression bomb. {bombs.HOW_TO_ALLOW}",
        )
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise IngestError("encrypted_pdf", "The PDF is encrypted with a password; save an unprotected copy and run again.") from exc
        raise IngestError("corrupt_file", f"The PDF cannot be opened ({exc}); it is damaged, truncated or not a PDF.") from exc


def _page_lines(textpage: pdfium.PdfTextPage, height: float, tables: PageTables | None = None) -> list[_PLine]:
    """The page's text lines, each with the type size of its first visible character.

    The lines inside a ruled table go to its cells instead (`tables`); where the
    table stands, one empty line holds its cells' blocks.
    """
    n = textpage.count_chars()
    if n <= 0:
        return []
    # pdfium turns a hyphen at a line end into U+FFFE and joins the lines, taking it for
    # word hyphenation; Vietnamese is not hyphenated, so it is a real one: 51/KH- + UBND
    text = textpage.get_text_range().replace("\ufffe", "-")
    aligned = len(text) == n  # then string offsets are char indices
    chars = _Chars(textpage)
    out = []
    pos = 0
    for raw in text.split("\r\n"):
        placed = None
        if tables is not None and aligned:
            left, placed = tables.take(raw, pos)  # what falls in a table's cells leaves the line, blanked
            if left is not raw and not left.strip():  # all of it: nothing left to lay out
                if placed is not None:
                    out.append(_PLine("", 0.0, -1, table=placed))
                pos += len(raw) + 2
                continue
            raw = left
        # the first letter, not the first character: a footnote line starts with its number
        first_letter = _LETTER.search(raw)
        letter = first_letter.start() if first_letter else None
        size, bottom = (out[-1].size, 0.0) if out else (0.0, height)  # no letter ("98,6%."): as the line before
        if aligned and letter is not None:
            size, bottom = chars.size(pos + letter), chars.bottom(pos + letter)
        low = bottom < 0.5 * height if letter is not None or not out else out[-1].low
        out.append(_PLine(raw.replace("\r", " ").replace("\n", " "), size, pos if aligned else -1, low))
        if placed is not None:
            out.append(_PLine("", 0.0, -1, table=placed))
        pos += len(raw) + 2
    if tables is not None:
        tables.finish()
    for pl in out:
        if pl.start >= 0 and pl.size > 0:
            pl.text = _superscripts(chars, pl)
    return _rejoin_split_syllables(out)


_ONSET_AT_END = re.compile(r"(?:^|(?<=[\s(/]))(?i:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)$")
_VOWELS = frozenset("aăâeêioôơuưyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def _rejoin_split_syllables(lines: list[_PLine]) -> list[_PLine]:
    """`v` + `ăn b` + `ản`: pdfium breaks the line where an accented vowel sits higher than its consonant.

    A line ending in a bare initial consonant (no Vietnamese syllable is only
    that) continued by a line starting with a vowel is one word: joined without
    a space. Gazette tables are full of these (`S|ố, ký hi|ệu`).
    """
    out: list[_PLine] = []
    for pl in lines:
        prev = out[-1] if out else None
        if prev is not None and pl.text[:1].lower() in _VOWELS and _ONSET_AT_END.search(prev.text.rstrip()):
            prev.text = prev.text.rstrip() + pl.text
            continue
        out.append(pl)
    return out


class _Chars:
    """Type size and box of a text page's characters (the ctypes structs made once per page)."""

    def __init__(self, textpage: pdfium.PdfTextPage):
        self.raw = textpage.raw
        self.matrix = pdfium_c.FS_MATRIX()
        self.rect = pdfium_c.FS_RECTF()
        self.matrix_ref = ctypes.byref(self.matrix)
        self.rect_ref = ctypes.byref(self.rect)

    def size(self, index: int) -> float:
        """The type size as the reader sees it.

        FPDFText_GetFontSize gives the size before the text matrix scales it (often
        1.0 in printed gazettes): the size seen is that times the matrix's vertical scale.
        """
        size = pdfium_c.FPDFText_GetFontSize(self.raw, index)
        if pdfium_c.FPDFText_GetMatrix(self.raw, index, self.matrix_ref):
            size *= math.hypot(self.matrix.c, self.matrix.d)
        return size

    def bottom(self, index: int) -> float:
        return self.rect.bottom if pdfium_c.FPDFText_GetLooseCharBox(self.raw, index, self.rect_ref) else 0.0


def _superscripts(chars: _Chars, pl: _PLine) -> str:
    """Digits set smaller than their line at the end of a word: footnote markers, as sentinels.

    The marker may follow a letter (`Đắk Lắk1`), a code or a date (`20251`): the
    size of each trailing digit decides where the word ends and the marker begins.
    """
    if _DIGIT.search(pl.text) is None:
        return pl.text
    out, last = [], 0
    for m in _DIGIT_RUN.finditer(pl.text):
        start = m.end()
        while start > m.start() and m.end() - start < 3:
            size = chars.size(pl.start + start - 1)
            if not (0 < size < 0.8 * pl.size):
                break
            start -= 1
        if start == m.end() or _UNIT_BEFORE.search(pl.text, 0, start) or (start == m.start() and m.start() == 0):
            continue
        out.append(pl.text[last:start])
        out.append(marker(int(pl.text[start : m.end()])))
        last = m.end()
    return "".join(out) + pl.text[last:] if out else pl.text


def _footnote_number(m: re.Match | None, pl: _PLine, expected: int) -> int | None:
    """The number of the footnote a small-type line opens, None when it opens none.

    A text layer numbers footnotes without gaps. OCR may have missed one (its
    number read as a letter, its line taken for body type), so on an OCR'd page
    the next few numbers are taken too, and a superscript it could not read
    is the one expected.
    """
    if pl.lead_unread:
        return expected
    if m is None:
        return None
    number = int(m.group(1))
    if number == expected or (pl.words is not None and expected < number <= expected + 3):
        return number
    return None


def _classify_page(plines: list[_PLine], page: int, body_size: float, expected: list[int], seen: set[int]) -> list[Line]:
    """Body, footnote, page-number and marker lines of one page, in reading order.

    `expected` holds the next footnote number, `seen` the markers met so far: a
    footnote starts only where its marker was seen in the text before it, so a
    table in small type (numbered rows) does not pass for footnotes.
    """
    lines = [Line(pl.text.rstrip(), page, words=pl.words) if pl.table is None else Line("", page, "table", cells=pl.table)
             for pl in plines]
    visible = [i for i, ln in enumerate(lines) if ln.text.strip()]
    small = {i for i in visible if 0 < plines[i].size < 0.9 * body_size}
    for i in visible[:2] + visible[-2:]:
        if PAGE_NUMBER.fullmatch(lines[i].text.strip()):
            lines[i].kind = "page_number"
    body_like = [i for i in visible if i not in small and lines[i].kind == "body"]
    last_body = body_like[-1] if body_like else -1
    for i in visible:
        if i <= last_body:  # markers set in smaller type inside a line (pdf._superscripts)
            seen.update(marker_number(m) for m in MARKER_RE.findall(lines[i].text))
    # superscript markers the extractor put on a line of their own, inside the body: glue them to the line before
    for i in visible:
        s = lines[i].text.strip()
        # after the last body line only the first mention of the number is a marker; the second opens its footnote
        stray = i > last_body and s.isdigit() and int(s) not in seen and all(lines[j].kind != "glued" for j in visible if last_body < j < i)
        if (i < last_body or stray) and i in small and s.isdigit() and len(s) <= 3 and lines[i].kind == "body":
            prev = next((j for j in range(i - 1, -1, -1) if lines[j].kind == "body" and lines[j].text.strip()), None)
            if prev is not None:
                lines[prev].text = lines[prev].text.rstrip() + marker(int(s))
                lines[i].kind = "glued"
                seen.add(int(s))
    # the footnote zone: small type in the lower half, after the page's last line of body type
    # a footnote too long for its page goes on under the rule of the next one, without a number
    in_footnote = expected[0] > 1
    for i in visible:
        if i <= last_body or i not in small or not plines[i].low or lines[i].kind != "body":
            continue
        s = lines[i].text.strip()
        m = _FN_NUMBER.match(s) or _FN_ALONE.fullmatch(s)
        number = _footnote_number(m, plines[i], expected[0])
        # OCR may miss a marker in the body, or read a footnote's superscript number as no digit at all
        if number is not None and (expected[0] in seen or plines[i].words is not None):
            # the number may stand alone on its line, in smaller type than the text that follows
            lines[i].kind, lines[i].footnote = "footnote", number
            lines[i].text = s if plines[i].lead_unread else s[m.end() :]
            expected[0] = number + 1
            in_footnote = True
        elif in_footnote:
            lines[i].kind = "footnote"
    return [ln for ln in lines if ln.kind != "glued" and (ln.text.strip() or ln.footnote is not None or ln.kind == "table")]
