"""Laying text out into blocks, for both kinds of text reports."""
from __future__ import annotations

import unicodedata

from extractors.references import find_references
from pipeline.document.assemble import assemble
from pipeline.ingest.layout import lay_out


def layout(text: str):
    blocks, mode = lay_out(text)
    full, blocks = assemble(blocks)
    return full, blocks, mode


DOCX_TEXT = (
    " \tUBND TỈNH QUẢNG NGÃI\n"
    "SỞ KHOA HỌC VÀ CÔNG NGHỆ\n"
    "\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "\n"
    "\tSố:       /BC-SKHCN\n"
    "\tQuảng Ngãi, ngày      tháng 7 năm 2025\n"
    "\n"
    "BÁO CÁO\n"
    "1.1. Công tác quản lý\n"
    "[bookmark: _Hlk1]- Tham mưu Kế hoạch năm 2025[footnoteRef:1]. Thực hiện Nghị quyết số 57-NQ/TW[footnoteRef:2].   "
    "[1:  Công văn số 43/SKHCN-QLKH&ĐMST ngày 07/7/2025; Tờ trình số 1548/TTr-SKHCN ngày 25/6/2025]  [2:  Kế hoạch số 1587/KH-SKHCN [bản chính].]\n"
    "\n"
    "\tTT\n"
    "\tChỉ tiêu\n"
    "\n"
    "\t1\n"
    "\tSố thuê bao\n"
)


def test_docx_text_blocks():
    full, blocks, mode = layout(DOCX_TEXT)
    assert mode == "paragraphs"
    kinds = [(b.kind, b.text) for b in blocks]
    assert kinds[:4] == [
        ("table_cell", "UBND TỈNH QUẢNG NGÃI SỞ KHOA HỌC VÀ CÔNG NGHỆ"),
        ("table_cell", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("table_cell", "Số: /BC-SKHCN"),
        ("table_cell", "Quảng Ngãi, ngày tháng 7 năm 2025"),
    ]
    assert ("heading", "BÁO CÁO") in kinds and ("heading", "1.1. Công tác quản lý") in kinds
    body = next(b for b in blocks if b.text.startswith("- Tham mưu"))
    assert body.text == "- Tham mưu Kế hoạch năm 2025. Thực hiện Nghị quyết số 57-NQ/TW."
    notes = [b for b in blocks if b.kind == "footnote"]
    assert [(n.footnote, n.text) for n in notes] == [
        (1, "Công văn số 43/SKHCN-QLKH&ĐMST ngày 07/7/2025; Tờ trình số 1548/TTr-SKHCN ngày 25/6/2025"),
        (2, "Kế hoạch số 1587/KH-SKHCN [bản chính]."),
    ]
    assert full[notes[0].anchor - 4 : notes[0].anchor] == "2025"
    assert full[notes[1].anchor - 8 : notes[1].anchor] == "57-NQ/TW"
    cells = [(b.table, b.row, b.col, b.text) for b in blocks if b.kind == "table_cell"]
    assert cells[-4:] == [(1, 0, 0, "TT"), (1, 0, 1, "Chỉ tiêu"), (1, 1, 0, "1"), (1, 1, 1, "Số thuê bao")]
    for b in blocks:
        assert full[b.start : b.end] == b.text


# PDF-extracted text: blank line after every line, wrapped lines, glued footnote markers,
# footnote bodies in longer lines at the page bottom, a page number, a paragraph that
# continues across the footnote zone, and a code split at a line end.
PDF_LINES = [
    " BÁO CÁO ",
    "Kết quả thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của ",
    " Bộ Chính trị trên địa bàn tỉnh Đắk Lắk ",
    "1. Công tác ban hành văn bản ",
    "- Ban Thường vụ Tỉnh ủy đã thành lập Ban Chỉ đạo tỉnh Đắk Lắk1; ban hành ",
    "các Kế hoạch về thực hiện Nghị quyết số 57-NQ/TW2; triển khai Kế hoạch số ",
    "02-KH/BCĐTW, ngày 19/6/2025 của Ban Chỉ đạo Trung ương, ngày 25/6/20253. Ban ",
    "Chỉ đạo tỉnh đã chỉ đạo rà soát, cụ thể hóa các văn bản của Tỉnh ủy, Ban Thường ",
    "1 Quyết định số 119-QĐ/TU ngày 03/7/2025, Quy định số 120-QĐ/TU ngày 03/7/2025 của Ban Thường vụ ",
    "Tỉnh ủy về chức năng, nhiệm vụ, quyền hạn, chế độ làm việc, quan hệ công tác của Ban Chỉ đạo tỉnh. ",
    "2 Kế hoạch số 283-KH/TU, ngày 22/5/2025 của Ban Thường vụ Tỉnh ủy Đắk Lắk. ",
    "3 Ban Chỉ đạo tỉnh Phú Yên ban hành Kế hoạch số 03-KH/BCĐ về thúc đẩy chuyển đổi số liên thông, ",
    "đồng bộ, nhanh, hiệu quả trên địa bàn tỉnh. ",
    "5 ",
    " vụ Tỉnh ủy triển khai Chỉ thị số 04/CT- ",
    "UBND ngày 07/3/2024 của Chủ tịch UBND tỉnh và Kế hoạch số 129/KH- ",
    "UBND ngày 28/02/2025 của UBND tỉnh. ",
    "2. Công tác kiểm tra ",
    "- Kiểm tra 22/72 đơn vị đạt 30,5% so với Kế hoạch trong năm 2025 của tỉnh Đắk Lắk ",
    "và các đơn vị trực thuộc theo quy định hiện hành của Nhà nước và của tỉnh Đắk Lắk.",
]
PDF_TEXT = "\n\n".join(PDF_LINES) + "\n"


def test_pdf_text_blocks():
    full, blocks, mode = layout(PDF_TEXT)
    assert mode == "wrapped"
    notes = {b.footnote: b for b in blocks if b.kind == "footnote"}
    assert sorted(notes) == [1, 2, 3]
    assert notes[1].text.endswith("quan hệ công tác của Ban Chỉ đạo tỉnh.")
    assert notes[3].text == (
        "Ban Chỉ đạo tỉnh Phú Yên ban hành Kế hoạch số 03-KH/BCĐ về thúc đẩy chuyển đổi số liên thông, "
        "đồng bộ, nhanh, hiệu quả trên địa bàn tỉnh."
    )
    # markers are detached and anchored where they stood
    assert full[notes[1].anchor - 7 : notes[1].anchor] == "Đắk Lắk"
    assert full[notes[2].anchor - 8 : notes[2].anchor] == "57-NQ/TW"
    assert full[notes[3].anchor - 9 : notes[3].anchor] == "25/6/2025"
    # the paragraph runs on across the footnote zone and the page number
    body = next(b for b in blocks if b.text.startswith("- Ban Thường vụ"))
    assert "cụ thể hóa các văn bản của Tỉnh ủy, Ban Thường vụ Tỉnh ủy triển khai Chỉ thị số 04/CT-UBND" in body.text
    assert ("header", "5") in [(b.kind, b.text) for b in blocks]
    refs = [r.code for b in blocks for r in find_references(b.text, b.start)]
    assert "04/CT-UBND" in refs and "129/KH-UBND" in refs and "57-NQ/TW" in refs
    assert "57-NQ/TW2" not in refs and "02-KH/BCĐTW" in refs
    kinds = [b.kind for b in blocks]
    assert kinds[0] == "heading"
    assert [b.text for b in blocks if b.kind == "heading"] == ["BÁO CÁO", "1. Công tác ban hành văn bản", "2. Công tác kiểm tra"]


def test_nfd_and_eth_are_normalized_before_layout():
    from pipeline.ingest.text import read_text

    raw = unicodedata.normalize("NFD", "Quyết định số 418/QÐ-UBND ngày 25/03/2025 của UBND tỉnh.")
    ing = read_text(raw.encode("utf-8"))
    full, _ = assemble(ing.blocks)
    assert full == "Quyết định số 418/QĐ-UBND ngày 25/03/2025 của UBND tỉnh."
    assert [r.code for r in find_references(full)] == ["418/QĐ-UBND"]


def test_running_headers_on_pages():
    words = ["khoa học", "công nghệ", "đổi mới", "sáng tạo", "chuyển đổi số", "dữ liệu"]
    def page(n: int) -> str:
        body = "\n".join(
            f"Trang {n} dòng {i}: triển khai nhiệm vụ {words[(n + i) % 6]} theo Kế hoạch số {n}{i}/KH-UBND của UBND tỉnh"
            for i in range(6)
        )
        return f"CÔNG BÁO/Số {n}/Ngày 0{n}-01-2025\n{body}\n{n}\n"
    text = "\f".join(page(n) for n in range(1, 5))
    full, blocks, mode = layout(text)
    assert mode == "wrapped"
    headers = [b for b in blocks if b.kind == "header"]
    assert len(headers) == 8  # the gazette line and the page number on each of 4 pages
    assert {b.page for b in headers} == {1, 2, 3, 4}
    bodies = [b for b in blocks if b.kind == "body"]
    assert all("CÔNG BÁO" not in b.text for b in bodies)
