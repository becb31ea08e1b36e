"""A document's quantities, read block by block with what the layout says about them.

`find_document_quantities(blocks, cited)` is the whole-document entry point
(extractors.quantities reads one block):

- a plan section (`CÁC CHỈ TIÊU CHỦ YẾU CỦA NĂM 2022`, `II. Phương hướng, nhiệm
  vụ ...`) makes the figures under it targets, until a results heading
  (`Tình hình ...`, `Kết quả thực hiện ...`);
- a table cell takes its measure from its row's label and its role and period
  from its column's header (`Kế hoạch 2023`, `Thực hiện`, `Ước TH 6 tháng`,
  `So sánh (%)`);
- a statistics table kept as text rows (`Số ca mắc các bệnh dịch 16.117 5.627
  19.243` under `2015 2017 2019`) gives one quantity per value, with the year of
  its column;
- the document's habit of writing numbers decides `1.100` and `24,023`
  (extractors.numbers.notation_of).

The blocks are anything with `kind`, `text`, `start`, `page`, `table`, `row`,
`col` (pipeline.models.Block); one pass over them, so the cost is linear in
the document's length.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import regex as re

from extractors.component import BlockView, Component, DocumentView, searched_blocks
from extractors.models import Quantity
from extractors.numbers import NUMBER, notation_of
from extractors.quantities import BARE_NUMBER, RowCells, find_quantities, label_quantity, table_cell_quantity
from extractors.references import sentence_around
from extractors.roles import period_of
from gazetteer.indicators import indicator_of


# running headers and footers repeat on every page and state nothing new


def find_in_document(doc: DocumentView, found: Mapping[str, Any]) -> list[Quantity]:
    """The quantities of a document, given what the references step found (their numbers are no quantities)."""
    cited = ((r.start, r.end) for r in found.get("references") or ())
    return find_document_quantities(list(searched_blocks(doc)), cited)


def find_document_quantities(blocks: Sequence[BlockView], cited: Iterable[tuple[int, int]] = ()) -> list[Quantity]:
    """Every quantity of a document; `cited`: spans (document offsets) of its citations, whose numbers are no quantities."""
    cited = sorted(cited)
    notation = notation_of(b.text for b in blocks)
    tables = _Tables(blocks)
    out: list[Quantity] = []
    sections: list[tuple[int, str | None]] = []  # the headings in force: (level, role)
    columns: list[str] | None = None  # the header of a statistics table kept as text
    in_rows = False
    ci = 0  # blocks come in text order: the citations before this block are done with
    for block in blocks:
        end = block.start + len(block.text)
        while ci < len(cited) and cited[ci][1] <= block.start:
            ci += 1
        skip, j = [], ci
        while j < len(cited) and cited[j][0] < end:
            if cited[j][1] > block.start:
                skip.append((cited[j][0] - block.start, cited[j][1] - block.start))
            j += 1
        found: list[Quantity]
        if block.kind == "table_cell":
            found = tables.quantities(block, skip, notation, _section_role(sections))
        else:
            sections = _sections(block, sections)
            section_role = _section_role(sections)
            header = _year_columns(block.text)
            if header:
                columns, in_rows = header, True
                continue
            row = _stat_row(block.text, in_rows)
            in_rows = row is not None
            if row is None:
                found = find_quantities(block.text, block.start, skip, notation=notation, section_role=section_role)
            else:
                found = _row_quantities(block, row, columns, skip, notation, section_role)
        for q in found:
            q.in_footnote = block.kind == "footnote"
            q.page = block.page
            q.sentence = q.sentence or sentence_around(block.text, q.start - block.start, q.end - block.start)
            if q.indicator is None:
                q.indicator = indicator_of(q.measure) or indicator_of(q.subject)
        out.extend(found)
    return out


# --- sections -----------------------------------------------------------------------------------

_NUMBERING = re.compile(r"^\s*(?:(?P<roman>[IVXLC]+[.)])|(?P<arabic>\d+(?:\.\d+)*)[.)]?|(?P<letter>[a-zđ][.)]))\s+")
_TARGET_HEAD = re.compile(
    r"(?i)^(?:các\s+|một\s+số\s+)?(?:chỉ\s+tiêu|mục\s+tiêu|phương\s+hướng|định\s+hướng|dự\s+kiến"
    r"|kế\s+hoạch(?=.*(?:(?:19|20)\d\d|năm\s+tới|kinh\s+tế\s*-\s*xã\s+hội))"  # a plan of a period, not `Kế hoạch ứng dụng CNTT`
    r"|nhiệm\s+vụ(?:,|\s+và)?\s+(?:trọng\s+tâm|chủ\s+yếu|giải\s+pháp|năm|tháng|quý|thời\s+gian\s+tới|giai\s+đoạn|(?:được\s+)?giao|\d))(?![\p{L}])"
)
_RESULT_HEAD = re.compile(
    r"(?i)(?<![\p{L}])(?:kết\s+quả|tình\s+hình|thực\s+hiện|đánh\s+giá|đạt\s+được|báo\s+cáo|sơ\s+kết|tổng\s+kết)(?![\p{L}])"
)
# a figure with its unit: a line stating one is a line of results, not a heading (dates and codes may stand in headings)
_FIGURE = re.compile(r"(?<![\d.,/])\d[\d.,]*\s*(?:%|tỷ|triệu|nghìn|ha|tấn|người|hộ|đồng)(?![\p{L}])")


def _heading_level(block: BlockView) -> int | None:
    """1 for `II.` or a line in capitals, 2 for `1.`, 3 for `1.2.`, 4 for `a)`; None for a line of text."""
    text = block.text.strip()
    numbering = _NUMBERING.match(text)
    body = text[numbering.end() :] if numbering else text
    if len(text) > 120 or text.startswith(("-", "+", "•", "*")) or _FIGURE.search(body):
        return None  # a bullet or a line of figures is no heading
    if numbering:
        if numbering.group("roman"):
            return 1
        if numbering.group("arabic"):
            return 1 + numbering.group("arabic").count(".") + 1
        return 4
    if text.isupper() and len(text) > 3:
        return 1
    if block.kind == "heading" or text.endswith(":"):
        return 2
    return None


def _sections(block: BlockView, open_: list[tuple[int, str | None]]) -> list[tuple[int, str | None]]:
    """The headings in force after this block, as (level, role) from the outermost.

    A plan heading (`II. Nhiệm vụ trọng tâm năm 2025`, `CÁC CHỈ TIÊU CHỦ YẾU`) opens a
    `target` section; a results heading (`I. Tình hình thực hiện ...`) a `None` one; either
    ends at the next heading of its level or above. Inside a plan, a deeper heading that reads
    like results (`1.2. Thực hiện đánh giá ...`) is one more task of the plan.
    """
    level = _heading_level(block)
    if level is None:
        return open_
    body = _NUMBERING.sub("", block.text.strip())
    kept = [(lv, role) for lv, role in open_ if lv < level]
    if _TARGET_HEAD.match(body):  # what a heading starts with says it: `Nhiệm vụ trọng tâm năm 2026 cần thực hiện`
        return [*kept, (level, "target")]
    if any(role == "target" for _, role in kept):
        return kept
    if _RESULT_HEAD.search(body):
        return [*kept, (level, None)]
    return kept


def _section_role(open_: list[tuple[int, str | None]]) -> str | None:
    return open_[-1][1] if open_ else None


# --- statistics tables kept as text -------------------------------------------------------------

_YEAR_COLUMN = re.compile(r"(?:[^\W\d][^\d]{0,25}?\s+)?(?:19|20)\d\d(?!\d)")
_STAT_ROW = re.compile(rf"^(?P<label>.*[\p{{L}})])\s+(?P<values>(?:{NUMBER})(?:\s+(?:{NUMBER}))*)\s*$")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)")
_UNIT_IN_BRACKETS = re.compile(r"\s*\([^()]*\)\s*$")
_VALUE = re.compile(NUMBER)
_DIGIT = re.compile(r"\d")


def _year_columns(text: str) -> list[str] | None:
    """`2015 2017 2019 2020 Sơ bộ 2021`: the column labels of a statistics table, when a line holds nothing else."""
    if len(text) > 200 or not _ends_with_digit(text.rstrip()) or len(_YEAR.findall(text)) < 2:
        return None  # most lines: no need to look closer (the last column ends with its year)
    labels = [m.group(0).strip() for m in _YEAR_COLUMN.finditer(text)]
    if len(labels) < 2 or _SPACE.sub("", "".join(labels)) != _SPACE.sub("", text):
        return None
    return labels


def _stat_row(text: str, after_rows: bool) -> re.Match | None:
    """A label followed by values only: two or more, or one under rows of the same table."""
    if len(text) > 400:  # a row of a table is a short line; a paragraph is none
        return None
    stripped = text.strip()
    if not _ends_with_digit(stripped):  # nor a line not ending with a value: no need for the pattern, which backtracks
        return None
    m = _STAT_ROW.match(stripped)
    if m is None:
        return None
    n = len(m.group("values").split())
    label = m.group("label")
    if n < (1 if after_rows else 2) or len(label.split()) < 2 or len(label.split()) > 20 or _SENTENCE_END.search(label):
        return None
    return m


def _ends_with_digit(text: str) -> bool:
    """The last character is a `\\d` of the patterns (str.isdigit misses the digits of newer scripts)."""
    return _DIGIT.match(text, len(text) - 1) is not None if text else False


def _row_quantities(block: BlockView, row: re.Match, columns: list[str] | None, skip, notation, section_role) -> list[Quantity]:
    text = block.text
    offset = len(text) - len(text.lstrip())  # the row was matched on the stripped text
    label_end = offset + row.end("label")
    label = row.group("label")
    measure = _UNIT_IN_BRACKETS.sub("", label)
    out = find_quantities(text[:label_end], block.start, skip, notation=notation, section_role=section_role)
    values = list(_VALUE.finditer(text, offset + row.start("values"), offset + row.end("values")))
    for i, v in enumerate(values):
        q = label_quantity(label, text, v.start(), v.end(), v.group(0), notation)
        if q is None:
            continue
        q.start += block.start
        q.end += block.start
        q.measure = measure
        q.role = "target" if section_role == "target" else "result"
        if columns and len(columns) == len(values):
            _apply_column(q, columns[i])
        out.append(q)
    return out


# --- tables ---------------------------------------------------------------------------------------

_YEAR = re.compile(r"(?:19|20)\d\d")
_COL_CHANGE = re.compile(r"(?i)so\s+sánh|so\s+với\s+(?:cùng\s+kỳ|CK|năm)|tăng\s*[/,]\s*giảm|%\s*CK|cùng\s+kỳ\s*\(%\)|tốc\s+độ\s+tăng")
_COL_SHARE = re.compile(r"(?i)%\s*(?:KH|kế\s+hoạch)|so\s+(?:với\s+)?(?:KH|kế\s+hoạch)|TH\s*/\s*KH")
_COL_TARGET = re.compile(r"(?i)(?<![\p{L}])(?:kế\s+hoạch|KH|chỉ\s+tiêu|mục\s+tiêu|dự\s+kiến|dự\s+toán)(?![\p{L}])")
_COL_RESULT = re.compile(r"(?i)(?<![\p{L}])(?:thực\s+hiện|TH|ước|kết\s+quả|đạt|lũy\s+kế|sơ\s+bộ|cùng\s+kỳ)(?![\p{L}])")


class _Tables:
    """The cells of a document's tables: each row's texts and each column's header."""

    def __init__(self, blocks: Sequence[BlockView]) -> None:
        self.rows: dict[tuple, list[str]] = {}
        self.row_cells: dict[tuple, RowCells] = {}
        cells: dict[tuple, str] = {}
        first_data: dict[int, int] = {}
        for b in blocks:
            if b.kind != "table_cell":
                continue
            self.rows.setdefault((b.table, b.row), []).append(b.text)
            cells[(b.table, b.row, b.col)] = b.text
            if b.col and BARE_NUMBER.fullmatch(b.text) and not _YEAR.fullmatch(b.text.strip()):
                first_data[b.table] = min(first_data.get(b.table, b.row), b.row)
        headers: dict[tuple, list[str]] = {}
        for (table, row, col), text in cells.items():
            if row < first_data.get(table, -1) and text.strip():
                headers.setdefault((table, col), []).append(text.strip())
        self.headers = {key: _column(" ".join(texts)) for key, texts in headers.items()}

    def quantities(self, block: BlockView, skip, notation, section_role: str | None) -> list[Quantity]:
        key = (block.table, block.row)
        row = self.row_cells.get(key)
        if row is None:  # once per row, not per cell: a row may hold thousands of cells
            row = self.row_cells[key] = RowCells.of(self.rows.get(key, []))
        header = self.headers.get((block.table, block.col))
        q = table_cell_quantity(block.text, row, block.start, header is not None and header.percent) if block.col else None
        if q is not None:
            q.role = "target" if section_role == "target" else "result"
            found = [q]
        else:
            found = find_quantities(block.text, block.start, skip, notation=notation, section_role=section_role)
            for f in found:
                f.measure = f.measure or row.label
        if header is not None:
            for f in found:
                header.apply(f)
        return found


@dataclass(frozen=True, slots=True)
class _Column:
    """What a column's header says of its cells, read once per column (not once per cell)."""

    percent: bool  # `So sánh (%)`: its bare numbers are percentages
    role: str | None
    compared_to: str | None
    period: str | None
    year: int | None

    def apply(self, q: Quantity) -> None:
        if self.role is not None:
            q.role = self.role
        if self.compared_to is not None:
            q.compared_to = self.compared_to
        if self.period:
            q.period, q.year = self.period, self.year


def _column(header: str) -> _Column:
    """Role and period from a column's header: `Kế hoạch 2023`, `Ước TH 6 tháng`, `So sánh (%)`, `Sơ bộ 2021`."""
    role = compared_to = None
    if _COL_CHANGE.search(header):
        role = "change"
    elif _COL_SHARE.search(header):
        role, compared_to = "result", "kế hoạch"
    elif _COL_TARGET.search(header) and not _COL_RESULT.search(header):
        role = "target"
    elif _COL_RESULT.search(header) or _YEAR.search(header):
        role = "result"
    period, year = period_of(header)
    return _Column("%" in header, role, compared_to, period, year)


def _apply_column(q: Quantity, header: str) -> None:
    _column(header).apply(q)


COMPONENT = Component("quantities", find_in_document, reads=("references",))
