"""Tesseract's hOCR read into lines of text, with what the glyphs' boxes tell.

Tesseract reads a scan's specks and superscripts as characters: a speck
beside a word becomes `.`, `,` or `'` (`hoạt động. của Sở`, `Quyết , định`),
a footnote marker becomes `?`, `!` or a digit glued to its word (`Quảng
Ngãi?.`, `năm 20251`), a hyphen read twice `04- - TB`. Plain text cannot tell
them from real characters; the boxes of the glyphs (hOCR with
`hocr_char_boxes`) can:

- the line's x-height (the median height of its plain small letters, `acemnorsuvwxz`)
  gives its type size, so a scan's footnotes are told by their smaller type as a
  text PDF's are;
- a group of glyphs at the end of a word whose bottom sits well above the
  baseline is a superscript: a footnote marker (or, at the start of a footnote
  line, its number), never part of the word;
- a lone punctuation mark between words, or one glued to the start of a word,
  is a speck: prose never sets `,` or `.` apart from its word, nor before a letter;
- a full stop followed by a lower-case word is a speck: a sentence never
  starts in lower case (abbreviations such as `v.v.` and `TP.` are kept);
  so is a dash between a lower-case word and a number (`số-32/2019/NĐ-CP`), or
  before a code (`số -13-NQ/TU`), or between `ngày` and its date (`ngày - 28/02/2025`).

Each word keeps Tesseract's confidence (0-100), which travels on to the
blocks and the entities found in them.
"""
from __future__ import annotations

import html
import statistics
from dataclasses import dataclass, field

import regex as re

from pipeline.text import marker

_LINE = re.compile(
    r"<span class='ocr_(?:line|header|caption|textfloat)'[^>]*title=\"bbox (\d+) (\d+) (\d+) (\d+); baseline ([-\d.]+) ([-\d.]+); x_size ([\d.]+)"
)
_WORD = re.compile(r"<span class='ocrx_word'[^>]*title='bbox (\d+) (\d+) (\d+) (\d+); x_wconf (\d+)'")
_CHAR = re.compile(r"<span class='ocrx_cinfo' title='x_bboxes (\d+) (\d+) (\d+) (\d+); x_conf ([\d.]+)'>(.*?)</span>", re.S)

_PLAIN_SMALL = frozenset("acemnorsuvwxz")  # no ascender, descender nor diacritic: their height is the x-height
_PLAIN_TALL = frozenset("ABCDEFGHIKLMNPRSTUVXYZ0123456789")  # capitals and digits without marks: cap height
CAP_TO_X = 1.45  # cap height over x-height, about the same in the serif faces reports are set in
X_TO_POINTS = 1 / 0.46  # type size over x-height (Times: 0.448 em)


@dataclass(slots=True)
class Glyph:
    """One character Tesseract read, with its box (pixels, top-left origin) and confidence."""

    text: str
    left: int
    top: int
    right: int
    bottom: int
    conf: float


@dataclass(slots=True)
class Word:
    text: str
    conf: float  # Tesseract's word confidence, 0-100
    glyphs: list[Glyph] = field(default_factory=list)
    box: tuple[int, int, int, int] = (0, 0, 0, 0)
    marker: str | None = None  # a superscript group cut from its end (a footnote marker), as read; its sentinel
    # (pipeline.text.marker) stands in `text` where it was
    lead: str | None = None  # ... from its start (the first word of a footnote: its number), as read


@dataclass(slots=True)
class HLine:
    """One line of the page as Tesseract found it."""

    box: tuple[int, int, int, int]
    slope: float
    offset: float
    x_size: float  # Tesseract's estimate of the line's height (pixels)
    words: list[Word] = field(default_factory=list)
    x_height: float = 0.0  # measured from the glyphs (pixels); 0 when the line has none to measure

    def baseline(self, x: float) -> float:
        return self.box[3] + self.offset + self.slope * (x - self.box[0])


def parse(hocr: str) -> list[HLine]:
    """hOCR (with character boxes) as lines of words of glyphs, in Tesseract's reading order."""
    lines: list[HLine] = []
    events = sorted(
        [(m.start(), 0, m) for m in _LINE.finditer(hocr)]
        + [(m.start(), 1, m) for m in _WORD.finditer(hocr)]
        + [(m.start(), 2, m) for m in _CHAR.finditer(hocr)],
        key=lambda e: e[0],
    )
    for _, kind, m in events:
        box = tuple(int(m.group(i)) for i in range(1, 5))
        if kind == 0:
            lines.append(HLine(box, float(m.group(5)), float(m.group(6)), float(m.group(7))))
        elif kind == 1 and lines:
            lines[-1].words.append(Word("", float(m.group(5)), box=box))
        elif kind == 2 and lines and lines[-1].words:
            text = html.unescape(m.group(6))
            if text.strip():
                lines[-1].words[-1].glyphs.append(Glyph(text, *box, float(m.group(5))))
    for line in lines:
        line.words = [w for w in line.words if w.glyphs]
        for w in line.words:
            w.text = "".join(g.text for g in w.glyphs)
        line.x_height = _x_height(line)
    return [line for line in lines if line.words]


def _x_height(line: HLine) -> float:
    small = [g.bottom - g.top for w in line.words for g in w.glyphs if g.text in _PLAIN_SMALL]
    if len(small) >= 3:
        return float(statistics.median(small))
    tall = [g.bottom - g.top for w in line.words for g in w.glyphs if g.text in _PLAIN_TALL]
    if len(tall) >= 2:
        return float(statistics.median(tall)) / CAP_TO_X
    return 0.0


def smooth_x_heights(lines: list[HLine]) -> None:
    """A line whose measured x-height disagrees with both its neighbours, which agree with each other,
    takes theirs: a line of digits and capitals (`5 Công văn số 85/STTTT-BCVT&CNTT`) has few plain
    small letters to measure, and one footnote read at body size would end the footnote zone."""
    measured = [ln.x_height for ln in lines]
    for i in range(1, len(lines) - 1):
        a, b, c = measured[i - 1], measured[i], measured[i + 1]
        if a and c and abs(a - c) <= 0.1 * max(a, c) and (not b or abs(b - (a + c) / 2) > 0.15 * (a + c) / 2):
            lines[i].x_height = (a + c) / 2


def page_x_height(lines: list[HLine]) -> float:
    """The x-height most of the page's text is set in (by the number of glyphs), 0 when none is measured."""
    weights: dict[int, int] = {}
    for line in lines:
        if line.x_height:
            key = round(line.x_height)
            weights[key] = weights.get(key, 0) + sum(len(w.glyphs) for w in line.words)
    return float(max(weights, key=weights.get)) if weights else 0.0


# --- superscripts ------------------------------------------------------------------------

_MARKISH = frozenset("0123456789!?¡*'’°^")  # what Tesseract makes of a superscript digit
_TRAILING_PUNCT = frozenset(".,;:)")


def cut_superscripts(line: HLine, x_height: float) -> None:
    """Cut superscript groups off the ends of words: a footnote marker after a word, a footnote's number before it.

    A group is superscript when its glyphs' bottoms stand at least 0.4 x-heights
    above the baseline and none is taller than a capital; it must hold a digit or
    one of the marks Tesseract reads small digits as. A group of quotes alone is a
    closing quote, not a marker.
    """
    xh = line.x_height or x_height
    if not xh:
        return
    for i, word in enumerate(line.words):
        glyphs = word.glyphs
        end = len(glyphs)
        while end > 1 and glyphs[end - 1].text in _TRAILING_PUNCT and not _raised(line, glyphs[end - 1], xh):
            end -= 1  # the punctuation after a marker stays: `Ngãi?.` -> `Ngãi` + marker + `.`
        start = end
        while start > 0 and end - start < 3 and glyphs[start - 1].text in _MARKISH and _raised(line, glyphs[start - 1], xh):
            start -= 1
        group = "".join(g.text for g in glyphs[start:end])
        if start == end or set(group) <= set("'’"):
            pass
        elif start == 0 and end == len(glyphs) and i > 0 and not line.words[i - 1].marker:
            prev = line.words[i - 1]  # a marker set apart from its word
            prev.marker, prev.text, word.glyphs, word.text = group, prev.text + _sentinel(group), [], ""
            continue
        elif start > 0:
            word.marker = group
            word.text = "".join(g.text for g in glyphs[:start]) + _sentinel(group) + "".join(g.text for g in glyphs[end:])
            word.glyphs = glyphs[:start] + glyphs[end:]
        if i == 0:
            _cut_lead(line, word, xh)


def _sentinel(group: str) -> str:
    """The marker as pipeline.text's sentinel: its number when Tesseract read digits, else 0 (numbered later)."""
    return marker(int(group)) if group.isdigit() and int(group) < 1000 else marker(0)


def _cut_lead(line: HLine, word: Word, xh: float) -> None:
    """A footnote line starts with its number in superscript: cut, and kept as the word's `lead`."""
    glyphs = word.glyphs
    k = 0
    while k < len(glyphs) and k < 3 and glyphs[k].text in _MARKISH | set("lI|") and _raised(line, glyphs[k], xh):
        k += 1
    if k and (k < len(glyphs) or len(line.words) > 1):
        word.lead = "".join(g.text for g in glyphs[:k])
        word.glyphs = glyphs[k:]
        word.text = "".join(g.text for g in word.glyphs)


def _raised(line: HLine, g: Glyph, xh: float) -> bool:
    base = line.baseline((g.left + g.right) / 2)
    return base - g.bottom >= 0.4 * xh and g.bottom - g.top <= 1.2 * CAP_TO_X * xh


# --- specks ------------------------------------------------------------------------------

_NOISE_ALONE = re.compile(r"[.,;'\"“”‘’`*!?¡|_\\~^]{1,2}")
_LEADERS = re.compile(r"[.…]{3,}")
_RULE_BITS = re.compile(r"[_\-–—]*_[_\-–—]*")  # `_`, `-_`, `_—`: a rule or specks; a dash among them stays
_LEADING_SPECK = re.compile(r"^[.,'`_]+(?=[\p{L}\d])")
_DOUBLED = re.compile(r"(?<=[\p{L}\d)%])([,;:.])[.,]$")
_DASH_BEFORE_CODE = re.compile(r"^[\-–](?=\d{1,5}(?:/(?:19|20)\d\d)?[\-/]\p{Lu})")  # `-13-NQ/TU`: no code starts with a dash
_BEFORE_A_NUMBER = re.compile(r"(?i)^(?:ngày|số|tháng|năm)$")  # words a number follows: `ngày - 28/02/2025`
_DASH_BEFORE_NUMBER = re.compile(r"(?<=\p{Ll})[\-–](?=\d)")  # `số-32/2019/NĐ-CP`: no word runs into a number
_ABBREVIATION = re.compile(r"(?:^|\.)\p{L}\.$|^(?:TP|Tp|TX|ThS|TS|PGS|GS|KS|BS|CN|Th|St|Ô|B)\.$")


def clean_words(words: list[Word], before: str = "") -> list[Word]:
    """The line's words without the specks Tesseract read as punctuation (see the module docstring);
    `before`: the last word of the line before, as the speck rules see across a line break."""
    out: list[Word] = []
    for i, word in enumerate(words):
        text = word.text
        if not text:
            continue
        if _RULE_BITS.fullmatch(text):
            text = "-" if re.search("[-–—]", text) else ""
        if not text or (_NOISE_ALONE.fullmatch(text) and not _LEADERS.fullmatch(text)):
            continue  # a mark on its own between words
        last = out[-1].text if out else before
        if text in "-–" and last.endswith(("-", "–")):
            continue  # the hyphen read twice: `04- - TB`
        nxt = next((w.text for w in words[i + 1 :] if w.text and not _NOISE_ALONE.fullmatch(w.text)), "")
        if text in "-–" and _BEFORE_A_NUMBER.match(last) and nxt[:1].isdigit():
            continue  # a speck between `ngày` and its date
        text = _LEADING_SPECK.sub("", text)
        text = _DASH_BEFORE_CODE.sub("", text)
        text = _DOUBLED.sub(r"\1", text)
        text = _DASH_BEFORE_NUMBER.sub(" ", text)
        if text.endswith(".") and not text.endswith("..") and nxt[:1].islower() and not _ABBREVIATION.search(text):
            text = text[:-1]  # a full stop before a lower-case word
        if text:
            word.text = text
            out.append(word)
    return out


_RULE_SPECK = re.compile(r"^[|:;+“”\"'`ˆ^]+(?=\S)|(?<=\S)[|:;+“”\"'`ˆ^\-]+$")
_LONE_RULE_SPECK = re.compile(r"[|:;+\-–—.,'`ˆ^]+")


def clean_cell(words: list[Word]) -> list[Word]:
    """A table cell's words without the specks its rules leave beside them: a lone `:`, `-` or `|` by a
    figure (`1.808.680 -`, `: 937`), one glued to a word's edge (`|%`, `1.838.623:`). A cell holding
    nothing but a dash keeps it (no figure to report)."""
    if len(words) == 1 and _LONE_RULE_SPECK.fullmatch(words[0].text):
        return words
    out = []
    for w in words:
        if _LONE_RULE_SPECK.fullmatch(w.text):
            continue
        w.text = _RULE_SPECK.sub("", w.text)
        if w.text:
            out.append(w)
    return out
