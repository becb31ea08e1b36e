"""Ruled tables of PDF pages: the grid the page draws, and the text of each of its cells.

A table printed by a word processor or a gazette is drawn: thin filled
rectangles or stroked lines, one path object each. Where a page draws at least
two rows and two columns of cells closed on every side, the lines of text that
fall inside them become `table_cell` blocks with their row and column, as a
DOCX table does, instead of running text in which pdfium joins the cells of a
row (`1 Số thuê bao` + `Thuê bao 1.808.680 1.778.680`).

How it stays cheap (`baocao bench pdf`): every page pays one pass over its
page objects, two ctypes calls each, to find the path objects; only a page
whose paths make a grid pays more, and there the lines inside the table skip
the layout work of running text (type size, superscripts, paragraphs), which
costs about what placing them in cells does. pdfplumber's table finder would
parse each ruled page again in Python (about 0.1 s a page, where our whole
ingestion takes 4 ms): on the Công báo prints, where most pages hold a table,
that alone would make ingestion thirty times slower.

Gazettes set landscape tables turned a quarter turn, and pdfium breaks their
lines where an accented vowel sits higher than its consonant (`hi` + `ệu`).
The text direction of a table (from its characters' boxes) says which way its
rows and columns run, and two pieces of a cell that continue each other on the
same line of type are joined without a space, so the cell reads `hiệu`.

A table continued on the next page, with the same columns and nothing but the
running lines between, keeps its number; its rows go on counting, and a
repeated header row is dropped.
"""
from __future__ import annotations

import ctypes
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import compress, repeat

import pypdfium2.raw as pdfium_c
import regex as re

from pipeline.models import Block

RULE = 2.5  # points: the thickest stroke that is a rule, not a shaded box
SNAP = 2.0  # rules this close are one line; a rule reaches a line it stops this close to
MIN_RULE = 6.0  # shorter strokes are dots and corners, not rules
MAX_RULE_SEGMENTS = 6  # a rule is a line or a rectangle: a path of more segments is a drawn glyph or a picture
MAX_GRID = 40_000  # elementary cells: beyond, the page's strokes are a drawing, not a table
MAX_LOOSE_LINES = 4  # lines between two pieces of a continued table: running header, page number
SAME_COLUMNS = 3.0  # points: column boundaries this close are the same column on the next page

_PATH, _MOVETO, _LINETO = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO


def _void(function, restype, *argtypes):
    """pdfium's function with plain-address handles: ctypes then makes no pointer object per call.

    Every page pays for one pass over its objects; with the bindings' typed
    handles that pass costs twice as much (`baocao bench pdf`).
    """
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


_VP, _FP = ctypes.c_void_p, ctypes.POINTER(ctypes.c_float)
_get_object = _void(pdfium_c.FPDFPage_GetObject, _VP, _VP, ctypes.c_int)
_get_type = _void(pdfium_c.FPDFPageObj_GetType, ctypes.c_int, _VP)
_get_bounds = _void(pdfium_c.FPDFPageObj_GetBounds, ctypes.c_int, _VP, _FP, _FP, _FP, _FP)
_count_segments = _void(pdfium_c.FPDFPath_CountSegments, ctypes.c_int, _VP)
_loose_box = pdfium_c.FPDFText_GetLooseCharBox


@dataclass(slots=True)
class _Rules:
    """The page's rules: horizontal ones as (x0, x1, y), vertical ones as (y0, y1, x)."""

    h: list[tuple[float, float, float]] = field(default_factory=list)
    v: list[tuple[float, float, float]] = field(default_factory=list)


class _Page:
    """ctypes structs made once per page for the path calls."""

    def __init__(self) -> None:
        self.box = [ctypes.c_float() for _ in range(4)]
        self.refs = [ctypes.byref(v) for v in self.box]
        self.fill, self.stroke = ctypes.c_int(), ctypes.c_int()
        self.x, self.y = ctypes.c_float(), ctypes.c_float()
        self.matrix = pdfium_c.FS_MATRIX()


def page_rules(page_raw) -> _Rules:
    """The rules a page draws: thin path objects, and the straight sides of stroked rectangles."""
    rules = _Rules()
    n = pdfium_c.FPDFPage_CountObjects(page_raw)
    if n <= 0:
        return rules
    objects = list(map(_get_object, repeat(ctypes.cast(page_raw, _VP).value, n), range(n)))
    paths = list(compress(objects, map(_PATH.__eq__, map(_get_type, objects))))
    p = _Page() if paths else None
    for obj in paths:
        if not _get_bounds(obj, *p.refs):
            continue
        left, bottom, right, top = p.box[0].value, p.box[1].value, p.box[2].value, p.box[3].value
        width, height = right - left, top - bottom
        if (height <= RULE or width <= RULE) and _count_segments(obj) > MAX_RULE_SEGMENTS:
            continue  # a glyph drawn as a shape (`l`, `-`), not a rule
        if height <= RULE and width >= MIN_RULE:
            rules.h.append((left, right, (bottom + top) / 2))
        elif width <= RULE and height >= MIN_RULE:
            rules.v.append((bottom, top, (left + right) / 2))
        elif width >= MIN_RULE and height >= MIN_RULE:
            _stroked_sides(ctypes.cast(obj, pdfium_c.FPDF_PAGEOBJECT), p, rules)
    return rules


def _stroked_sides(obj, p: _Page, rules: _Rules) -> None:
    """The straight strokes of a stroked path (a cell's frame, a grid drawn as one path), in page space."""
    pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(p.fill), ctypes.byref(p.stroke))
    n = pdfium_c.FPDFPath_CountSegments(obj)
    if not p.stroke.value or n > 256 or not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(p.matrix)):
        return
    m = p.matrix
    last = None
    for s in range(n):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, s)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind not in (_MOVETO, _LINETO):
            return  # curves: a stamp or a drawing, not a table
        pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(p.x), ctypes.byref(p.y))
        x, y = p.x.value, p.y.value
        point = (m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f)
        if kind == _LINETO and last is not None:
            (x0, y0), (x1, y1) = last, point
            if abs(y1 - y0) <= SNAP and abs(x1 - x0) >= MIN_RULE:
                rules.h.append((min(x0, x1), max(x0, x1), (y0 + y1) / 2))
            elif abs(x1 - x0) <= SNAP and abs(y1 - y0) >= MIN_RULE:
                rules.v.append((min(y0, y1), max(y0, y1), (x0 + x1) / 2))
        last = point


# --- the grid -------------------------------------------------------------------------


def _positions(rules: list[tuple[float, float, float]]) -> tuple[list[float], list[list[tuple[float, float]]]]:
    """Rules snapped to their lines: each line's position and the stretches it is drawn over, joined and sorted."""
    lines: list[float] = []
    spans: list[list[tuple[float, float]]] = []
    for lo, hi, at in sorted(rules, key=lambda r: r[2]):
        if lines and at - lines[-1] <= SNAP:
            spans[-1].append((lo, hi))
        else:
            lines.append(at)
            spans.append([(lo, hi)])
    return lines, [_joined(s) for s in spans]


def _joined(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Stretches that touch (a rule drawn cell by cell) made one."""
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1] + SNAP:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _coverage(spans: list[list[tuple[float, float]]], between: list[float]) -> list[list[bool]]:
    """For each line, whether it is drawn across the middle of each gap between the lines of the other way."""
    mids = [(p + q) / 2 for p, q in zip(between, between[1:])]
    out = []
    for line in spans:
        starts = [lo for lo, _ in line]
        row = []
        for m in mids:
            k = bisect_right(starts, m + SNAP) - 1
            row.append(k >= 0 and line[k][1] + SNAP >= m)
        out.append(row)
    return out


@dataclass(slots=True)
class _Cell:
    """A cell: the elementary columns i0..i1 and rows j0..j1 of the page grid it covers (j counts upwards)."""

    i0: int
    i1: int
    j0: int
    j1: int
    pieces: list[tuple[str, tuple[float, float, float, float], tuple[float, float, float, float]]] = field(default_factory=list)


@dataclass(slots=True)
class Grid:
    """One ruled table of a page."""

    xs: list[float]
    ys: list[float]
    cell_at: dict[tuple[int, int], _Cell]
    box: tuple[float, float, float, float]
    blocks: list[Block] = field(default_factory=list)  # filled when the page is done
    loose_before: int = 0  # lines of running text between the table before it and this one
    placed: bool = False

    def cell(self, x: float, y: float) -> _Cell | None:
        i, j = bisect_right(self.xs, x) - 1, bisect_right(self.ys, y) - 1
        return self.cell_at.get((i, j))

    def cells(self) -> list[_Cell]:
        return list({id(c): c for c in self.cell_at.values()}.values())


def grids(rules: _Rules) -> list[Grid]:
    """The tables the rules draw: cells closed on every side, grouped by the sides they share.

    Elementary cells lie between consecutive rule lines; two of them are one cell
    where no rule separates them (a merged header). A cell whose frame is not
    drawn all round lies outside any table (between two tables, beside one).
    """
    if len(rules.h) < 2 or len(rules.v) < 2:
        return []
    xs, vspans = _positions(rules.v)
    ys, hspans = _positions(rules.h)
    if len(xs) < 2 or len(ys) < 2 or len(xs) * len(ys) > MAX_GRID:
        return []
    v_drawn, h_drawn = _coverage(vspans, ys), _coverage(hspans, xs)  # [line][gap]
    parent = {(i, j): (i, j) for i in range(len(xs) - 1) for j in range(len(ys) - 1)}

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, j in list(parent):
        if i + 1 < len(xs) - 1 and not v_drawn[i + 1][j]:
            parent[find((i, j))] = find((i + 1, j))
        if j + 1 < len(ys) - 1 and not h_drawn[j + 1][i]:
            parent[find((i, j))] = find((i, j + 1))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for e in parent:
        groups.setdefault(find(e), []).append(e)
    cell_at: dict[tuple[int, int], _Cell] = {}
    for members in groups.values():
        cell = _closed_cell(members, v_drawn, h_drawn)
        if cell is not None:
            for e in members:
                cell_at[e] = cell
    return _tables(cell_at, xs, ys)


def _closed_cell(members: list[tuple[int, int]], v_drawn: list[list[bool]], h_drawn: list[list[bool]]) -> _Cell | None:
    """The cell these elementary cells make, when it is a rectangle with a rule on every side."""
    i0, i1 = min(i for i, _ in members), max(i for i, _ in members)
    j0, j1 = min(j for _, j in members), max(j for _, j in members)
    if len(members) != (i1 - i0 + 1) * (j1 - j0 + 1):
        return None
    if not all(v_drawn[i0][j] and v_drawn[i1 + 1][j] for j in range(j0, j1 + 1)):
        return None
    if not all(h_drawn[j0][i] and h_drawn[j1 + 1][i] for i in range(i0, i1 + 1)):
        return None
    return _Cell(i0, i1, j0, j1)


def _tables(cell_at: dict[tuple[int, int], _Cell], xs: list[float], ys: list[float]) -> list[Grid]:
    """Cells that touch make one table; a table has at least two rows and two columns."""
    seen: set[tuple[int, int]] = set()
    out = []
    for start in cell_at:
        if start in seen:
            continue
        todo, members = [start], {}
        seen.add(start)
        while todo:
            i, j = todo.pop()
            members[(i, j)] = cell_at[(i, j)]
            for n in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
                if n in cell_at and n not in seen:
                    seen.add(n)
                    todo.append(n)
        cols = {i for i, _ in members}
        rows = {j for _, j in members}
        if len(cols) < 2 or len(rows) < 2 or len({id(c) for c in members.values()}) < 3:
            continue
        box = (xs[min(cols)], ys[min(rows)], xs[max(cols) + 1], ys[max(rows) + 1])
        out.append(Grid(xs, ys, members, box))
    return out


# --- the lines of text in the cells ---------------------------------------------------

Box = tuple[float, float, float, float]  # left, bottom, right, top in page space


def _halve(raw: str, lo: int, hi: int, cell_of, runs: list) -> None:
    """The runs (first, last, cell) of characters lo..hi of a line, appended in order.

    `lo` and `hi` are no spaces (a space has no place of its own); where their
    cells differ, the line is halved until the change is found.
    """
    c_lo, c_hi = cell_of(lo), cell_of(hi)
    if c_lo is c_hi or hi - lo <= 1:
        _add_run(runs, lo, lo if c_lo is not c_hi else hi, c_lo)
        if c_lo is not c_hi:
            _add_run(runs, hi, hi, c_hi)
        return
    mid = (lo + hi) // 2
    while mid > lo and raw[mid].isspace():
        mid -= 1
    after = mid + 1
    while after < hi and raw[after].isspace():
        after += 1
    _halve(raw, lo, mid, cell_of, runs)
    _halve(raw, after, hi, cell_of, runs)


def _add_run(runs: list, lo: int, hi: int, cell) -> None:
    if runs and runs[-1][2] is cell:
        runs[-1] = (runs[-1][0], hi, cell)
    else:
        runs.append((lo, hi, cell))


def _center(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


class PageTables:
    """The ruled tables of one page, taking the lines of text that fall in their cells."""

    def __init__(self, doc: DocumentTables, found: list[Grid], textpage_raw, number: int) -> None:
        self.doc, self.grids, self.raw, self.number = doc, found, textpage_raw, number
        self.rect = pdfium_c.FS_RECTF()
        self.rect_ref = ctypes.byref(self.rect)
        self.order: list[Grid] = []

    def _box(self, index: int) -> Box | None:
        if not _loose_box(self.raw, index, self.rect_ref):
            return None
        r = self.rect
        return (r.left, r.bottom, r.right, r.top)

    def _where(self, box: Box | None) -> tuple[Grid | None, _Cell | None]:
        """The table and the cell a character's box stands in."""
        if box is None:
            return None, None
        x, y = (box[0] + box[2]) * 0.5, (box[1] + box[3]) * 0.5
        for g in self.grids:
            left, bottom, right, top = g.box
            if left - SNAP <= x <= right + SNAP and bottom - SNAP <= y <= top + SNAP:
                return g, g.cell(x, y)
        return None, None

    def take(self, raw: str, pos: int) -> tuple[str, list[Block] | None]:
        """Put what of a line of the page's text (its characters start at `pos`) falls in cells into them.

        Returns the line with those characters blanked (its offsets unchanged: the
        rest is running text, as a running header pdfium joined to a table's first
        line), and, when the line is a table's first on this page, the list its
        blocks will be put in: where the table stands among the page's lines.
        """
        first, last = len(raw) - len(raw.lstrip()), len(raw.rstrip()) - 1
        if last < first:
            return raw, None
        a = self._box(pos + first)
        b = self._box(pos + last) if last > first else a
        (grid, start), (other, end) = self._where(a), self._where(b)
        grid = grid or other
        if grid is None:
            self.doc.loose_lines += 1
            return raw, None
        if start is not None and end is start:
            start.pieces.append((raw[first : last + 1], a, b))
            left = " " * len(raw)
        else:
            left = self._split(grid, raw, pos, (first, a), (last, b))
            if left == raw:
                self.doc.loose_lines += 1
                return raw, None  # in the table's frame but in none of its cells
        loose = self.doc.loose_lines + (1 if left.strip() else 0)  # a running header joined to the table's first line
        self.doc.loose_lines = 0
        if grid.placed:
            return left, None
        grid.placed, grid.loose_before = True, loose
        self.order.append(grid)
        return left, grid.blocks

    def _split(self, grid: Grid, raw: str, pos: int, first: tuple[int, Box | None], last: tuple[int, Box | None]) -> str:
        """A line pdfium ran across cells (`1 Số thuê bao`): cut where its characters change cell.

        The characters of a line follow each other along it, so the places where
        the cell changes are found by halving (a few character boxes, not one
        each). Returns the line with the characters that went to cells blanked.
        """
        boxes = {first[0]: first[1], last[0]: last[1]}

        def cell_of(k: int) -> _Cell | None:
            if k not in boxes:
                boxes[k] = self._box(pos + k)
            box = boxes[k]
            return grid.cell((box[0] + box[2]) * 0.5, (box[1] + box[3]) * 0.5) if box else None

        runs: list[tuple[int, int, _Cell | None]] = []
        _halve(raw, first[0], last[0], cell_of, runs)
        left = list(raw)
        for lo, hi, cell in runs:
            if cell is None:
                continue
            lo, hi = lo + len(raw[lo : hi + 1]) - len(raw[lo : hi + 1].lstrip()), len(raw[: hi + 1].rstrip()) - 1
            if hi < lo:
                continue
            cell_of(lo), cell_of(hi)
            cell.pieces.append((raw[lo : hi + 1], boxes[lo], boxes[hi]))
            left[lo : hi + 1] = " " * (hi + 1 - lo)
        return "".join(left)

    def finish(self) -> None:
        """The page is read: its tables' cells become blocks, numbered across the document."""
        for k, grid in enumerate(self.order):
            self.doc.place(grid, self.number, first_on_page=k == 0)


@dataclass(slots=True)
class _Open:
    """The last table placed: what its continuation on the next page must match, and its last row's cells."""

    index: int
    direction: str
    columns: list[float]
    header: list[str]
    next_row: int
    page: int
    tail: dict[int, Block] = field(default_factory=dict)


class DocumentTables:
    """The tables of one document, numbered in reading order; a table continued on the next page keeps its number."""

    def __init__(self) -> None:
        self.count = 0
        self.last: _Open | None = None
        self.loose_lines = 0  # lines of running text since the last line of a table

    def page(self, page_raw, textpage_raw, number: int) -> PageTables | None:
        """The page's tables, or None (most pages): then its lines are all running text."""
        if pdfium_c.FPDFText_CountChars(textpage_raw) <= 0:
            return None  # no text layer: nothing to put in cells (a scan is read by OCR as running text)
        found = grids(page_rules(page_raw))
        return PageTables(self, found, textpage_raw, number) if found else None

    def place(self, grid: Grid, page: int, first_on_page: bool) -> None:
        """The grid's cells as blocks: a new table, or the rows that continue the last one."""
        direction = _direction(grid)
        rows = sorted(_rows(grid, direction))
        columns = _columns(grid, direction)
        last = self.last
        if first_on_page and last is not None and _continues(last, grid, page, direction, columns):
            index, header = last.index, last.header
            rows, offset, grid.blocks[:] = _continue(rows, last, page)
            next_row, tail = last.next_row, last.tail
        else:
            index, offset, next_row, tail = self.count, 0, 0, {}
            self.count += 1
            header = [text for r, _, text in rows if r == 0]
        for row, col, text in rows:
            block = Block("table_cell", text, page=page, table=index, row=offset + row, col=col)
            grid.blocks.append(block)
            if block.row >= next_row:
                next_row, tail = block.row + 1, {}
            tail[col] = block
        self.last = _Open(index, direction, columns, header, next_row, page, tail)


_FIGURE = re.compile(r"[\d.,%\s]+")


def _rest_of_row(top: list[tuple[int, str]], tail: dict[int, Block]) -> bool:
    cols = {c for c, _ in top}
    return 0 in tail and 0 not in cols and cols < set(tail) and not any(_FIGURE.fullmatch(text) for _, text in top)


def _continues(last: _Open, grid: Grid, page: int, direction: str, columns: list[float]) -> bool:
    """The page's first table goes on with the last one: the next page, nothing but running lines between, the same columns."""
    return (
        last.page == page - 1 and grid.loose_before <= MAX_LOOSE_LINES and last.direction == direction
        and len(last.columns) == len(columns) and all(abs(p - q) <= SAME_COLUMNS for p, q in zip(last.columns, columns))
    )


def _continue(rows: list[tuple[int, int, str]], last: _Open, page: int) -> tuple[list[tuple[int, int, str]], int, list[Block]]:
    """The rows of a table's next page, the number its first row takes, and cells added to the last row.

    The header printed again on the new page is dropped. The rest of a row the
    page break cut goes to that row's cells: a first row whose every cell starts
    in lower case (`Tỷ lệ thuê bao điện` / `thoại/100 dân`), or one that only
    continues some of the last row's cells, none a figure, while the last row
    had its first cell (`Mô hình ... tại xã Mỹ` / `Hòa`).
    """
    if [text for r, _, text in rows if r == 0] == last.header:
        rows = [x for x in rows if x[0] > 0]
    added: list[Block] = []
    top = [(c, text) for r, c, text in rows if r == rows[0][0]] if rows else []
    if top and last.tail and (all(text[:1].islower() for _, text in top) or _rest_of_row(top, last.tail)):
        some = next(iter(last.tail.values()))
        for col, text in top:
            if col in last.tail:
                last.tail[col].text = f"{last.tail[col].text} {text}"
            else:
                last.tail[col] = Block("table_cell", text, page=page, table=some.table, row=some.row, col=col)
                added.append(last.tail[col])
        rows = [x for x in rows if x[0] != rows[0][0]]
    offset = last.next_row - (rows[0][0] if rows else 0)  # the first row left takes the next number
    return rows, offset, added


# --- reading a table the way its text runs ----------------------------------------------


def _direction(grid: Grid) -> str:
    """`right` for upright text, `up` or `down` for a table turned a quarter turn: the way most of its lines run."""
    votes = {"right": 0, "up": 0, "down": 0}
    for cell in grid.cells():
        for _, a, b in cell.pieces[:3]:  # a few lines of each cell tell
            (x0, y0), (x1, y1) = _center(a), _center(b)
            dx, dy = x1 - x0, y1 - y0
            if abs(dx) >= abs(dy) and abs(dx) > 1:
                votes["right"] += 1
            elif abs(dy) > 1:
                votes["up" if dy > 0 else "down"] += 1
    return max(votes, key=lambda k: (votes[k], k == "right"))


def _frame(box: Box, direction: str) -> tuple[float, float, float, float]:
    """A box in the text's own frame: (start, end) along the line, (top, bottom) across it, growing downwards."""
    left, bottom, right, top = box
    if direction == "up":  # the tops of the letters point left: lines follow each other rightwards
        return bottom, top, left, right
    if direction == "down":
        return -top, -bottom, -right, -left
    return left, right, -top, -bottom


def _rows(grid: Grid, direction: str) -> list[tuple[int, int, str]]:
    """(row, column, text) of every cell with text, counted from the table's top left as its text reads.

    Rows and columns are counted by where cells start, not by the page's grid:
    another table on the page adds lines that split no cell of this one.
    """
    cells = grid.cells()
    if direction == "up":
        row_of, col_of = _ranks(c.i0 for c in cells), _ranks(c.j0 for c in cells)
        place = lambda c: (row_of[c.i0], col_of[c.j0])  # noqa: E731
    elif direction == "down":
        row_of, col_of = _ranks((c.i1 for c in cells), True), _ranks((c.j1 for c in cells), True)
        place = lambda c: (row_of[c.i1], col_of[c.j1])  # noqa: E731
    else:
        row_of, col_of = _ranks((c.j1 for c in cells), True), _ranks(c.i0 for c in cells)
        place = lambda c: (row_of[c.j1], col_of[c.i0])  # noqa: E731
    return [(*place(c), text) for c in cells if (text := _cell_text(c, direction))]


def _ranks(values, descending: bool = False) -> dict[int, int]:
    return {v: n for n, v in enumerate(sorted(set(values), reverse=descending))}


def _columns(grid: Grid, direction: str) -> list[float]:
    """The column boundaries in reading order, in page space: what a continuation must repeat."""
    cells = grid.cells()
    if direction == "right":
        return sorted({grid.xs[c.i0] for c in cells}) + [grid.xs[max(c.i1 for c in cells) + 1]]
    bounds = sorted({grid.ys[c.j0] for c in cells}) + [grid.ys[max(c.j1 for c in cells) + 1]]
    return bounds if direction == "up" else bounds[::-1]


def _cell_text(cell: _Cell, direction: str) -> str:
    """The pieces of a cell in reading order, one space between lines and words.

    Two pieces on the same line of type, the second starting where the first
    ends, are one word pdfium broke at an accent (`hi` + `ệu`, `N` + `Đ-CP`):
    joined without a space. So is a word processor's break after a hyphen (`51/KH-` + `UBND`).
    """
    if len(cell.pieces) == 1:
        return " ".join(cell.pieces[0][0].split())
    out = ""
    prev: Box | None = None
    for text, a, b in cell.pieces:
        if not text:
            continue
        if prev is None:
            out = text
        else:
            p0, p1, pt, pb = _frame(prev, direction)
            n0, _, nt, nb = _frame(a, direction)
            height = max(min(pb, nb) - max(pt, nt), 0.0)
            same_line = height >= 0.5 * min(pb - pt, nb - nt)
            touching = same_line and -0.5 * (pb - pt) <= n0 - p1 <= 0.1 * (pb - pt)
            hyphen = len(out) > 1 and out.endswith("-") and not out[-2].isspace()
            out += text if (touching or hyphen) and not out.endswith(" ") else " " + text
        prev = b
    return " ".join(out.split())
