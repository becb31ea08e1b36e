"""Codes as sources break them: however a code is split, spaced or loses its hyphen, it is
read back as the same code, and the citation says it was repaired. Web links and number
fields never give citations."""
from __future__ import annotations

import datetime as dt

import regex as re
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gazetteer
from extractors.codes import find_codes, looks_cut
from extractors.references import find_references, link_spans
from tests.test_codes import codes

DATES = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))


@st.composite
def broken(draw):
    """A generated code, broken in one of the ways real sources break codes, and the repair to expect."""
    text, want = draw(codes())
    family = want["family"]
    ways = ["space_in_code", "dash_variant"]
    if family == "party":
        ways.append("party_space")
    if family in ("administrative", "normative") and want["type_code"]:
        ways += ["glued", "slash_lost"]
    # a part cut before its Đ is joined when the whole is a type or issuer the gazetteer knows
    # (units are not listed there: they stay as cut)
    known = [p for p in (want["type_code"], want["issuer_code"]) if p and re.search(r"[\p{Lu}\d&]Đ", p) and p != "QĐi"]
    if known:
        ways.append("split_code")
    way = draw(st.sampled_from(ways))
    if way == "space_in_code":
        # a stray space at the first slash or at the dash after the type
        first = "-" if family == "party" else "/"
        at = text.index(first)
        shape = draw(st.sampled_from([" {}", "{} ", " {} "]))
        if family != "party" and shape != " {}":
            shape = " {}" if not text[at + 1].isupper() else shape
        return text[:at] + shape.format(first) + text[at + 1 :], text, "space_in_code"
    if way == "dash_variant":
        assume("-" in text)
        at = text.index("-")
        return text[:at] + draw(st.sampled_from("–—")) + text[at + 1 :], text, "dash_variant"
    if way == "party_space":
        return text.replace("-", " ", 1), text, "lost_hyphen"
    if way == "slash_lost":
        # the slash before the type gone, or a space for it: 2436QĐ-UBND, 1830 QĐ-UBND, 101/2017NQ-HĐND
        at = text.index("/" + want["type_code"] + "-")
        return text[:at] + draw(st.sampled_from(["", " "])) + text[at + 1 :], text, "lost_slash"
    if way == "glued":
        type_and_issuer = f"{want['type_code']}-{want['issuer_code']}"
        # TT + CP glued is TTCP, the Government Inspectorate's own code: a real letter code, not a broken one
        assume(type_and_issuer.replace("-", "") not in gazetteer.issuer_codes())
        return text.replace(type_and_issuer, type_and_issuer.replace("-", ""), 1), text, "lost_hyphen"
    # a gazette PDF sets a Đ inside a part apart: N Đ-CP, BC ĐTW
    part = draw(st.sampled_from(known))
    part_at = re.search(rf"(?<=[\-/]){re.escape(part)}(?![\p{{L}}\d&])", text).start()
    at = part_at + draw(st.sampled_from([m.start() + 1 for m in re.finditer(r"[\p{Lu}\d&]Đ", part)]))
    return text[:at] + " " + text[at:], text, "split_code"


@settings(max_examples=500)
@given(broken(), DATES)
def test_a_broken_code_reads_back_as_the_code(case, date):
    written, code, reason = case
    sentence = f"Thực hiện Quyết định số {written} ngày {date.day}/{date.month}/{date.year} của UBND tỉnh về việc giao chỉ tiêu."
    refs = find_references(sentence)
    assert [r.code for r in refs] == [code], written
    ref = refs[0]
    assert ref.repaired and reason in ref.repair_reason.split(","), (written, ref.repair_reason)
    assert ref.issued_date == date
    assert written in ref.surface  # the text stays as the source wrote it


@settings(max_examples=200)
@given(codes(), DATES)
def test_a_whole_code_is_not_repaired(code, date):
    text, _ = code
    (ref,) = find_references(f"Căn cứ Kế hoạch số {text} ngày {date.day}/{date.month}/{date.year}.")
    assert (ref.code, ref.repaired, ref.repair_reason) == (text, False, None)


@settings(max_examples=200)
@given(DATES, st.integers(1, 3), st.booleans())
def test_a_split_year_reads_back(date, cut, in_words):
    year = str(date.year)
    year = f"{year[:cut]} {year[cut:]}"
    written = f"{date.day} tháng {date.month} năm {year}" if in_words else f"{date.day}/{date.month}/{year}"
    (ref,) = find_references(f"Quyết định số 1150/QĐ-UBND ngày {written} của UBND tỉnh.")
    assert ref.issued_date == date and ref.repair_reason == "split_date"
    assert ref.surface.endswith(year)


def test_a_lost_slash_needs_a_type_word_or_so():
    assert [r.code for r in find_references("tăng 12 KH-UBND; Kế hoạch 13 KH-UBND; số 14KH-UBND")] == ["13/KH-UBND", "14/KH-UBND"]


def test_a_code_without_its_d_is_not_unglued_into_a_wrong_type():
    (found,) = find_codes("Nghị quyết số 41/HDND-PC")
    assert (found.code, found.repair) == ("41/HDND-PC", None)  # HĐND without Đ, not HD + ND


def test_a_cut_part_joins_only_into_a_known_part():
    found = find_codes("Công văn số 410/UBND ĐT và Thông tư 15/2019/TT-BL ĐTBXH")
    assert [(f.code, f.repair) for f in found] == [("410/UBND", None), ("15/2019/TT-BLĐTBXH", "split_code")]


def test_looks_cut():
    assert looks_cut("95/2016/N") and looks_cut("01/2019/TT-BL") and looks_cut("135/QĐ-BL")
    assert not looks_cut("95/2016/NĐ-CP") and not looks_cut("193/2025/QH15") and not looks_cut("12/UBND-VX")


# --- web links and number fields ---------------------------------------------------

_ESCAPED = {"Đ": "%C4%90", " ": "%20", "ố": "%E1%BB%91"}


@settings(max_examples=200)
@given(codes(), st.booleans(), st.booleans(), st.integers(1, 99999))
def test_nothing_in_a_web_link_is_a_citation(code, escaped, cut_after_equals, item):
    text, _ = code
    # a link's keyword is the code, %-escaped with its `Số ` or left as it is
    keyword = "".join(_ESCAPED.get(ch, ch) for ch in "Số " + text) if escaped else text
    gap = " " if cut_after_equals else ""
    link = f"https://vbpl.vn/tw/Pages/vbpq-toanvan.aspx?ItemID={item}&Keyword={gap}{keyword}"
    sentence = f"Toàn văn tại {link} và Quyết định số 88/QĐ-UBND ngày 02/3/2024."
    assert [r.code for r in find_references(sentence)] == ["88/QĐ-UBND"]
    (span,) = [s for s in link_spans(sentence) if s[0] == sentence.index("https")]
    assert sentence[span[0] : span[1]] == link


@settings(max_examples=200)
@given(codes(), st.sampled_from(["", "ỦY BAN NHÂN DÂN TỈNH GIA LAI ", "BỘ TÀI CHÍNH ", "Độc lập - Tự do - Hạnh phúc "]),
       st.sampled_from(["", " | Gia Lai, ngày 05 tháng 3 năm 2024", " Hà Nội, ngày 12 tháng 01 năm 2023", " CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]))
def test_a_number_line_is_no_citation(code, before, after):
    text, _ = code
    assert find_references(f"{before}Số: {text}{after}") == []
    # the same code cited with a date is a citation
    assert [r.code for r in find_references(f"Căn cứ văn bản số {text} ngày 05/3/2024 của UBND tỉnh.")] == [text]
