"""Ruled tables on a scanned page: the grid found in the image, OCR's words placed in its cells.

Tesseract's page layout reads a ruled table in an order of its own and runs a
row's cells into one line (`Số thuê bao Thuê bao 1.808.680 - 1.778.680`), so a
statistics table loses which figure stands in which row and column, and the
figures extractor its row labels and column headers. The rules are in the
image: long runs of ink, horizontal and vertical, that cross each other. Found
here with Pillow's box resize (a rule fills every bin it passes through; a line
of text does not, over this length) and a regex over each row of bins; the
words Tesseract read (with their boxes) are then placed in the cells their
centres fall in. A table's cells become `table_cell` blocks, as a DOCX table's.

Rules that cross nothing (a heading's underline, the rule above footnotes) make
no table; nor does a frame without inner rules.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import regex as re

BINS = 200  # bins across the page for horizontal rules (down it for vertical ones)
MIN_RULE = 0.08  # shortest rule, as a share of the page's width (horizontal) or height (vertical)
_FULL = re.compile(rb"[\xa0-\xff]+")  # bins at least 63% ink


@dataclass(frozen=True, slots=True)
class Rule:
    at: int  # y of a horizontal rule, x of a vertical one (pixels)
    start: int  # where it runs, along its length
    end: int


@dataclass(slots=True)
class Grid:
    """One table: its horizontal rules and, for each band between two of them, the column edges."""

    rows: list[int]  # y of each row's top edge, and the bottom edge last
    edges: list[list[int]]  # for each row: the x's of its cells' edges, left to right
    columns: list[int]  # every column edge of the table: a cell's column is the edge it starts at

    @property
    def box(self) -> tuple[int, int, int, int]:
        return min(e[0] for e in self.edges), self.rows[0], max(e[-1] for e in self.edges), self.rows[-1]

    def cell(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, column) of the cell holding the point, None outside the table."""
        r = bisect_right(self.rows, y) - 1
        if not 0 <= r < len(self.rows) - 1:
            return None
        edges = self.edges[r]
        c = bisect_right(edges, x) - 1
        if not 0 <= c < len(edges) - 1:
            return None
        return r, bisect_right(self.columns, edges[c] + 2) - 1


def find_grids(image, threshold: int = 128) -> list[Grid]:
    """The ruled tables of a page image (ink darker than `threshold`), top to bottom."""
    from PIL import Image

    ink = image.convert("L").point(lambda v: 255 if v <= threshold else 0)
    width, height = ink.size
    bin_px = max(4, width // BINS)
    tol = 2 * bin_px
    horizontal = _rules(ink.resize((max(1, width // bin_px), height), Image.Resampling.BOX), bin_px, MIN_RULE * width)
    vertical = _rules(ink.resize((width, max(1, height // bin_px)), Image.Resampling.BOX).transpose(Image.Transpose.TRANSPOSE),
                      bin_px, MIN_RULE * 0.25 * height)
    grids = []
    for hs, vs in _crossing_groups(horizontal, vertical, tol):
        grid = _grid(hs, vs, tol)
        if grid is not None:
            grids.append(grid)
    return sorted(grids, key=lambda g: g.rows[0])


def _rules(binned, bin_px: int, min_length: float) -> list[Rule]:
    """Runs of full bins, row by row of `binned` (rules one to a few pixels thick merged into one)."""
    data = binned.tobytes()
    w = binned.width
    raw: list[Rule] = []
    for row in range(binned.height):
        for m in _FULL.finditer(data, row * w, (row + 1) * w):
            start, end = (m.start() - row * w) * bin_px, (m.end() - row * w) * bin_px
            if end - start >= min_length:
                raw.append(Rule(row, start, end))
    merged: list[Rule] = []
    for rule in raw:  # sorted by row: a thick rule is the same run on neighbouring rows
        prev = next((r for r in reversed(merged[-4:]) if rule.at - r.at <= 3 and rule.start < r.end and r.start < rule.end), None)
        if prev is not None:
            merged[merged.index(prev)] = Rule(prev.at, min(prev.start, rule.start), max(prev.end, rule.end))
        else:
            merged.append(rule)
    return merged


def _crossing_groups(hs: list[Rule], vs: list[Rule], tol: int) -> list[tuple[list[Rule], list[Rule]]]:
    """Horizontal and vertical rules that cross, grouped: each group a table."""
    parent = list(range(len(hs) + len(vs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.start - tol <= v.at <= h.end + tol and v.start - tol <= h.at <= v.end + tol:
                parent[root(i)] = root(len(hs) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(root(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(root(len(hs) + j), ([], []))[1].append(v)
    return [(h, v) for h, v in groups.values() if len(h) >= 2 and len(v) >= 2]


def _grid(hs: list[Rule], vs: list[Rule], tol: int) -> Grid | None:
    """The grid of one group of crossing rules; None when it holds fewer than two cells."""
    rows = _merge_positions(sorted(h.at for h in hs), tol)
    left, right = min(h.start for h in hs), max(h.end for h in hs)
    edges = []
    for top, bottom in zip(rows, rows[1:]):
        middle = (top + bottom) / 2
        xs = [v.at for v in vs if v.start - tol <= middle <= v.end + tol]
        edges.append(_merge_positions(sorted({left, right, *xs}), tol))
    columns = _merge_positions(sorted({x for e in edges for x in e}), tol)
    if sum(len(e) - 1 for e in edges) < 2:
        return None
    return Grid(rows, edges, columns)


def _merge_positions(positions: list[int], tol: int) -> list[int]:
    """Positions closer than `tol` are one (a rule's two edges, a frame drawn twice)."""
    out: list[int] = []
    for p in positions:
        if out and p - out[-1] <= tol:
            continue
        out.append(p)
    return out
