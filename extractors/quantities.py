"""Quantities a report states: counts, ratios, percentages, money, measures and ranks.

`find_quantities(text, offset, skip)` reads one block. A number becomes a
quantity only with something that says what it counts or measures: a `%`, a
unit (`Mbps`, `đồng`, `tạ/ha`, glued or not: `41ha`, `13.503.000.000đ`), a
counted noun (`25 nhiệm vụ KH&CN cấp tỉnh`: unit `nhiệm vụ`; `03 đợt kiểm tra`:
the classifier `đợt`), a denominator (`18/20 nhiệm vụ`, `33/31,5 ha` done
against planned), a rank word (`xếp thứ 04/63`, `thứ 12`, `thứ 2 và 3`), an
indicator label it is the value of (`Số ca mắc ... là 20.915`), or the
result it is the plan of (`41.250 tấn/KH 40.000`: the plan in tấn too).
Ranges (`6-7%`, `48-50 triệu đồng`) are one quantity, valued at their lower
bound. Dates, years, codes, citations (the `skip` spans), list and section
numbers, ordinals (`lần thứ XIV`, `năm thứ 3`), versions, `5G`, numbered
documents (`Đề án 06`) and rate bases (`bình quân 1 vạn dân`) are not
quantities.

What each quantity measures and what it is (result, target, change) is
extractors/roles.py's work; extractors/figures.py reads a whole document
(section headings, tables).
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any
import regex as re

import gazetteer
from extractors.dates import DATE_RE
from extractors.models import Quantity
from extractors.numbers import NUMBER, SCALES, read_number
from extractors.roles import PAIR_CUE, describe, lower_like_patterns

_SCALE = "|".join(SCALES)
_QTY = re.compile(
    rf"""
    (?<![\p{{L}}\d.,/\-])
    (?P<num>{NUMBER})(?!\d)
    (?:\s*(?P<pct1>%))?
    (?:\s*[-–]\s*(?P<hi>{NUMBER})(?!\d))?
    (?:\s*/\s*(?P<tot>{NUMBER})(?![\d/.,]\d|\d|\s*/))?
    (?:\s*(?P<pct>%))?
    (?:\s+(?P<scale>(?:{_SCALE})(?:\s+(?:{_SCALE}))?)(?!\p{{L}}))?
    """,
    re.VERBOSE,
)
_PARTIAL_DATE = re.compile(r"(?:ngày|ngàу|từ|đến)\s+\d{1,2}/\d{1,2}(?!\d)|\d{1,2}/\d{4}|tháng\s+\d{1,2}/\d{4}")
_WORD = re.compile(r"[\p{L}&][\p{L}\p{M}&\-]*")
_DIGIT = re.compile(r"\d")
# The patterns of what stands before a number end at `$` and are searched in `before` with `(?r)`:
# a reverse search tries the end first and fails at once elsewhere, where a forward one tries every
# position of `before` (3-5x slower). Only whether they match is used, and that is the same either way.
# Each comes with the words it can end with (`_ENDS`, lower case): `before` ending with none of them
# (most do: `đạt`, `là`, `(`) needs no search at all.

# what stands right before a number that is not a quantity: one of these words, with `số` or not, or `#`, `№`
_NOT_BEFORE_WORDS = (
    "năm", "tháng", "ngày", "quý", "khóa", "khoá", "kỳ",
    *(f"{w} thứ" for w in ("lần", "năm", "họp", "phiên", "khóa", "khoá", "đợt", "tuần", "hội nghị", "đại hội")),
    "giai đoạn", "phiên bản", "version", "điều", "khoản", "điểm", "mục", "phụ lục", "chương",
    "số điện thoại", "điện thoại", "hotline", "tổng đài", "đường dây nóng", "mã số", "mã", "QCVN", "TCVN", "ISO", "Km", "quốc lộ", "tỉnh lộ",
)
_NOT_BEFORE = re.compile(rf"(?ri)(?:\b(?:{'|'.join(_NOT_BEFORE_WORDS)})\s*(?:số\s*)?|[#№])$")
_NOT_BEFORE_ENDS = tuple({lower_like_patterns(w.split()[-1]) for w in _NOT_BEFORE_WORDS} | {"số", "#", "№"})
_RANK_BEFORE = re.compile(
    r"(?ri)(?:xếp\s+(?:hạng\s+)?(?:thứ\s+)?|đứng\s+(?:thứ\s+)?|hạng\s+|vị\s+trí\s+(?:thứ\s+)?|(?<!(?:lần|năm|họp|phiên|khóa|khoá|đợt|tuần|ngày|tháng|quý|kỳ|hội\s+nghị|đại\s+hội)\s)thứ\s+"
    r"|thứ\s+\d{1,3}\s*(?:,|và)\s*(?:thứ\s+)?)$"  # `xếp thứ 2 và 3`: the second rank shares the word
)
_RANK_BEFORE_ENDS = ("xếp", "hạng", "thứ", "đứng", "trí", ",", "và")
_FUNCTION_WORDS = frozenset(
    "và của là được đã đang sẽ có không với cho trong trên tại từ đến theo về các những này đó khi để do bằng hoặc hay "
    "năm tháng ngày quý giờ lần thứ so như ra vào lên xuống đạt tăng giảm còn chỉ gồm".split()
)
# words after `/` that make a rate of the unit before it: tạ/ha, đồng/năm, lần/người/năm, kg/người/6 tháng
_PER_WORDS = frozenset(
    "năm tháng ngày tuần quý giờ người dân vạn hộ ha sào km km2 km² m2 m² lao động học sinh xã lượt con đầu người khẩu ca".split()
)
_PER = re.compile(r"\s*/\s*(?P<per>(?:\d[\d.,]*\s+)?(?P<word>[\p{Ll}][\p{L}\p{M}²]*)(?:\s+(?P<word2>dân|người|ha))?)")
# a population base of a rate (bình quân 1 vạn dân, trên 100.000 dân): part of the unit, not a quantity
_RATE_BASE = re.compile(r"\s*(?:vạn\s+)?(?:dân|người\s+dân)(?:\s+số)?(?![\p{L}])")
_POWER_OF_TEN = re.compile(r"10*|10{0,2}(?:[.,]000)+")


@cache
def _doc_type_before() -> tuple[re.Pattern, tuple[str, ...]]:
    """A document type word right before the number: `Đề án 06`, `Quyết định số 12`.

    A type cited by a bare number (short_form y: Nghị quyết 57) blocks it with or
    without `số`; the others are also verbs or nouns (`Hướng dẫn 05 cơ sở`,
    `Kế hoạch 3 năm`) and block it only with `số`.
    """
    bare = {gazetteer.fold(w) for w, name in gazetteer.type_words().items() if gazetteer.doc_types()[name].short_form == "y"}
    numbered = set(gazetteer.type_words()) - bare
    alt = lambda words: "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # noqa: E731
    pattern = re.compile(rf"(?ri)\b(?:(?:{alt(bare)})\s+(?:số\s+)?|(?:{alt(numbered)})\s+số\s+)$")
    return pattern, tuple({lower_like_patterns(w.split()[-1]) for w in bare} | {"số"})


def _partial_dates(text: str) -> list[tuple[int, int]]:
    """The spans `_PARTIAL_DATE.finditer(text)` gives, scanning only the text around each `/`.

    A partial date holds one `/`, between digits, with at most a date word (5 letters), spaces and
    two digits before it and four digits after it. Windows that wide around such slashes, merged
    where they overlap, hold every match whole, and no match starts between them: scanning them finds
    the same matches as scanning the block (most blocks have no `/`, the others a few), several times faster.
    """
    spans: list[tuple[int, int]] = []
    lo = hi = -1
    for slash in _slashes_between_digits(text):
        start = slash
        while start > 0 and slash - start < 2 and _DIGIT.match(text, start - 1):
            start -= 1
        while start > 0 and text[start - 1].isspace():  # isspace: every \s and more, so never too short
            start -= 1
        start, end = max(0, start - 5), slash + 6  # up to 5 letters before, 4 digits and a lookahead after
        if start > hi:  # a window of its own: scan the one before
            spans += (m.span() for m in _PARTIAL_DATE.finditer(text, lo, hi)) if hi > 0 else ()
            lo = start
        hi = end
    spans += (m.span() for m in _PARTIAL_DATE.finditer(text, lo, hi)) if hi > 0 else ()
    return spans


def _slashes_between_digits(text: str):
    """Where `/` stands between two digits, as in every partial date (not the `/` of `12/QĐ`, `tấn/ha`)."""
    slash = text.find("/")
    while slash >= 0:
        if slash and _DIGIT.match(text, slash - 1) and _DIGIT.match(text, slash + 1):
            yield slash
        slash = text.find("/", slash + 1)


class _Spans:
    """Disjoint sorted spans; `overlaps` is a binary search, so a block's matches cost O(log n) each."""

    __slots__ = ("starts", "ends")

    def __init__(self, spans) -> None:
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end) - 1
        return i >= 0 and self.ends[i] > start


def find_quantities(
    text: str,
    offset: int = 0,
    skip: list[tuple[int, int]] | None = None,
    *,
    notation: str | None = None,
    section_role: str | None = None,
) -> list[Quantity]:
    """Quantities in one block's text, described (extractors.roles).

    `skip`: spans (block offsets) that are citations; `notation`: the document's
    way of writing numbers (extractors.numbers.notation_of); `section_role`:
    `target` when the block stands under a plan heading (`Các chỉ tiêu chủ yếu năm 2022`).
    """
    if not _DIGIT.search(text):
        return []  # no number, no quantity (a third of the blocks): no date scans, no describing
    # every date (DATE_RE) has a year of 19xx or 20xx: a block without either needs no scan for one
    dates = DATE_RE.finditer(text) if "20" in text or "19" in text else ()
    blocked = _Spans([*(skip or ()), *(m.span() for m in dates), *_partial_dates(text)])
    out: list[Quantity] = []
    scale_of: dict[int, float] = {}  # id(quantity) -> factor of its scale word, for a plan written without one
    for m in _QTY.finditer(text):
        start, end = m.span()
        if blocked.overlaps(start, end):
            continue
        q = _quantity(text, m, notation)
        if q is None and out and PAIR_CUE.fullmatch(text, out[-1].end, start):
            q = _plan_of(out[-1], text, m, notation, scale_of.get(id(out[-1]), 1.0))
        if q is None:
            q = _labelled_value(text, m, notation)
        if q is not None:
            scale_of[id(q)] = _factor(m.group("scale"))
            out.append(q)
    describe(text, out, section_role)
    for q in out:
        q.start += offset
        q.end += offset
        if q.pair_id is not None:
            q.pair_id += offset
    return out


def _quantity(text: str, m: re.Match, notation: str | None) -> Quantity | None:
    num, hi, tot, scale = m.group("num", "hi", "tot", "scale")
    pct = m.group("pct1") or m.group("pct")
    start, end = m.span()
    before = text[max(0, start - 40) : start]
    after = text[end : end + 80]
    ending = lower_like_patterns(before.rstrip())
    if _is_list_number(text, start, end) or _ends_like(before, ending, _NOT_BEFORE, _NOT_BEFORE_ENDS):
        return None
    if _ends_like(before, ending, *_doc_type_before()):
        return None
    if hi and tot:
        return None
    factor = _factor(scale)
    if pct:  # `7,2%/KH 6-7%`: a slash after a percentage is the plan that follows, not a code
        q = _described(text, start, end, "percent", num, hi, factor, notation, unit="%")
        if q is not None:
            q.subject = _percent_of(after)
        return q
    if _SECTION_OR_CODE.match(text, end):
        return None  # section numbers 1.2.3, codes 12/QĐ
    rank = _ends_like(before, ending, _RANK_BEFORE, _RANK_BEFORE_ENDS)
    if rank and not scale and not hi:
        value = _value(num, notation, integral=True)
        if value is None:
            return None
        unit, _, stop = _counted(after) if tot else (None, None, 0)
        return Quantity(start, end + stop, text[start : end + stop].rstrip(), "rank", value[0], total=float(tot) if tot else None, unit=unit)
    if tot:
        return _ratio(text, m, notation)
    if _is_year(num) and not scale:
        return None
    if scale in (None, "vạn") and _POWER_OF_TEN.fullmatch(num) and _RATE_BASE.match(text, end):
        return None  # bình quân 1 vạn dân: the base of a rate
    glued = _GLUED.match(text, end)
    unit_word = _unit_after(after, glued=bool(glued))
    if unit_word is not None:
        unit, kind, stop, per = unit_word
        return _described(text, start, end + stop, kind, num, hi, factor, notation, unit=unit, per=per)
    if glued:
        return None  # 5G, 4.0: glued to letters that are no unit
    unit, subject, stop, per = _counted_with_per(after)
    if unit is None:
        return None
    value = _value(num, notation, integral=not per)
    if value is None:
        return None
    # a rate (lần/người/năm) or a fraction (37,30 điểm) is a measure, not a count
    kind = "count" if not per and _scaled(value[0], factor).is_integer() else "measure"
    q = _described(text, start, end + stop, kind, num, hi, factor, notation, unit=unit, per=per, integral=kind == "count")
    if q is not None:
        q.subject = subject
        q.surface = q.surface.rstrip()
        q.end = q.start + len(q.surface)
    return q


def _ends_like(before: str, ending: str, pattern: re.Pattern, ends: tuple[str, ...]) -> bool:
    """Whether an end-anchored pattern matches `before` (`ending`: it without trailing spaces, in lower case)."""
    return ending.endswith(ends) and pattern.search(before) is not None


def _described(text, start, end, kind, num, hi, factor, notation, unit=None, per=None, integral=False) -> Quantity | None:
    """A quantity from its parts; a range (`6-7%`) is valued at its lower bound."""
    low = _value(num, notation, integral)
    if low is None:
        return None
    q = Quantity(start, end, text[start:end], kind, _scaled(low[0], factor), unit=unit, per=per, value_unsure=low[1])
    if hi:
        high = _value(hi, notation, integral)
        if high is None or high[0] <= low[0]:
            return None
        q.low, q.high = q.value, _scaled(high[0], factor)
    return q


def _factor(scale: str | None) -> float:
    """`tỷ` 1e9, `nghìn tỷ` 1e12: the product of the scale words."""
    factor = 1.0
    for word in (scale or "").split():
        factor *= SCALES[word]
    return factor


def _scaled(value: float, factor: float) -> float:
    """value × scale in decimal: 268,4 tỷ is 268400000000, not 268399999999.99997."""
    return value * factor if factor == 1.0 else float(Decimal(repr(value)) * Decimal(int(factor)))


def _value(num: str, notation: str | None, integral: bool = False) -> tuple[float, bool] | None:
    """(value, unsure); a count is a whole number, so `1.095 con` groups thousands whatever the document's habit."""
    try:
        value, unsure = read_number(num, None if integral else notation)
    except ValueError:
        return None
    if integral and not value.is_integer() and _OPEN_FORM.fullmatch(num):
        return float(num.replace(".", "").replace(",", "")), False
    return value, unsure and not integral


def _ratio(text: str, m: re.Match, notation: str | None) -> Quantity | None:
    """`18/20 nhiệm vụ`; `33/31,5 ha`, `971/876 = 110,8%`: done against planned, which may exceed it."""
    num, tot = m.group("num", "tot")
    start, end = m.span()
    after = text[end : end + 80]
    try:
        value, total = read_number(num, notation)[0], read_number(tot, notation)[0]
    except ValueError:
        return None
    glued = bool(_GLUED.match(text, end))
    unit_word = _unit_after(after, glued=glued)
    if unit_word is not None:
        unit, subject, stop = unit_word[0], None, unit_word[2]
    elif glued:
        return None
    else:
        unit, subject, stop = _counted(after)
    equals = _EQUALS.match(after)
    # without a unit or an `=` that works it out, `12/5` is a date and `1,5/2` no ratio of things
    if unit is None and not equals and (_DATE_LIKE.fullmatch(f"{num}/{tot}") or value > total or "," in num or "." in num):
        return None
    return Quantity(start, end + stop, text[start : end + stop].rstrip(), "ratio", value, total=total, unit=unit, subject=subject)


def _plan_of(result: Quantity, text: str, m: re.Match, notation: str | None, factor: float) -> Quantity | None:
    """`41.250 tấn/KH 40.000`: a plan written without its unit takes the result's unit and scale."""
    if result.kind in ("rank", "ratio") or m.group("tot"):
        return None
    num, hi = m.group("num", "hi")
    start, end = m.span()
    if _is_year(num) or _GLUED.match(text, end):
        return None
    return _described(text, start, end, result.kind, num, hi, factor, notation, unit=result.unit, per=result.per)


# an indicator label a bare value stands after: `Số ca mắc các bệnh dịch là 20.915;`, `Sản lượng ngô đạt 281,3,`
_LABEL_CUE = re.compile(r"(?:\s+(?:là|đạt|bằng)|\s*:)\s*$")
_LABEL_END = re.compile(r"\s*(?:[;,.)]|$)")


def _labelled_value(text: str, m: re.Match, notation: str | None) -> Quantity | None:
    if m.group("tot") or m.group("scale") or _GLUED.match(text, m.end()):
        return None
    start, end = m.span()
    cue = _LABEL_CUE.search(text, max(0, start - 12), start)
    if cue is None or not _LABEL_END.match(text, end) or _is_year(m.group("num")):
        return None
    label = _LABEL_START.split(text[max(0, cue.start() - 120) : cue.start()])[-1].strip(" -+•")
    q = label_quantity(label, text, start, end, m.group("num"), notation)
    if q is not None:
        q.measure = label
    return q


_PERCENT_LABEL = re.compile(r"(?i)^(?:t[ỷỉ]\s+lệ|tỷ\s+trọng|t[ỷỉ]\s+suất)\b|\(%\)|%")
_COUNT_LABEL = re.compile(r"(?i)^(?:tổng\s+)?số(?:\s+lượng)?\s+")
_MEASURE_LABEL = re.compile(
    r"(?i)^(?:tổng\s+)?(?:sản\s+lượng|năng\s+suất|giá\s+trị|diện\s+tích|dân\s+số|thu\s+nhập|mức|chỉ\s+số|điểm|tốc\s+độ)\b|bình\s+quân|\btrên\s+[\d.]+\s+dân"
)
_UNIT_IN_LABEL = re.compile(r"\((?P<unit>[^()]{1,15})\)\s*$")


def label_quantity(label: str, text: str, start: int, end: int, num: str, notation: str | None) -> Quantity | None:
    """The value of an indicator whose label says what it is: `Tỷ lệ ...` a percentage, `Số ca ...` a count of ca.

    Shared by labelled values in running text and by rows of statistics tables kept
    as text (`Số ca mắc các bệnh dịch 16.117 5.627 19.243`).
    """
    if not label or not _LETTER.search(label):
        return None
    q = _label_kind(label, text, start, end, num, notation)
    rate = _LABEL_RATE.search(label)
    if q is not None and rate is not None and q.kind in ("count", "measure"):
        # bình quân 1 vạn dân, trên 100.000 dân: a rate per that many people, of the noun the label counts
        q.kind, q.per = "measure", ("vạn dân" if rate.group(1) == "vạn" else f"{rate.group(1)} dân")
        noun = q.unit or _counted(" " + _COUNT_LABEL.sub("", label))[0] or "người"
        q.unit = f"{noun.split('/')[0]}/{q.per}"
    return q


_LABEL_RATE = re.compile(r"(?i)(?:bình\s+quân|trên|tên|/)\s*(?:1\s+)?(vạn|\d{1,3}(?:[.,]000)+)\s+dân")


def _label_kind(label: str, text: str, start: int, end: int, num: str, notation: str | None) -> Quantity | None:
    written_unit = _UNIT_IN_LABEL.search(label)
    if _PERCENT_LABEL.search(label):
        return _described(text, start, end, "percent", num, None, 1.0, notation, unit="%")
    if written_unit:
        unit = _unit_after(" " + written_unit.group("unit"), glued=False)
        if unit is not None:
            return _described(text, start, end, unit[1], num, None, 1.0, notation, unit=unit[0])
    counted = _COUNT_LABEL.match(label)
    if counted:
        unit = _unit_after(" " + label[counted.end() :], glued=False)
        if unit is not None:
            return _described(text, start, end, unit[1], num, None, 1.0, notation, unit=unit[0])
        noun, _, _ = _counted(" " + label[counted.end() :])
        if noun:
            q = _described(text, start, end, "count", num, None, 1.0, notation, unit=noun, integral=True)
            if q is not None and ("," in num and not q.value.is_integer() or "bình quân" in label.lower()):
                q.kind = "measure"  # a rate per head or a fraction is no count
            return q
    if _MEASURE_LABEL.search(label):
        return _described(text, start, end, "measure", num, None, 1.0, notation)
    return None


@dataclass(frozen=True, slots=True)
class RowCells:
    """What a table row says of its number cells, worked out once per row (a row may have thousands of cells)."""

    label: str | None  # the longest cell that is not a bare number: the measure
    percent: bool  # a `%` cell, or a label that says a percentage
    # the first short cell that names a unit: ("unit", (unit, kind, _, per), scale factor) or ("counted", noun, 1.0)
    unit: tuple[str, Any, float] | None

    @classmethod
    def of(cls, row: Sequence[str]) -> RowCells:
        words = [c.strip() for c in row if c.strip() and not BARE_NUMBER.fullmatch(c)]
        if not words:
            return cls(None, False, None)
        label = max(words, key=len)
        unit_cells = [w for w in words if w is not label and len(w.split()) <= 3]
        unit = None
        for written in unit_cells:
            scaled = _SCALED_UNIT.fullmatch(written)  # `Tỷ đồng`, `Triệu đồng`: the cell counts in that scale
            factor = SCALES[scaled.group(1).lower()] if scaled else 1.0
            found = _unit_after(" " + (scaled.group(2) if scaled else written), glued=False)
            if found is not None:
                unit = ("unit", found, factor)
                break
            counted, _, _ = _counted(" " + written)
            if counted:
                unit = ("counted", counted, 1.0)
                break
        percent = "%" in unit_cells or bool(_PERCENT_LABEL.match(label))
        return cls(label, percent, unit)


def table_cell_quantity(cell: str, row: Sequence[str] | RowCells, offset: int = 0, percent_column: bool = False) -> Quantity | None:
    """A table cell holding only a number: what it counts comes from the other cells of its row.

    The row's label says a percentage (`Tỷ lệ thuê bao ... | % | 97`) or what is
    counted (`Số xã có thư báo ... | 92`); a unit column (`Đơn vị tính`: `Thuê bao`,
    `%`, `Tỷ đồng`) says it directly, unless the column's header says percent
    (`So sánh (%)`: `percent_column`). The label is the quantity's measure.
    """
    m = BARE_NUMBER.fullmatch(cell)
    cells = row if isinstance(row, RowCells) else RowCells.of(row)
    label = cells.label
    if m is None or label is None:
        return None
    try:
        value = read_number(m.group(1))[0]
    except ValueError:
        return None
    start, end = offset + m.start(1), offset + m.end(1)
    q = None
    if m.group(2) or cells.percent or percent_column:
        q = Quantity(start, end, m.group(1), "percent", value, unit="%")
    elif cells.unit is not None:
        how, unit, factor = cells.unit
        if how == "unit":
            q = Quantity(start, end, m.group(1), unit[1], _scaled(value, factor), unit=unit[0], per=unit[3])
        else:
            q = Quantity(start, end, m.group(1), "count" if value.is_integer() else "measure", value, unit=unit)
    if q is None:
        q = label_quantity(label, cell, m.start(1), m.end(1), m.group(1), None)
        if q is not None:
            q.start, q.end = start, end
    if q is not None:
        q.subject = label
        q.measure = label
    return q


_OPEN_FORM = re.compile(r"\d{1,3}[.,]\d{3}")
_EQUALS = re.compile(r"\s*=")
_LABEL_START = re.compile(r"[;.:()\n]")
_LETTER = re.compile(r"\p{L}")
BARE_NUMBER = re.compile(rf"\s*({NUMBER})\s*(%?)\s*")  # a cell that is a number and nothing else
_SCALED_UNIT = re.compile(rf"(?i)\s*({_SCALE})\s+(\S.*?)\s*")
_DATE_LIKE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])")
_GLUED = re.compile(r"[\p{L}\d]")
_SECTION_OR_CODE = re.compile(r"\.\d|/\p{L}")
_YEAR = re.compile(r"(?:19|20)\d\d")
_UNIT_WORD = re.compile(r"\s*([\p{L}%²³]+)")
_SPACES = re.compile(r"\s+")
_SECOND_SYLLABLE = re.compile(r" ([\p{Ll}][\p{L}\p{M}]*)")
_NEXT_IS_WORD = re.compile(r"[\p{L}\d]")
_WORDS = re.compile(r"\S+")


def _is_year(num: str) -> bool:
    return bool(_YEAR.fullmatch(num))


def _is_list_number(text: str, start: int, end: int) -> bool:
    """`1.`, `2.1.`, `(3)`, `4)` opening a block or a sentence: enumerators, not quantities."""
    i = start  # the character before the number, spaces skipped: not a copy of all the text before it
    while i > 0 and text[i - 1].isspace():
        i -= 1
    opens = i == 0 or text[i - 1] in "(-–+•:;."
    tail = text[end : end + 2]
    return opens and (tail[:1] in (".", ")") and not tail[1:2].isdigit()) and len(text[start:end]) <= 3


def _unit_after(after: str, glued: bool) -> tuple[str, str, int, str | None] | None:
    """(unit, kind, characters consumed, per) of a measurement unit or currency right after a number.

    A glued word (`41ha`, `970con`, `13.503.000.000đ`) counts only when it is a
    unit or a classifier: `5G` and `4.0` stay out.
    """
    m = _UNIT_WORD.match(after)
    if not m or (glued and m.start(1) != 0):
        return None
    units = gazetteer.units()
    for candidate in (m.group(1), m.group(1).lower()):
        if candidate in units:
            unit, kind = units[candidate]
            if kind == "percent":
                return None
            per, stop = _pers(after, m.end())
            return (f"{unit}/{per}" if per else unit), kind, stop, per
    if glued and m.group(1).lower() in gazetteer.classifiers():
        return m.group(1).lower(), "count", m.end(), None
    return None


def _pers(after: str, pos: int) -> tuple[str | None, int]:
    """(`người/năm`, end) of the rate written after a unit (`/người/năm`): every `/word` that is a per-word."""
    pers = []
    while (per := _PER.match(after, pos)) is not None and per.group("word").lower() in _PER_WORDS:
        pers.append(" ".join(per.group("per").split()))
        pos = per.end()
    return ("/".join(pers) if pers else None), pos


def _counted_with_per(after: str) -> tuple[str | None, str | None, int, str | None]:
    """The counted noun, and a rate it is written as (`45 lần/người/năm`): unit `lần/người/năm`."""
    unit, subject, stop = _counted(after)
    if unit is None:
        return None, None, 0, None
    stripped = after.lstrip()
    written = len(after) - len(stripped) + len(unit)
    per, pos = _pers(after, written) if gazetteer.fold(stripped[: len(unit)]) == unit else (None, 0)
    if per:
        return f"{unit}/{per}", None, pos, per
    return unit, subject, stop, None


def _counted(after: str, max_words: int = 6) -> tuple[str | None, str | None, int]:
    """(unit, subject, characters consumed) of the counted noun phrase after a number."""
    m = _SPACES.match(after)
    if m is None:
        return None, None, 0
    pos = m.end()
    low = gazetteer.fold(after[pos:])
    for noun in gazetteer.count_nouns_by_first_word().get(gazetteer.first_word(low), ()):
        if low.startswith(noun) and not _NEXT_IS_WORD.match(low, len(noun)):
            end = _subject_end(after, pos, pos + len(noun), max_words)
            return noun, after[pos:end].strip(), end
    w = _WORD.match(after, pos)
    if not w or not w.group(0)[0].islower() or w.group(0).lower() in _FUNCTION_WORDS:
        return None, None, 0
    # an unlisted noun: most Vietnamese nouns have two syllables (thành viên, chuyên đề)
    second = _SECOND_SYLLABLE.match(after, w.end())
    unit_end = second.end() if second and second.group(1) not in _FUNCTION_WORDS else w.end()
    end = _subject_end(after, pos, unit_end, max_words)
    return after[pos:unit_end].lower(), after[pos:end].strip(), end


_PHRASE_END = re.compile(
    r"[,;:.()\[\]\n“”\"/]|\s\d|\s(?:và|của|được|đã|đang|với|cho|trong|tại|từ|đến|theo|để|do|là|có|gồm|thuộc|trên|so|tăng|giảm|đạt|"
    r"bằng|chiếm|vượt)(?![\p{L}])"
)


def _subject_end(after: str, start: int, unit_end: int, max_words: int = 6) -> int:
    """Where the counted noun phrase ends: at punctuation or a function word, six words at most."""
    stop = _PHRASE_END.search(after, unit_end)
    end = stop.start() if stop else len(after)
    words = list(_WORDS.finditer(after[start:end]))
    if len(words) > max_words:
        end = start + words[max_words - 1].end()
    return max(end, unit_end)


_NOT_WHAT_OF = re.compile(r"(?:kế hoạch|chỉ tiêu|dự toán|cùng kỳ|cùng kì|trở lên|trở xuống|mục tiêu|nghị quyết|yêu cầu|so với|trong|vào)\b")


def _percent_of(after: str) -> str | None:
    """The noun phrase a percentage is of (`93,5% số hộ dân sử dụng ...`), not a plan it is a share of (`95% kế hoạch`)."""
    if not after[:1].isspace() or _NOT_WHAT_OF.match(gazetteer.fold(after.lstrip()[:20])):
        return None
    _, subject, _ = _counted(after, max_words=10)  # `số hộ dân sử dụng nhà tiêu hợp vệ sinh`: a longer phrase
    return subject
