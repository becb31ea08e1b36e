"""Quantities a report states: counts, ratios, percentages, money, measures and ranks.

`find_quantities(text, offset, skip)` reads one block. A number becomes a
quantity only with something that says what it counts or measures: a `%`, a
unit (`Mbps`, `đồng`, `bậc`), a counted noun (`25 nhiệm vụ KH&CN cấp tỉnh`:
unit `nhiệm vụ`, subject the noun phrase), a denominator (`18/20 nhiệm vụ`) or
a rank word (`xếp thứ 04/63`, `thứ 12`). Dates, years, codes, citations (the
`skip` spans), list and section numbers, ordinals in names (`lần thứ XIV`),
versions (`phiên bản 2.0`), `5G` and numbered documents (`Đề án 06`) are not
quantities.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from functools import cache
from typing import Any

import regex as re

import gazetteer
from extractors.component import Component, DocumentView, searched_blocks
from extractors.dates import DATE_RE
from extractors.numbers import NUMBER, SCALES, parse_number
from extractors.models import Quantity

_SCALE = "|".join(SCALES)
_QTY = re.compile(
    rf"""
    (?<![\p{{L}}\d.,/\-])
    (?P<num>{NUMBER})
    (?:\s*/\s*(?P<tot>\d{{1,6}})(?![\d/.,]\d|\s*/))?
    (?:\s*(?P<pct>%))?
    (?:\s+(?P<scale>{_SCALE})(?!\p{{L}}))?
    """,
    re.VERBOSE,
)
_PARTIAL_DATE = re.compile(r"(?:ngày|ngàу|từ|đến)\s+\d{1,2}/\d{1,2}(?!\d)|\d{1,2}/\d{4}|tháng\s+\d{1,2}/\d{4}")
_WORD = re.compile(r"[\p{L}&][\p{L}\p{M}&\-]*")
# what stands right before a number that is not a quantity
_NOT_BEFORE = re.compile(
    r"(?i)(?:\b(?:năm|tháng|ngày|quý|khóa|khoá|kỳ|lần thứ|giai đoạn|phiên bản|version|điều|khoản|điểm|mục|phụ lục|chương|"
    r"số điện thoại|điện thoại|hotline|tổng đài|đường dây nóng|mã số|mã|QCVN|TCVN|ISO|Km|quốc lộ|tỉnh lộ)\s*(?:số\s*)?|[#№])$"
)
_RANK_BEFORE = re.compile(r"(?i)(?:xếp\s+(?:hạng\s+)?(?:thứ\s+)?|đứng\s+(?:thứ\s+)?|hạng\s+|vị\s+trí\s+(?:thứ\s+)?|(?<!lần\s)thứ\s+)$")
_FUNCTION_WORDS = frozenset(
    "và của là được đã đang sẽ có không với cho trong trên tại từ đến theo về các những này đó khi để do bằng hoặc hay "
    "năm tháng ngày quý giờ lần thứ so như ra vào lên xuống đạt tăng giảm còn chỉ gồm".split()
)


@cache
def _count_nouns() -> tuple[str, ...]:
    path = gazetteer.data_file("count_nouns.txt")
    nouns = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    return tuple(sorted(nouns, key=len, reverse=True))


@cache
def _units() -> dict[str, tuple[str, str]]:
    """Written unit (lower case) -> (unit, kind)."""
    out = {}
    for row in gazetteer.csv_rows("units.csv"):
        for written in [row["unit"], *(a for a in row["aliases"].split(";") if a)]:
            out[written.lower()] = (row["unit"], row["kind"])
    return out


_DOC_TYPE_BEFORE = None


def _doc_type_before() -> re.Pattern:
    global _DOC_TYPE_BEFORE
    if _DOC_TYPE_BEFORE is None:
        words = sorted({w for w in gazetteer.type_words()}, key=len, reverse=True)
        _DOC_TYPE_BEFORE = re.compile(rf"(?i)\b(?:{'|'.join(re.escape(w) for w in words)})\s+(?:số\s+)?$")
    return _DOC_TYPE_BEFORE


def find_quantities(text: str, offset: int = 0, skip: list[tuple[int, int]] | None = None) -> list[Quantity]:
    """Quantities in one block's text; `skip`: spans (block offsets) that are citations."""
    blocked = list(skip or [])
    blocked += [m.span() for m in DATE_RE.finditer(text)]
    blocked += [m.span() for m in _PARTIAL_DATE.finditer(text)]
    out: list[Quantity] = []
    for m in _QTY.finditer(text):
        start, end = m.span()
        if any(s < end and start < e for s, e in blocked):
            continue
        q = _quantity(text, m)
        if q is not None:
            q.start += offset
            q.end += offset
            out.append(q)
    return out


def _quantity(text: str, m: re.Match) -> Quantity | None:
    num, tot, pct, scale = m.group("num", "tot", "pct", "scale")
    start, end = m.span()
    before = text[max(0, start - 40) : start]
    after = text[end : end + 80]
    if _is_list_number(text, start, end) or _NOT_BEFORE.search(before) or _doc_type_before().search(before):
        return None
    if _GLUED.match(text, end) and not _GLUED_UNIT.match(text, end):
        return None  # 5G, 4.0: glued to letters
    if _SECTION_OR_CODE.match(text, end):
        return None  # section numbers 1.2.3, codes 12/QĐ
    try:
        value = parse_number(num)
    except ValueError:
        return None
    rank = _RANK_BEFORE.search(before)
    if pct:
        return Quantity(start, end, text[start:end], "percent", value, unit="%")
    if rank and not scale:
        total = float(tot) if tot else None
        unit, _, stop = _counted(after) if tot else (None, None, 0)
        end2 = end + stop
        return Quantity(start, end2, text[start:end2].rstrip(), "rank", value, total=total, unit=unit)
    if tot:
        total = float(tot)
        if value > total or "," in num or "." in num:
            return None
        unit, subject, stop = _counted(after)
        if unit is None and _DATE_LIKE.fullmatch(f"{num}/{tot}"):
            return None
        return Quantity(start, end + stop, text[start : end + stop].rstrip(), "ratio", value, total=total, unit=unit, subject=subject)
    if _is_year(num) and not scale:
        return None
    factor = SCALES.get(scale, 1.0) if scale else 1.0
    unit_word = _unit_after(after)
    if unit_word is not None:
        unit, kind, stop = unit_word
        return Quantity(start, end + stop, text[start : end + stop], kind, value * factor, unit=unit)
    unit, subject, stop = _counted(after)
    if unit is None:
        return None
    kind = "count" if float(value * factor).is_integer() else "measure"  # 37,30 điểm is a score, not a count
    return Quantity(start, end + stop, text[start : end + stop].rstrip(), kind, value * factor, unit=unit, subject=subject)


_BARE_NUMBER = re.compile(rf"\s*({NUMBER})\s*(%?)\s*")


def table_cell_quantity(cell: str, row: list[str], offset: int = 0) -> Quantity | None:
    """A table cell holding only a number: what it counts comes from the other cells of its row.

    The row's label says a percentage (`Tỷ lệ thuê bao ... | % | 97`) or what is
    counted (`Số xã có thư báo ... | 92`); a unit column (`Đơn vị tính`: `Thuê bao`,
    `%`) says it directly.
    """
    m = _BARE_NUMBER.fullmatch(cell)
    words = [c.strip() for c in row if c.strip() and not _BARE_NUMBER.fullmatch(c)]
    if m is None or not words:
        return None
    try:
        value = parse_number(m.group(1))
    except ValueError:
        return None
    start, end = offset + m.start(1), offset + m.end(1)
    label = max(words, key=len)
    unit_cells = [w for w in words if w is not label and len(w.split()) <= 3]
    if m.group(2) or "%" in unit_cells or re.match(r"(?i)t[ỷỉ]\s+lệ", label):
        return Quantity(start, end, m.group(1), "percent", value, unit="%", subject=label)
    for written in unit_cells:
        unit = _unit_after(" " + written)
        if unit is not None:
            return Quantity(start, end, m.group(1), unit[1], value, unit=unit[0], subject=label)
        counted, _, _ = _counted(" " + written)
        if counted:
            return Quantity(start, end, m.group(1), "count" if value.is_integer() else "measure", value, unit=counted, subject=label)
    numbered = re.match(r"(?i)(?:tổng\s+)?số(?:\s+lượng)?\s+", label)
    if numbered:
        counted, _, _ = _counted(" " + label[numbered.end():])
        if counted:
            return Quantity(start, end, m.group(1), "count", value, unit=counted, subject=label)
    return None


_DATE_LIKE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])")
_GLUED = re.compile(r"[\p{L}\d]")
_GLUED_UNIT = re.compile(r"(?i)(?:mbps|gbps|gb|tb|kg|km|ha|mw|kwh)\b")
_SECTION_OR_CODE = re.compile(r"\.\d|/\p{L}")
_YEAR = re.compile(r"(?:19|20)\d\d")
_UNIT_WORD = re.compile(r"\s*([\p{L}%²/]+)")
_SPACES = re.compile(r"\s+")
_SECOND_SYLLABLE = re.compile(r" ([\p{Ll}][\p{L}\p{M}]*)")
_NEXT_IS_WORD = re.compile(r"[\p{L}\d]")
_WORDS = re.compile(r"\S+")


def _is_year(num: str) -> bool:
    return bool(_YEAR.fullmatch(num))


def _is_list_number(text: str, start: int, end: int) -> bool:
    """`1.`, `2.1.`, `(3)`, `4)` opening a block or a sentence: enumerators, not quantities."""
    head = text[:start].rstrip()
    opens = not head or head[-1] in "(-–+•:;."
    tail = text[end : end + 2]
    return opens and (tail[:1] in (".", ")") and not tail[1:2].isdigit()) and len(text[start:end]) <= 3


def _unit_after(after: str) -> tuple[str, str, int] | None:
    """(unit, kind, characters consumed) of a measurement unit or currency right after a number."""
    m = _UNIT_WORD.match(after)
    if not m:
        return None
    units = _units()
    for candidate in (m.group(1), m.group(1).lower(), m.group(1).rstrip(".,;").lower()):
        if candidate in units:
            unit, kind = units[candidate]
            if kind != "percent":
                return unit, kind, m.end()
    return None


def _counted(after: str) -> tuple[str | None, str | None, int]:
    """(unit, subject, characters consumed) of the counted noun phrase after a number."""
    m = _SPACES.match(after)
    if m is None:
        return None, None, 0
    pos = m.end()
    low = gazetteer.fold(after[pos:])
    for noun in _count_nouns():
        if low.startswith(noun) and not _NEXT_IS_WORD.match(low, len(noun)):
            end = _subject_end(after, pos, pos + len(noun))
            return noun, after[pos:end].strip(), end
    w = _WORD.match(after, pos)
    if not w or not w.group(0)[0].islower() or w.group(0).lower() in _FUNCTION_WORDS:
        return None, None, 0
    # an unlisted noun: most Vietnamese nouns have two syllables (thành viên, chuyên đề)
    second = _SECOND_SYLLABLE.match(after, w.end())
    unit_end = second.end() if second and second.group(1) not in _FUNCTION_WORDS else w.end()
    end = _subject_end(after, pos, unit_end)
    return after[pos:unit_end].lower(), after[pos:end].strip(), end


_PHRASE_END = re.compile(r"[,;:.()\[\]\n“”\"]|\s(?:và|của|được|đã|đang|với|cho|trong|tại|từ|đến|theo|để|do|là|có|gồm|thuộc|trên)\s")


def _subject_end(after: str, start: int, unit_end: int) -> int:
    """Where the counted noun phrase ends: at punctuation or a function word, six words at most."""
    stop = _PHRASE_END.search(after, unit_end)
    end = stop.start() if stop else len(after)
    words = list(_WORDS.finditer(after[start:end]))
    if len(words) > 6:
        end = start + words[5].end()
    return max(end, unit_end)


# --- the component ------------------------------------------------------------------


def find_in_document(doc: DocumentView, found: Mapping[str, Any]) -> list[Quantity]:
    """Every quantity of a document; a number inside a citation (its code, its date) is not one."""
    from extractors.references import sentence_around

    cited = sorted((r.start, r.end) for r in found.get("references") or ())
    starts = [s for s, _ in cited]
    rows: dict[tuple, list[str]] = {}
    for b in doc.blocks:
        if b.kind == "table_cell":
            rows.setdefault((b.table, b.row), []).append(b.text)
    out: list[Quantity] = []
    for block in searched_blocks(doc):
        if block.kind == "table_cell" and block.col:
            q = table_cell_quantity(block.text, rows.get((block.table, block.row), []), block.start)
            if q is not None:
                q.page = block.page
                out.append(q)
                continue
        # citations are found block by block, so those of this block start inside it
        inside = cited[bisect_left(starts, block.start) : bisect_left(starts, block.end)]
        skip = [(s - block.start, e - block.start) for s, e in inside]
        for q in find_quantities(block.text, offset=block.start, skip=skip):
            q.in_footnote = block.kind == "footnote"
            q.page = block.page
            q.sentence = sentence_around(block.text, q.start - block.start, q.end - block.start)
            out.append(q)
    return out


COMPONENT = Component("quantities", find_in_document, reads=("references",))
