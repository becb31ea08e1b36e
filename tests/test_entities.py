"""Numbers, quantities, agencies and report metadata: case tables, a property test, the gazetteer."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
import regex as re
from hypothesis import given
from hypothesis import strategies as st

import gazetteer
from extractors.agencies import find_agencies, find_document_agencies
from extractors.codes import known_document
from extractors.metadata import extract_metadata
from extractors.numbers import format_number, notation_of, parse_number, read_number
from extractors.quantities import find_quantities, table_cell_quantity
from gazetteer.places import after_merger, province_of
from pipeline.bench.render import read_text_report
from tests.helpers import ROOT, load_cases


@pytest.mark.parametrize(
    "text,value",
    [("1.808.680", 1808680), ("28,6", 28.6), ("37.30", 37.3), ("1.100", 1100), ("99,97", 99.97), ("1.234,5", 1234.5),
     ("1,234,567", 1234567), ("0,5", 0.5), ("250,45", 250.45), ("12", 12)],
)
def test_numbers(text, value):
    assert parse_number(text) == pytest.approx(value)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=2))
def test_a_number_written_the_vietnamese_way_reads_back(n, decimals):
    value = n / 10**decimals
    assert parse_number(format_number(value, decimals)) == pytest.approx(value)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=2))
def test_a_number_written_either_way_reads_back_under_its_documents_habit(n, decimals):
    value = n / 10**decimals
    vietnamese, english = format_number(value, decimals), f"{value:,.{decimals}f}"
    assert read_number(vietnamese, "vi")[0] == pytest.approx(value)
    assert read_number(english, "en")[0] == pytest.approx(value)
    # only a single separator before three digits (1.100, 24,023) can be read the other way
    for written in (vietnamese, english):
        for notation in (None, "vi", "en", "mixed"):
            unsure = read_number(written, notation)[1]
            assert not unsure or re.fullmatch(r"\d{1,3}[.,]\d{3}", written)


@given(st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=8), st.integers(min_value=1, max_value=2))
def test_the_habit_is_read_from_numbers_that_can_be_read_one_way_only(ns, decimals):
    written = [format_number(n / 10**decimals + 0.01, decimals) for n in ns]  # 12,34 / 1.234,5: decimals show the habit
    assert notation_of(written) == "vi"
    assert notation_of([f"{n / 10**decimals + 0.01:,.{decimals}f}" for n in ns]) == "en"
    assert notation_of(["2025", "15"]) is None


def test_open_separators_and_the_documents_habit():
    assert read_number("1.100") == (1100, False) and read_number("24,023") == (24.023, True)
    assert read_number("24,023", "en") == (24023, False) and read_number("1.100", "en") == (1.1, False)
    assert read_number("1.100", "mixed") == (1100, True)
    assert read_number("7.2") == (7.2, False) and read_number("1.001,16") == (1001.16, False)


QUANTITY_CASES = load_cases("quantities.yaml")


@pytest.mark.parametrize("case", QUANTITY_CASES, ids=[c["text"][:40] for c in QUANTITY_CASES])
def test_quantities(case):
    found = [[q.kind, q.value, q.total, q.unit] for q in find_quantities(case["text"])]
    if case.get("none"):
        assert found == []
    else:
        expected = [[k, float(v), None if t is None else float(t), u] for k, v, t, u in case["expect"]]
        assert found == expected
    for q in find_quantities(case["text"], offset=100):
        assert case["text"][q.start - 100 : q.end - 100] == q.surface


def test_table_cells_take_their_unit_from_the_row():
    assert table_cell_quantity("97", ["2", "Tỷ lệ thuê bao điện thoại/100 dân", "%", "97"]).kind == "percent"
    q = table_cell_quantity("1.808.680", ["1", "Số thuê bao điện thoại", "Thuê bao", "1.808.680"])
    assert (q.kind, q.value, q.unit) == ("count", 1808680, "thuê bao")
    q = table_cell_quantity("92", ["6", "Số xã có thư báo trong ngày", "92"])
    assert (q.kind, q.unit) == ("count", "xã")
    assert table_cell_quantity("2025", ["Năm"]) is None and table_cell_quantity("abc", ["Số xã"]) is None


AGENCY_CASES = [c for c in load_cases("agencies.yaml") if "text" in c]
AGENCY_DOCUMENTS = [c for c in load_cases("agencies.yaml") if "blocks" in c]


@pytest.mark.parametrize("case", AGENCY_CASES, ids=[c["text"][:40] for c in AGENCY_CASES])
def test_agencies(case):
    found = find_agencies(case["text"], 0, case["province"])
    expected = [] if case.get("none") else case["expect"]
    assert [[a.surface, a.canonical, a.level, a.province] for a in found] == [e[:4] for e in expected]
    for a, e in zip(found, expected):
        assert len(e) < 5 or a.kind == e[4], a.surface
        assert a.kind in KINDS


KINDS = {"party", "legislature", "government", "ministry", "ministry_unit", "department", "steering", "mass_org", "judicial", "armed_forces"}


@pytest.mark.parametrize("case", AGENCY_DOCUMENTS, ids=[c["blocks"][0][:40] for c in AGENCY_DOCUMENTS])
def test_agencies_in_a_document(case):
    """Lines read in order: a name wrapped over lines is one mention, and what earlier lines named decides a bare body."""
    blocks, pos = [], 0
    for text in case["blocks"]:
        blocks.append(SimpleNamespace(kind="body", text=text, start=pos, page=1))
        pos += len(text) + 1
    document = "\n".join(case["blocks"])
    found = find_document_agencies(blocks, case["province"])
    assert [a.canonical for a in found] == case["canonicals"]
    assert all(document[a.start : a.end] == a.surface for a in found)


def test_every_agency_of_the_gazetteer_has_a_kind_and_a_known_form():
    for agency in gazetteer.agency_names():
        assert agency.kind in KINDS, agency
        assert (agency.level == "central") == (agency.province_form == ""), agency
        assert agency.province_form in ("", "tỉnh", "name", "named", "steering"), agency


def test_every_spelling_of_the_gazetteer_is_matched_whole():
    """The scan tries a position's spellings by their first word: a spelling whose first word
    held a digit or a sign (`kh&cn ...`), or a longer spelling hidden by a shorter one, would be lost."""
    from extractors.agencies import _spelling_at

    for agency in gazetteer.agency_names():
        for spelling in (agency.canonical, *agency.aliases):
            folded = gazetteer.fold(f"Theo {spelling}.")
            m = _spelling_at(folded, 5)
            assert m is not None and m.span() == (5, len(folded) - 1), spelling


def test_the_gazetteer_knows_the_provinces_before_and_after_the_merger():
    provinces = gazetteer.provinces()
    assert len(provinces) == 63 and len({p.after_2025 for p in provinces.values()}) == 34
    assert after_merger("Đăk Nông") == "Lâm Đồng" and after_merger("Kon Tum") == "Quảng Ngãi"
    assert after_merger("Tp.HCM") == "Hồ Chí Minh" and after_merger("Thừa Thiên Huế") == "Huế"
    assert province_of("QUẢNG NGÃI").name == "Quảng Ngãi"


def test_known_documents_have_a_source_and_resolve_short_forms():
    known = gazetteer.known_documents()
    assert all(d.source and d.issued_date for d in known)
    assert known_document("57-NQ/TW").issued_date == dt.date(2024, 12, 22)
    assert known_document("57 - NQ/TW") is known_document("57-NQ/TW")
    assert gazetteer.known_by_short_form("Nghị quyết", "57") == "57-NQ/TW"
    assert gazetteer.known_by_short_form("Nghị quyết", "58") is None
    # a short form that names the plan a decision approves, not the decision's own type
    assert gazetteer.known_by_short_form("Đề án", "06") == "06/QĐ-TTg"
    assert gazetteer.known_by_short_form("Đề án", "6") == "06/QĐ-TTg"
    assert gazetteer.known_by_short_form("Đề án", "07") is None


METADATA_CASES = load_cases("metadata.yaml")


@pytest.mark.parametrize("case", METADATA_CASES, ids=[c["file"] for c in METADATA_CASES])
def test_metadata_of_the_sample_reports(case):
    doc = read_text_report(ROOT / "corpus" / case["file"])
    meta = extract_metadata([(b.kind, doc.text[b.start : b.end]) for b in doc.blocks])
    assert meta.title.startswith(case["title_starts"])
    assert meta.issuing_agency == case["issuing_agency"]
    assert (meta.province, meta.province_as_written) == (case["province"], case["province_as_written"])
    assert meta.report_date == case["report_date"]
    assert [meta.period_start, meta.period_end] == case["period"]
    assert (meta.doc_type, meta.own_code) == (case["doc_type"], case["own_code"])
    assert [meta.signer_title, meta.signer_name] == case["signer"]
    assert len(meta.recipients) == case["recipients"]
    for name in ("issuer_line", "place"):
        if name in case:
            assert getattr(meta, name) == case[name]


def test_a_dated_letterhead_gives_the_report_date():
    blocks = [("table_cell", "UBND TỈNH KON TUM"), ("table_cell", "Kon Tum, ngày 15 tháng 6 năm 2025"), ("heading", "BÁO CÁO"),
              ("body", "Kết quả 6 tháng đầu năm 2025"), ("heading", "I. KẾT QUẢ")]
    meta = extract_metadata(blocks)
    assert meta.report_date == dt.date(2025, 6, 15)
    assert (meta.province, meta.province_as_written) == ("Quảng Ngãi", "Kon Tum")
    assert (meta.period_start, meta.period_end) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert meta.issuing_agency == "Ủy ban nhân dân tỉnh Kon Tum"


def test_gold_scores_for_quantities_and_agencies(corpus_dataset: Path):
    from pipeline.reports.eval import evaluate, totals
    from tests.helpers import shared

    results = evaluate(shared("gold"), corpus_dataset)
    assert totals(results["quantities"])["kind+value"].f1 >= 0.90
    assert totals(results["agencies"])["canonical"].f1 >= 0.85
