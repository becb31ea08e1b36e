"""Ruled tables in PDFs (pipeline/ingest/pdf_tables.py): cells with row and column, figures with their headers.

The reports of tests/cases/table_reports.yaml are written here as text, printed
to DOCX and to PDF (LibreOffice, ruled tables: pipeline.bench.render) and read
in the three formats: the same cells, the same quantities with the measure of
their row and the role and period of their column. Smaller PDFs are drawn with
reportlab: a table turned a quarter turn with words pdfium splits at accents,
a table continued on the next page, merged header cells, a framed paragraph
that is no table.
"""
from __future__ import annotations

import collections
import io
from pathlib import Path

import pytest

from pipeline.bench.render import many_to_pdf, read_text_report, to_docx
from pipeline.discover import InputFile
from pipeline.document import process_file
from pipeline.ingest import ingest
from pipeline.ingest.doc import soffice
from tests.helpers import load_cases, shared

CASES = load_cases("table_reports.yaml")
needs_libreoffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (libreoffice-writer-nogui) is not installed")
QUANTITY = ("kind", "value", "total", "unit", "measure", "role", "compared_to", "period", "year", "indicator")


def report_text(case: dict) -> str:
    """A case as DOCX-converter text: one paragraph a line, a table's cells on tab-prefixed lines, a blank line after each row."""
    lines = []
    for block in case["blocks"]:
        if isinstance(block, dict):
            lines.append("")
            for row in block["table"]:
                lines.extend(f"\t{cell}" for cell in row)
                lines.append("")
        else:
            lines.append(block)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def renditions(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """format -> case name -> file: each case as text, DOCX and PDF."""
    root = tmp_path_factory.mktemp("tables")
    out: dict[str, dict[str, Path]] = collections.defaultdict(dict)
    to_print = []
    for case in CASES:
        txt = root / f"{case['name']}.txt"
        txt.write_text(report_text(case), encoding="utf-8")
        doc = read_text_report(txt)
        to_docx(doc, root / f"{case['name']}.docx")
        out["txt"][case["name"]], out["docx"][case["name"]] = txt, root / f"{case['name']}.docx"
        to_print.append((doc, root / f"{case['name']}.pdf"))
    if soffice() is not None:
        many_to_pdf(to_print)
        out["pdf"] = {case["name"]: path for case, (_, path) in zip(CASES, to_print)}
    return out


def _read(path: Path):
    res = process_file(InputFile(path, path.name))
    assert res.document is not None, res.errors
    return res


def _cells(res) -> list[tuple]:
    return [(b.table, b.row, b.col, b.text) for b in res.document.blocks if b.kind == "table_cell"]


def _quantities(res) -> collections.Counter:
    return collections.Counter(tuple(getattr(q, f) for f in QUANTITY) for q in res.entities("quantities"))


def test_the_text_version_reads_as_the_cases_say(renditions):
    for case in CASES:
        res = _read(renditions["txt"][case["name"]])
        tables = [b["table"] for b in case["blocks"] if isinstance(b, dict)]
        assert len({t for t, *_ in _cells(res)}) == len(tables)
        found = list(res.entities("quantities"))
        for want in case["expect"]:
            match = [q for q in found if q.value == want["value"] and all(getattr(q, k) == v for k, v in want.items())]
            assert match, (case["name"], want, [(q.value, q.measure, q.role, q.year) for q in found if q.value == want["value"]])


@pytest.mark.parametrize("fmt", ["docx", pytest.param("pdf", marks=needs_libreoffice)])
def test_docx_and_pdf_give_the_text_versions_cells_and_quantities(renditions, fmt):
    for case in CASES:
        text, other = _read(renditions["txt"][case["name"]]), _read(renditions[fmt][case["name"]])
        assert _cells(other) == _cells(text), case["name"]
        assert _quantities(other) == _quantities(text), case["name"]
        in_cells = [q for q in other.entities("quantities") if q.measure and q.role]
        assert len(in_cells) >= sum(len(t["table"]) - 1 for t in case["blocks"] if isinstance(t, dict))


@needs_libreoffice
def test_a_table_split_over_two_pages_keeps_its_number_and_rows(renditions):
    res = _read(renditions["pdf"]["khcn-xa-2024"])
    cells = [b for b in res.document.blocks if b.kind == "table_cell"]
    assert len({b.page for b in cells}) >= 2  # the case is long enough to run over a page break
    assert {b.table for b in cells} == {0} and max(b.row for b in cells) == 40
    assert [b.text for b in cells if b.row == 0] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Thực hiện năm 2023", "Thực hiện năm 2024", "Kế hoạch năm 2025"]


@needs_libreoffice
def test_pdfplumbers_table_finder_sees_the_same_cells(renditions):
    pdfplumber = pytest.importorskip("pdfplumber", reason="pdfplumber (extra `bench`) is the reference here")
    path = renditions["pdf"]["ktxh-6-thang-2023"]
    ours = collections.defaultdict(dict)
    for table, row, col, text in _cells(_read(path)):
        ours[table][(row, col)] = text
    with pdfplumber.open(path) as pdf:
        theirs = [t for page in pdf.pages for t in page.extract_tables()]
    assert len(theirs) == len(ours)
    for index, rows in enumerate(theirs):
        grid = {(r, c): " ".join(text.split()) for r, row in enumerate(rows) for c, text in enumerate(row) if text and text.strip()}
        assert grid == ours[index]


# --- drawn with reportlab -----------------------------------------------------------------


def _font() -> tuple[str, Path]:
    found = next(iter(Path("/usr/share/fonts").rglob("DejaVuSans.ttf")), None)
    if found is None:
        pytest.skip("no DejaVu font to draw Vietnamese with (fonts-dejavu-core)")
    return "DejaVu", found


def _canvas(buf: io.BytesIO):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    name, path = _font()
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.setFont(name, 11)
    return c


def _grid(c, xs: list[float], ys: list[float], skip: set[tuple[int, int]] = frozenset()) -> None:
    """Rules on every line of the grid, as thin filled rectangles (gazettes draw them so); `skip`: (column, row) whose right side is not drawn."""
    for y in ys:
        c.rect(xs[0], y - 0.4, xs[-1] - xs[0], 0.8, stroke=0, fill=1)
    for i, x in enumerate(xs):
        for j in range(len(ys) - 1):
            if (i - 1, j) not in skip:
                c.rect(x - 0.4, ys[j + 1], 0.8, ys[j] - ys[j + 1], stroke=0, fill=1)


def _pdf(draw) -> bytes:
    buf = io.BytesIO()
    c = _canvas(buf)
    draw(c)
    c.save()
    return buf.getvalue()


def _blocks(data: bytes):
    from pipeline.document.assemble import assemble

    _, blocks = assemble(ingest(Path("t.pdf"), data).blocks)
    return blocks


def test_a_table_turned_a_quarter_turn_reads_by_its_rows_with_words_whole():
    """Text running upwards (a landscape table on a portrait page); `hi` + `ệu` set apart as pdfium splits them."""

    def draw(c):
        c.drawString(72, 800, "Danh mục văn bản kèm theo Quyết định.")
        xs, ys = [100, 140, 180], [700, 560, 420]  # rows run left to right once turned, columns bottom to top
        _grid(c, xs, ys)
        cells = {(0, 0): ["Số, ký ", "hi", "ệu"], (0, 1): ["Tên v", "ăn bản"], (1, 0): ["37/2019/N", "Đ-CP"], (1, 1): ["Nghị định"]}
        for (row, col), pieces in cells.items():
            c.saveState()
            c.translate(xs[row] + 24, ys[2 - col] + 10)  # the first column at the bottom: it reads first once turned
            c.rotate(90)
            x = 0.0
            for k, piece in enumerate(pieces):
                c.drawString(x, 1.5 if k % 2 else 0, piece)  # each piece its own text object, some set higher
                x += c.stringWidth(piece, "DejaVu", 11)
            c.restoreState()
        c.drawString(72, 300, "Văn bản này có hiệu lực từ ngày ký.")

    blocks = _blocks(_pdf(draw))
    cells = {(b.row, b.col): b.text for b in blocks if b.kind == "table_cell"}
    assert cells == {(0, 0): "Số, ký hiệu", (0, 1): "Tên văn bản", (1, 0): "37/2019/NĐ-CP", (1, 1): "Nghị định"}
    kinds = [b.kind for b in blocks]
    assert kinds.index("table_cell") > 0 and kinds[-1] == "body"  # in reading order among the paragraphs


def test_merged_header_cells_take_their_first_column_and_a_framed_paragraph_is_no_table():
    def draw(c):
        c.rect(60, 740, 470, 60)  # a framed note: one cell, not a table
        c.drawString(72, 770, "Ghi chú: số liệu ước tính đến ngày 30/6/2023.")
        xs, ys = [60, 260, 360, 460, 530], [700, 680, 660, 640]
        _grid(c, xs, ys, skip={(1, 0)})  # the header's second and third columns are one cell
        for (x, y), text in {(65, 686): "Chỉ tiêu", (265, 686): "Năm 2023", (465, 686): "So sánh (%)", (265, 666): "Kế hoạch",
                             (365, 666): "Thực hiện", (65, 646): "Thu ngân sách (tỷ đồng)", (265, 646): "120", (365, 646): "65,4",
                             (465, 646): "54,5"}.items():
            c.drawString(x, y, text)

    blocks = _blocks(_pdf(draw))
    cells = {(b.row, b.col): b.text for b in blocks if b.kind == "table_cell"}
    assert cells[(0, 1)] == "Năm 2023" and (0, 2) not in cells
    assert cells[(1, 1)] == "Kế hoạch" and cells[(2, 2)] == "65,4" and cells[(2, 3)] == "54,5"
    assert {b.table for b in blocks if b.kind == "table_cell"} == {0}
    assert any(b.kind == "body" and b.text.startswith("Ghi chú") for b in blocks)


def test_a_page_without_rules_reads_as_before(monkeypatch):
    """Text-only pages take the old path: the same blocks whether table detection runs or not."""
    from pipeline.ingest import pdf_tables

    def draw(c):
        for i, line in enumerate(["BÁO CÁO", "Kết quả thực hiện Kế hoạch số 198/KH-UBND ngày 28/03/2025.", "1. Đã hoàn thành 18/20 nhiệm vụ.", "2. Tỷ lệ đạt 90%."]):
            c.drawString(72, 780 - 20 * i, line)

    data = _pdf(draw)
    with_tables = [(b.kind, b.text) for b in _blocks(data)]
    monkeypatch.setattr(pdf_tables.DocumentTables, "page", lambda self, *a: None)
    assert [(b.kind, b.text) for b in _blocks(data)] == with_tables and all(k != "table_cell" for k, _ in with_tables)


def test_docx_cells_spanning_columns_keep_the_grid_column():
    from tests.test_ingest_formats import _docx

    def tc(text: str, span: int = 1) -> str:
        props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
        return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    table = (
        f"<w:tbl><w:tr>{tc('Chỉ tiêu')}{tc('Năm 2023', 2)}{tc('So sánh (%)')}</w:tr>"
        f"<w:tr>{tc('')}{tc('Kế hoạch')}{tc('Thực hiện')}{tc('')}</w:tr>"
        f"<w:tr>{tc('Thu ngân sách')}{tc('120')}{tc('65,4')}{tc('54,5')}</w:tr>"
        '<w:tr><w:trPr><w:gridBefore w:val="2"/></w:trPr>' + f"{tc('66,0')}{tc('55,0')}</w:tr></w:tbl>"
    )
    cells = {(b.row, b.col): b.text for b in ingest(Path("t.docx"), _docx(table)).blocks if b.kind == "table_cell"}
    assert cells == {(0, 0): "Chỉ tiêu", (0, 1): "Năm 2023", (0, 3): "So sánh (%)", (1, 1): "Kế hoạch", (1, 2): "Thực hiện",
                     (2, 0): "Thu ngân sách", (2, 1): "120", (2, 2): "65,4", (2, 3): "54,5", (3, 2): "66,0", (3, 3): "55,0"}


def test_gazette_tables_keep_their_words_and_codes_whole():
    """The Công báo prints of corpus-extra: words pdfium splits at accents (`hi ệu`, `N Đ-CP`) come out whole in cells."""
    import regex as re

    extra = shared("corpus-extra")
    path = extra / "congbao__quyet-dinh-so-1205-qd-bkhdt-41976.pdf"
    if not path.exists():
        pytest.skip(f"{path.name} is not in ../shared/corpus-extra")
    res = _read(path)
    cells = [b for b in res.document.blocks if b.kind == "table_cell"]
    split = re.compile(r"(?<![\p{L}])(?:hi ệu|v ăn|b ản|Lu ật|c ủa|N Đ|m ột|ph ần|qu ốc)(?![\p{L}])")
    assert len(cells) > 1000 and not [b.text for b in cells if split.search(b.text)][:5]
    assert sum("văn bản" in b.text for b in cells) > 100
    codes = [r for r in res.entities("references") if r.code and r.code.endswith("NĐ-CP")]
    assert len(codes) > 20 and not [r.code for r in codes if r.repair_reason and "split_code" in r.repair_reason]
    headers = [b.text for b in cells if b.row == 0]
    assert headers[:2] == ["TT", "Tên loại văn bản"] and len({b.table for b in cells if b.text == "TT"}) == len({b.table for b in cells})
