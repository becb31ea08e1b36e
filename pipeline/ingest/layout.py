"""Lay plain report text out into blocks: paragraphs, footnotes, table cells, running lines.

Two kinds of text arrive as .txt files and are told apart automatically:

* DOCX-converter text ("paragraphs"): one paragraph per line, footnote markers
  `[footnoteRef:N]`, footnote bodies `[N: ...]` inline, `[bookmark: ...]`
  noise, tables as tab-prefixed lines (a blank line ends a row).
* PDF-extracted text ("wrapped"): lines wrapped at the page width, often with
  a blank line after each; footnote bodies at the page bottom as lines
  starting with their number, written in a smaller font so their lines are
  longer; footnote markers glued to the word they follow (`Đắk Lắk1`,
  `57-NQ/TW4`, `25/6/20255`); page numbers and link targets between lines.

Footnote markers leave this module as sentinels (pipeline.text.marker)
inside the block text; assembly turns them into anchor offsets.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from functools import lru_cache

import regex as re

from pipeline.models import Block
from pipeline.text import MARKER_RE, marker

# --- mode detection -------------------------------------------------------------

_TERMINAL = ".:;!?…"


def lay_out(text: str) -> tuple[list[Block], str]:
    if _looks_like_paragraphs(text):
        return paragraph_blocks(text), "paragraphs"
    return wrapped_blocks(text), "wrapped"


def _looks_like_paragraphs(text: str) -> bool:
    if "[footnoteRef:" in text or "[bookmark:" in text:
        return True
    if text.count("\f") >= 1:  # page breaks: text extracted page by page from a PDF
        return False
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) < 8 or sum(ln.startswith("\t") for ln in text.split("\n")) >= 3:
        return True
    wraps = sum(
        1
        for a, b in zip(lines, lines[1:])
        if a[-1] not in _TERMINAL and b[0].islower()
    )
    median = statistics.median(len(ln) for ln in lines)
    return not (wraps / (len(lines) - 1) > 0.15 and 25 <= median <= 160)


# --- shared ---------------------------------------------------------------------

_ENUM_HEAD = re.compile(r"^(?:PHẦN\s+[IVXLC\d]+|Phần\s+[IVXLC\d]+|[IVXLC]+\.|\d{1,2}(?:\.\d{1,2})*\.?|[a-zđ]\))\s+\S")


# letters counted by the regex engine, not a Python loop per character: layout calls these per line
_NOT_LETTER = re.compile(r"\P{L}+")
_NOT_UPPER = re.compile(r"\P{Lu}+")
_TWO_WORDS = re.compile(r"\p{L}\S*\s+\S*\p{L}")


@lru_cache(maxsize=4096)  # _breaks asks about each line twice, as the current and as the previous one
def _letter_counts(text: str) -> tuple[int, int]:
    """(letters, capital letters) in `text`."""
    letters = _NOT_LETTER.sub("", text)
    return len(letters), len(_NOT_UPPER.sub("", letters))


def heading_or_body(text: str) -> str:
    """`heading` for title-like lines (all capitals, or short numbered lines), else `body`."""
    s = text.strip()
    if len(s) <= 200:
        letters, upper = _letter_counts(s)
        if letters >= 3 and upper / letters > 0.9:
            return "heading"
    if len(s) <= 120 and _ENUM_HEAD.match(s) and s[-1] not in ".;,":
        return "heading"
    return "body"


# --- DOCX-converter text ----------------------------------------------------------

_FN_REF = re.compile(r"\[footnoteRef:\s*(\d{1,4})\]")
_FN_BODY_START = re.compile(r"\[(\d{1,4}):\s")
_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]")
_SLOT = "\ue000"  # where a footnote body stood
_CELL_LINE = re.compile(r"^ ?\t")


def _cut_footnote_bodies(text: str) -> tuple[str, list[tuple[int, str]]]:
    """Replace each `[N: body]` by a slot character; return the bodies in order."""
    out: list[str] = []
    bodies: list[tuple[int, str]] = []
    i = 0
    while True:
        m = _FN_BODY_START.search(text, i)
        if m is None:
            break
        close = _closing_bracket(text, m.start())
        if close is None:
            break
        out.append(text[i : m.start()])
        out.append(_SLOT)
        bodies.append((int(m.group(1)), text[m.end() : close]))
        i = close + 1
    out.append(text[i:])
    return "".join(out), bodies


def _closing_bracket(text: str, start: int, limit: int = 50000) -> int | None:
    depth = 0
    for j in range(start, min(len(text), start + limit)):
        ch = text[j]
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j
    return None


def paragraph_blocks(text: str) -> list[Block]:
    text, bodies = _cut_footnote_bodies(text)
    text = _FN_REF.sub(lambda m: marker(int(m.group(1))), text)
    text = _BOOKMARK.sub("", text)
    body_iter = iter(bodies)
    blocks: list[Block] = []

    def emit(block: Block) -> None:
        slots = block.text.count(_SLOT)
        block.text = block.text.replace(_SLOT, " ")
        if block.text.strip():
            blocks.append(block)
        for _ in range(slots):
            n, body = next(body_iter)
            blocks.append(Block(kind="footnote", text=body, footnote=n))

    lines = text.split("\n")
    table = -1
    in_table = False
    row = col = 0
    blank_before = True
    for idx, line in enumerate(lines):
        if not line.strip():
            blank_before = True
            continue
        if _CELL_LINE.match(line):
            if not in_table:
                in_table, table, row, col = True, table + 1, 0, -1
            elif blank_before:
                row, col = row + 1, -1
            for cell in line.strip(" ").split("\t")[1:] or [""]:
                col += 1
                emit(Block(kind="table_cell", text=cell, table=table, row=row, col=col))
        elif in_table and (not blank_before or _next_is_cell(lines, idx)):
            # a second paragraph inside the cell above
            last = next((b for b in reversed(blocks) if b.kind == "table_cell"), None)
            if last is not None and _SLOT not in line:
                last.text = f"{last.text} {line.strip()}"
            else:
                emit(Block(kind="table_cell", text=line, table=table, row=row, col=max(col, 0)))
        else:
            in_table = False
            emit(Block(kind=heading_or_body(line.replace(_SLOT, "")), text=line))
        blank_before = False
    for n, body in body_iter:  # bodies whose slot was lost (should not happen) still count
        blocks.append(Block(kind="footnote", text=body, footnote=n))
    return blocks


def _next_is_cell(lines: list[str], idx: int) -> bool:
    for line in lines[idx + 1 :]:
        if line.strip():
            return bool(_CELL_LINE.match(line))
    return False


# --- PDF-extracted text ---------------------------------------------------------------

PAGE_NUMBER = re.compile(r"(?:-\s*)?\d{1,3}(?:\s*-)?|(?:Trang|trang)\s+\d{1,3}(?:\s*/\s*\d{1,3})?")
_URL_ONLY = re.compile(r"(?:https?://|www\.)\S+")
_FN_START = re.compile(r"([1-9]\d{0,2})\s+(?=\S)")
_BULLET = re.compile(r"(?:[-+•*–]\s|\d{1,2}(?:\.\d{1,2})*\.\s|\d{1,2}\.\d{1,2}(?:\.\d{1,2})*\s|[a-zđ]\)\s|[IVXLC]+\.\s)")
_UNIT_WORDS = {"m", "km", "cm", "mm", "ha", "co", "ipv", "h", "covid", "g", "lte", "wifi", "mp", "vn"}
# digits after these belong to the word: QH15, HĐND9, KT1 (a network name), F1, G7
_NOT_MARKER_TAIL = re.compile(r"(?:QH|UBTVQH|HĐND|HĐNN|KT|F|G)$")


@dataclass(slots=True)
class Line:
    text: str
    page: int | None
    kind: str = "body"  # body | footnote | page_number | running | url | table
    footnote: int | None = None  # footnote number on the first line of a footnote
    cells: list[Block] | None = None  # a ruled table of a PDF page (kind table): its table_cell blocks
    words: list[tuple[str, float]] | None = None  # OCR'd lines: each word and Tesseract's confidence in it


def wrapped_blocks(text: str) -> list[Block]:
    lines = _split_lines(text)
    if not lines:
        return []
    width = body_width([len(ln.text) for ln in lines])
    running = running_lines(lines)
    _classify(lines, width, running)
    return build_blocks(lines, width)


def _split_lines(text: str) -> list[Line]:
    pages = text.split("\f")
    paged = len(pages) > 1
    raw = [(ln.rstrip(), i + 1 if paged else None) for i, page in enumerate(pages) for ln in page.split("\n")]
    nonblank = sum(1 for t, _ in raw if t.strip())
    followed_by_blank = sum(
        1 for (a, _), (b, _) in zip(raw, raw[1:]) if a.strip() and not b.strip()
    )
    # PDF extractors often put a blank line after every line: then blanks carry no meaning
    blanks_are_noise = nonblank and followed_by_blank / nonblank > 0.8
    out: list[Line] = []
    for t, page in raw:
        if t.strip():
            out.append(Line(t, page))
        elif not blanks_are_noise and out and out[-1].kind != "blank":
            out.append(Line("", page, kind="blank"))
    return out


def body_width(lengths: list[int]) -> float:
    lengths = [n for n in lengths if n > 0]
    if not lengths:
        return 80.0
    median = statistics.median(lengths)
    core = sorted(n for n in lengths if n <= 1.15 * median)
    return float(core[int(0.8 * (len(core) - 1))]) if core else float(median)


def running_lines(lines: list[Line]) -> set[str]:
    """Lines repeated at the top or bottom of most pages (headers, footers)."""
    pages: dict[int, list[str]] = {}
    for ln in lines:
        if ln.page is not None and ln.kind not in ("blank", "table"):
            pages.setdefault(ln.page, []).append(ln.text.strip())
    if len(pages) < 3:
        return set()
    counts: dict[str, int] = {}
    for texts in pages.values():
        edge = 2 if len(texts) >= 8 else 1  # only the first and last lines of a page can run
        for t in {*texts[:edge], *texts[-edge:]}:
            key = re.sub(r"\d+", "#", t)
            counts[key] = counts.get(key, 0) + 1
    return {k for k, c in counts.items() if c >= max(3, 0.5 * len(pages)) and len(k) <= 120}


def _classify(lines: list[Line], width: float, running: set[str]) -> None:
    long_lines = [len(ln.text) for ln in lines if len(ln.text) > 1.08 * width]
    fn_width = statistics.median(long_lines) if len(long_lines) >= 3 else 1.25 * width
    expected = 1
    last_marker = (0, 0)  # (line index, column) after the previous marker
    in_footnote = False
    for i, ln in enumerate(lines):
        if ln.kind == "blank":
            in_footnote = False
            continue
        s = ln.text.strip()
        if PAGE_NUMBER.fullmatch(s):
            ln.kind = "page_number"
            in_footnote = False
            continue
        if running and re.sub(r"\d+", "#", s) in running:
            ln.kind = "running"
            in_footnote = False
            continue
        m = _FN_START.match(s)
        if m and int(m.group(1)) == expected:
            found = _detach_marker(lines, last_marker, i, m.group(1))
            if found or len(s) > 1.08 * width:
                ln.kind, ln.footnote = "footnote", expected
                ln.text = s[m.end() :]
                last_marker = found or last_marker
                expected += 1
                in_footnote = True
                continue
        if in_footnote:
            prev = lines[i - 1].text.rstrip()
            prev_full = len(prev) + (2 if lines[i - 1].footnote else 0) >= 0.8 * fn_width
            ends = prev[-1:] in _TERMINAL
            if prev_full and not (ends and len(s) <= 1.05 * width):
                ln.kind = "footnote"
                continue
            in_footnote = False
        if _URL_ONLY.fullmatch(s):
            ln.kind = "url"


def _detach_marker(lines: list[Line], after: tuple[int, int], upto: int, digits: str) -> tuple[int, int] | None:
    """Find footnote marker `digits` glued to a word in body lines after `after`; replace it by a sentinel."""
    pattern = re.compile(rf"(?<=\S){digits}(?=[\s.,;:)”\]!?\"']|$)")
    best: tuple[int, int, int, int] | None = None  # (strength, line, start, end); lower strength is better
    for li in range(after[0], upto):
        ln = lines[li]
        if ln.kind != "body":
            continue
        start_col = after[1] if li == after[0] else 0
        for m in pattern.finditer(ln.text, start_col):
            strength = _marker_strength(ln.text, m.start(), digits)
            if strength is not None and (best is None or strength < best[0]):
                best = (strength, li, m.start(), m.end())
            if strength == 0:
                break
        if best is not None and best[0] == 0:
            break
    if best is None:
        return None
    _, li, s, e = best
    text = lines[li].text
    lines[li].text = text[:s] + marker(int(digits)) + text[e:]
    return (li, s + 1)


def _marker_strength(text: str, pos: int, digits: str) -> int | None:
    """0 glued to a lower-case word or closing quote, 1 to a code, 2 to a date; None: not a marker."""
    word = re.search(r"\S+$", text[:pos])
    if word is None:
        return None
    w = word.group(0)
    prev = w[-1]
    letters = re.sub(r"[^\p{L}]", "", w).lower()
    if prev.islower() or prev in ")]”\"’'»":
        if letters in _UNIT_WORDS or re.search(r"\d", w):
            return None if letters in _UNIT_WORDS else 1
        return 0
    if prev.isupper():
        if _NOT_MARKER_TAIL.search(w) or len(letters) <= 1:
            return None
        return 1
    if prev.isdigit() and re.search(r"\d{1,2}/\d{1,2}/\d{4}$", w):
        return 2
    return None


def build_blocks(lines: list[Line], width: float) -> list[Block]:
    blocks: list[Block] = []
    pending: list[Block] = []  # footnotes and running lines wait for the open paragraph to end
    para: list[Line] = []

    def close_paragraph() -> None:
        if para:
            text = _join([ln.text for ln in para])
            blocks.append(Block(kind=heading_or_body(text), text=text, page=para[0].page, ocr_words=_ocr_words(para)))
            para.clear()
        blocks.extend(pending)
        pending.clear()

    for i, ln in enumerate(lines):
        if ln.kind == "blank":
            close_paragraph()
        elif ln.kind == "footnote":
            if ln.footnote is not None or not pending or pending[-1].kind != "footnote":
                pending.append(Block(kind="footnote", text=ln.text.strip(), page=ln.page, footnote=ln.footnote, ocr_words=_ocr_words([ln])))
            else:
                pending[-1].text = _join([pending[-1].text, ln.text])
                pending[-1].ocr_words.extend(ln.words or ())
        elif ln.kind in ("page_number", "running"):
            pending.append(Block(kind="header", text=ln.text.strip(), page=ln.page, ocr_words=_ocr_words([ln])))
        elif ln.kind == "url":
            pending.append(Block(kind="body", text=ln.text.strip(), page=ln.page, ocr_words=_ocr_words([ln])))
        elif ln.kind == "table":  # a table ends the paragraph before it
            close_paragraph()
            blocks.extend(ln.cells or ())
        else:
            if para and _breaks(para[-1].text, ln.text, width):
                close_paragraph()
            para.append(ln)
    close_paragraph()
    return blocks


def _ocr_words(lines: list[Line]) -> list[tuple[str, float]]:
    return [w for ln in lines for w in (ln.words or ())]


def _join(parts: list[str]) -> str:
    """Join wrapped lines: a space between words, nothing after a hyphen glued to a word (04/CT- + UBND)."""
    text = parts[0].rstrip()
    for part in parts[1:]:
        part = part.strip()
        if text.endswith("-") and len(text) > 1 and not text[-2].isspace():
            text += part
        else:
            text += " " + part
        text = text.rstrip()
    return text


_CLOSING = "”\"’')]"
_CLOSERS = re.compile(r"[”\"’')\]\U000F0000-\U000FFFFD]+$")  # quotes, brackets, footnote sentinels


def _is_caps(text: str) -> bool:
    """A line in capitals (BÁO CÁO, I. KẾT QUẢ ...), not one ending in an acronym (GRDP.)."""
    letters, upper = _letter_counts(text)
    return letters >= 6 and upper / letters > 0.85 and _TWO_WORDS.search(text) is not None


def _breaks(prev: str, cur: str, width: float) -> bool:
    """Does `cur` start a new paragraph after line `prev`?"""
    p, c = prev.rstrip(), cur.strip()
    if not p:
        return True
    if len(p) > 1 and p.endswith("-") and not p[-2].isspace():
        return False  # a code or word split at the line end: 04/CT- + UBND
    prev_caps = _is_caps(p)
    # the last word of a wrapped capitals heading stands alone: "... BÀI HỌC KINH" + "NGHIỆM"
    cur_caps = _is_caps(c) or (prev_caps and c.isupper())
    if prev_caps != cur_caps:
        return True
    if prev_caps:  # a heading in capitals wraps like any line; only a new enumerator ends it
        return bool(_BULLET.match(c))
    if _BULLET.match(c) and heading_or_body(p) == "heading":
        return True  # "b) Hoạt động ..." then "- Tổ chức ..."
    last = p[-1]
    if last in _CLOSING or MARKER_RE.match(last):  # most lines end in a letter or a sign: no pattern needed
        last = _CLOSERS.sub("", p)[-1:] or p[-1]
    short = len(p) < 0.8 * width
    # a digit starts a paragraph only as an enumerator ("2. ..."), not "01/12/2022 của ..."
    starts_new = bool(_BULLET.match(c)) or c[:1].isupper() or c[:1] in "“\"("
    if last in _TERMINAL and (short or starts_new):
        return True
    return short and starts_new
