"""The document-code grammar: a table of real codes, and generated codes that must parse back."""
from __future__ import annotations

import csv
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gazetteer
from extractors.codes import compare_key, parse_code
from extractors.references import find_references
from tests.helpers import load_cases, shared

CASES = load_cases("codes.yaml")


@pytest.mark.parametrize("case", CASES, ids=[repr(c["code"])[:40] for c in CASES])
def test_code_table(case):
    parts = parse_code(case["code"])
    if "expect" in case:
        assert parts is None
        return
    assert parts is not None
    for key, value in case.items():
        if key != "code":
            assert getattr(parts, key) == value, key


# --- generated codes -----------------------------------------------------------------

STATE_TYPES = sorted(c for c, ms in gazetteer.type_codes().items() if any(m.system in ("state", "both") for m in ms) and c not in ("QH", "L", "LCT"))
PARTY_TYPES = sorted(c for c, ms in gazetteer.type_codes().items() if any(m.system in ("party", "both") for m in ms))
PARTY_ISSUERS = ["TW", "TU", "ĐU", "BCĐTW", "BCĐ", "CQTTBCĐ", "UBKTTW", "UBKTTU", "HU", "VPTW"]
STATE_ISSUERS = ["UBND", "HĐND", "CP", "TTg", "BKHCN", "BTTTT", "SKHCN", "STTTT", "BTC", "VPUBND", "BNNMT"]
UNITS = ["KGVX", "VX", "QLKHCN", "BCVT&CNTT", "CĐS", "KHTC", "VP"]

numbers = st.builds(
    lambda n, width, suffix: str(n).zfill(width) + suffix,
    st.integers(1, 99999),
    st.integers(1, 5),
    st.sampled_from(["", "", "", "a", "b"]),
)
years = st.integers(1990, 2030)


@st.composite
def codes(draw):
    family = draw(st.sampled_from(["party", "normative", "administrative", "letter"]))
    number = draw(numbers)
    unit = draw(st.sampled_from([None, *UNITS]))
    if family == "party":
        type_code, issuer = draw(st.sampled_from(PARTY_TYPES)), draw(st.sampled_from(PARTY_ISSUERS))
        text = f"{number}-{type_code}/{issuer}"
        unit = None
        year = None
    else:
        year = draw(years) if family == "normative" else None
        type_code = None if family == "letter" else draw(st.sampled_from(STATE_TYPES))
        issuer = draw(st.sampled_from(STATE_ISSUERS))
        if family == "letter" and unit is None:
            unit = draw(st.sampled_from(UNITS))
        text = number + (f"/{year}" if year else "") + "/" + "-".join(p for p in (type_code, issuer, unit) if p)
    return text, {"number": number, "year": year, "type_code": type_code, "issuer_code": issuer, "unit": unit, "family": family}


@settings(max_examples=400)
@given(codes())
def test_generated_codes_parse_back(code):
    text, want = code
    parts = parse_code(text)
    assert parts is not None
    assert parts.code == text
    for key, value in want.items():
        assert getattr(parts, key) == value, key
    assert parts.system == ("party" if want["family"] == "party" else "state")


@settings(max_examples=300)
@given(codes(), st.sampled_from(["", " ", "  "]), st.dates(dt.date(1945, 1, 1), dt.date(2099, 12, 31)))
def test_generated_codes_are_found_in_running_text(code, space, date):
    text, want = code
    sentence = f"Thực hiện Quyết định số{space} {text} ngày {date.day}/{date.month}/{date.year} của UBND tỉnh về việc giao chỉ tiêu."
    refs = find_references(sentence)
    assert [r.code for r in refs] == [text]
    assert refs[0].issued_date == date
    assert refs[0].number == want["number"]


@settings(max_examples=200)
@given(codes(), st.sampled_from([" ", "  ", "\u00a0"]))
def test_compare_key_ignores_spacing_and_hyphens(code, space):
    text, _ = code
    spaced = text.replace("/", space + "/", 1)
    assert compare_key(spaced) == compare_key(text)
    assert "-" not in compare_key(text)


def test_real_codes_parse():
    """The share of real codes in ../shared metadata that parse (the aim is over 99%)."""
    base = shared("corpus-extra", "metadata")
    codes_seen = set()
    with open(base / "binhduong__data_vanbanphapluatBinhDuong.csv", encoding="utf-8") as fh:
        codes_seen |= {r["so_ky_hieu"] for r in csv.DictReader(fh)}
    for name in ("train", "test", "validation"):
        with open(base / f"vilegalbert__{name}.csv", encoding="utf-8") as fh:
            codes_seen |= {r["id"] for r in csv.DictReader(fh)}
    parsed = [c for c in codes_seen if parse_code(c)]
    share = len(parsed) / len(codes_seen)
    assert share > 0.99, share
