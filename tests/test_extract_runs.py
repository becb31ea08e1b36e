"""Citations are searched over runs of neighbouring blocks: a line of the layout may break a
citation, but footnotes and running headers never join the body."""
from __future__ import annotations

import datetime as dt

from extractors.references import find_in_document
from pipeline.document.assemble import assemble
from pipeline.models import Block, Document


def extract_references(doc: Document):
    return find_in_document(doc, {})


def _doc(*blocks: Block) -> Document:
    text, kept = assemble(list(blocks))
    return Document("d", "d.txt", "txt", text, kept)


def test_a_citation_broken_over_lines_is_one_citation_on_its_first_line():
    doc = _doc(
        Block("body", "(Ban hành kèm theo Quyết định số:", page=1),
        Block("body", "59/QĐ-UBND", page=1),
        Block("heading", "Ngày 22 tháng 7 năm 2021 của UBND xã)", page=2),
        Block("body", "Theo Kế hoạch số 7/KH-UBND các sở thực hiện", page=2),
    )
    first, second = extract_references(doc)
    assert first.code == "59/QĐ-UBND" and first.issued_date == dt.date(2021, 7, 22)
    assert first.surface == doc.text[first.start : first.end] == "Quyết định số:\n59/QĐ-UBND\nNgày 22 tháng 7 năm 2021"
    assert first.page == 1 and not first.in_footnote
    assert second.code == "7/KH-UBND" and second.page == 2
    assert second.sentence == "Theo Kế hoạch số 7/KH-UBND các sở thực hiện"  # a block ends a sentence


def test_a_code_cut_at_the_end_of_a_line_is_put_back_together():
    doc = _doc(Block("body", "Thông tư số 17/2014/TTLT-BL"), Block("body", "ĐTBXH-BTC ngày 01 tháng 8 năm 2014 của liên Bộ"))
    (ref,) = extract_references(doc)
    assert (ref.code, ref.repair_reason, ref.issued_date) == ("17/2014/TTLT-BLĐTBXH-BTC", "split_code", dt.date(2014, 8, 1))


def test_footnotes_and_running_headers_do_not_join_the_body():
    doc = _doc(
        Block("body", "Thực hiện Nghị quyết số", page=1),
        Block("footnote", "12/NQ-CP ngày 05/02/2024 của Chính phủ.", page=1, footnote=1),
        Block("body", "Căn cứ Quyết định số", page=1),
        Block("header", "CÔNG BÁO/Số 12/Ngày 02-3-2024", page=2),
        Block("body", "30/QĐ-TTg ngày 02/01/2024", page=2),
    )
    notes, body = extract_references(doc)
    assert notes.code == "12/NQ-CP" and notes.in_footnote and notes.surface.startswith("12/NQ-CP")
    assert body.code == "30/QĐ-TTg" and not body.in_footnote and body.page == 2
    assert body.surface == "30/QĐ-TTg ngày 02/01/2024" and body.type_word is None


def test_a_number_line_across_lines_is_no_citation():
    doc = _doc(Block("body", "ỦY BAN NHÂN DÂN TỈNH KON TUM"), Block("body", "Số:"), Block("body", "88/2024/QĐ-UBND"),
               Block("body", "Kon Tum, ngày 04 tháng 6 năm 2024"), Block("heading", "QUYẾT ĐỊNH"))
    assert extract_references(doc) == []
