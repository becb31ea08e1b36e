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

from collections.abc import Iterable, Sequence
from typing import Protocol

import regex as re

from extractors.models import Quantity
from extractors.numbers import NUMBER, notation_of
from extractors.quantities import find_quantities, label_quantity, table_cell_quantity
from extractors.references import sentence_around
from extractors.roles import period_of
from gazetteer.indicators import indicator_of


class BlockLike(Protocol):
    kind: str
    text: str
    start: int
    page: int | None
    table: int | None
    row: int | None
    col: int | None


def find_document_quantities(blocks: Sequence[BlockLike], cited: Iterable[tuple[int, int]] = ()) -> list[Quantity]:
    """Every quantity of a document; `cited`: spans (document offsets) of its citations, whose numbers are no quantities."""
    cited = sorted(cited)
    notation = notation_of(b.text for b in blocks)
    tables = _Tables(blocks)
    out: list[Quantity] = []
    section_role: str | None = None
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
            found = tables.quantities(block, skip, notation)
        else:
            section_role = _section_role(block, section_role)
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

_NUMBERING = re.compile(r"^\s*(?:[IVXLC]+[.)]|\d+(?:\.\d+)*[.)]?|[a-zđ][.)])\s+")
_TARGET_HEAD = re.compile(
    r"(?i)^(?:các\s+|một\s+số\s+)?(?:chỉ\s+tiêu|mục\s+tiêu|kế\s+hoạch|phương\s+hướng|nhiệm\s+vụ|dự\s+kiến|định\s+hướng|giải\s+pháp)(?![\p{L}])"
)
_RESULT_HEAD = re.compile(
    r"(?i)(?<![\p{L}])(?:kết\s+quả|tình\s+hình|thực\s+hiện|đánh\s+giá|đạt\s+được|báo\s+cáo|sơ\s+kết|tổng\s+kết)(?![\p{L}])"
)


_FIGURE = re.compile(r"(?<![\d.,])(?!(?:19|20)\d\d(?!\d))\d")  # a digit that is no year


def _section_role(block: BlockLike, current: str | None) -> str | None:
    """`target` under a plan heading, None (results) under any other heading that says which; else unchanged."""
    text = block.text.strip()
    body = _NUMBERING.sub("", text)
    heading = block.kind == "heading" or (
        len(text) <= 120
        and not text.startswith(("-", "+", "•", "*"))  # a bullet is a line of figures, not a heading
        and not _FIGURE.search(body)
        and (bool(_NUMBERING.match(text)) or text.endswith(":") or (text.isupper() and len(text) > 3))
    )
    if not heading:
        return current
    if _RESULT_HEAD.search(body):
        return None
    if _TARGET_HEAD.match(body):
        return "target"
    return current


# --- statistics tables kept as text -------------------------------------------------------------

_YEAR_COLUMN = re.compile(r"(?:[^\W\d][^\d]{0,25}?\s+)?(?:19|20)\d\d(?!\d)")
_STAT_ROW = re.compile(rf"^(?P<label>.*[\p{{L}})])\s+(?P<values>(?:{NUMBER})(?:\s+(?:{NUMBER}))*)\s*$")
_VALUE = re.compile(NUMBER)


def _year_columns(text: str) -> list[str] | None:
    """`2015 2017 2019 2020 Sơ bộ 2021`: the column labels of a statistics table, when a line holds nothing else."""
    labels = [m.group(0).strip() for m in _YEAR_COLUMN.finditer(text)]
    if len(labels) < 2 or re.sub(r"\s+", "", "".join(labels)) != re.sub(r"\s+", "", text):
        return None
    return labels


def _stat_row(text: str, after_rows: bool) -> re.Match | None:
    """A label followed by values only: two or more, or one under rows of the same table."""
    m = _STAT_ROW.match(text.strip())
    if m is None:
        return None
    n = len(m.group("values").split())
    label = m.group("label")
    if n < (1 if after_rows else 2) or len(label.split()) < 2 or len(label.split()) > 20 or re.search(r"[.;!?](?:\s|$)", label):
        return None
    return m


def _row_quantities(block: BlockLike, row: re.Match, columns: list[str] | None, skip, notation, section_role) -> list[Quantity]:
    text = block.text
    offset = len(text) - len(text.lstrip())  # the row was matched on the stripped text
    label_end = offset + row.end("label")
    label = row.group("label")
    measure = re.sub(r"\s*\([^()]*\)\s*$", "", label)
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

_BARE = re.compile(rf"\s*(?:{NUMBER})\s*%?\s*")
_YEAR = re.compile(r"(?:19|20)\d\d")
_COL_CHANGE = re.compile(r"(?i)so\s+sánh|so\s+với\s+(?:cùng\s+kỳ|CK|năm)|tăng\s*[/,]\s*giảm|%\s*CK|cùng\s+kỳ\s*\(%\)|tốc\s+độ\s+tăng")
_COL_SHARE = re.compile(r"(?i)%\s*(?:KH|kế\s+hoạch)|so\s+(?:với\s+)?(?:KH|kế\s+hoạch)|TH\s*/\s*KH")
_COL_TARGET = re.compile(r"(?i)(?<![\p{L}])(?:kế\s+hoạch|KH|chỉ\s+tiêu|mục\s+tiêu|dự\s+kiến|dự\s+toán)(?![\p{L}])")
_COL_RESULT = re.compile(r"(?i)(?<![\p{L}])(?:thực\s+hiện|TH|ước|kết\s+quả|đạt|lũy\s+kế|sơ\s+bộ|cùng\s+kỳ)(?![\p{L}])")


class _Tables:
    """The cells of a document's tables: each row's texts and each column's header."""

    def __init__(self, blocks: Sequence[BlockLike]) -> None:
        self.rows: dict[tuple, list[str]] = {}
        cells: dict[tuple, str] = {}
        first_data: dict[int, int] = {}
        for b in blocks:
            if b.kind != "table_cell":
                continue
            self.rows.setdefault((b.table, b.row), []).append(b.text)
            cells[(b.table, b.row, b.col)] = b.text
            if b.col and _BARE.fullmatch(b.text) and not _YEAR.fullmatch(b.text.strip()):
                first_data[b.table] = min(first_data.get(b.table, b.row), b.row)
        self.headers: dict[tuple, str] = {}
        for (table, row, col), text in cells.items():
            if row < first_data.get(table, -1) and text.strip():
                key = (table, col)
                self.headers[key] = f"{self.headers[key]} {text.strip()}" if key in self.headers else text.strip()

    def quantities(self, block: BlockLike, skip, notation) -> list[Quantity]:
        row = self.rows.get((block.table, block.row), [])
        header = self.headers.get((block.table, block.col))
        q = table_cell_quantity(block.text, row, block.start, header) if block.col else None
        if q is not None:
            q.role = "result"
            found = [q]
        else:
            found = find_quantities(block.text, block.start, skip, notation=notation)
            label = max((c.strip() for c in row if c.strip() and not _BARE.fullmatch(c)), key=len, default=None)
            for f in found:
                f.measure = f.measure or label
        if header:
            for f in found:
                _apply_column(f, header)
        return found


def _apply_column(q: Quantity, header: str) -> None:
    """Role and period from a column's header: `Kế hoạch 2023`, `Ước TH 6 tháng`, `So sánh (%)`, `Sơ bộ 2021`."""
    if _COL_CHANGE.search(header):
        q.role = "change"
    elif _COL_SHARE.search(header):
        q.role, q.compared_to = "result", "kế hoạch"
    elif _COL_TARGET.search(header) and not _COL_RESULT.search(header):
        q.role = "target"
    elif _COL_RESULT.search(header) or _YEAR.search(header):
        q.role = "result"
    period, year = period_of(header)
    if period:
        q.period, q.year = period, year
