"""Character clean-up and the repair of stray spaces inside codes."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import clean_chars, normalize_block

REPAIRS = [
    ("Kế hoạch số 02 KH/BCĐTW ngày", "Kế hoạch số 02-KH/BCĐTW ngày"),
    ("Kế hoạch số 173- KH/TU", "Kế hoạch số 173-KH/TU"),
    ("Kế hoạch số 02- KH/BCĐ ngày 29/8/2025", "Kế hoạch số 02-KH/BCĐ ngày 29/8/2025"),
    ("Quyết định số 0962/QĐ- UBND ngày", "Quyết định số 0962/QĐ-UBND ngày"),
    ("Quyết định số 1977 /QĐ-UBND", "Quyết định số 1977/QĐ-UBND"),
    ("Kế hoạch số 4510/ KH-UBND", "Kế hoạch số 4510/KH-UBND"),
    ("Nghị quyết số 04 /2022/QĐ-UBND", "Nghị quyết số 04/2022/QĐ-UBND"),
    ("Nghị quyết số 41/NQ–HĐBCQG", "Nghị quyết số 41/NQ-HĐBCQG"),
    ("Quyết định  số   2035/QĐ-UBND", "Quyết định số 2035/QĐ-UBND"),
    # not codes: left alone
    ("tăng 02 KH mới", "tăng 02 KH mới"),
    ("giai đoạn 2025 - 2030", "giai đoạn 2025 - 2030"),
    ("hoàn thành 18/ 20 nhiệm vụ", "hoàn thành 18/ 20 nhiệm vụ"),
]


@pytest.mark.parametrize("raw,want", REPAIRS)
def test_code_repairs(raw, want):
    assert normalize_block(raw) == want


def test_clean_chars():
    nfd = unicodedata.normalize("NFD", "Quyết định của Ủy ban")
    assert clean_chars(nfd) == "Quyết định của Ủy ban"
    assert clean_chars("Số 12/QÐ-UBND") == "Số 12/QĐ-UBND"  # U+00D0 -> Đ
    assert clean_chars("a\u00a0b\u200bc\r\nd\u00ad") == "a bc\nd"


_WORDS = st.sampled_from(["số", "ngày", "Kế hoạch", "2025", "18", "KH", "UBND", "\n", " ", "  ", "-", "/"])
# codes written well and badly (numbers, types, issuers and every kind of separator), among words
_CODE_LIKE = st.tuples(
    st.sampled_from(["02", "173", "4510", "1977"]),
    st.sampled_from(["/", " /", "/ ", " / ", "-", " -", "- ", " ", "/2022/", " /2022/", "/2022/ "]),
    st.sampled_from(["KH", "QĐ", "NQ", "TB"]),
    st.sampled_from(["-", " -", "- ", " - ", "–", "—", "/"]),
    st.sampled_from(["UBND", "BCĐTW", "TU", "HĐBCQG"]),
).map("".join)


@settings(max_examples=400)
@given(st.lists(st.one_of(_CODE_LIKE, _WORDS), min_size=1, max_size=5).map(" ".join))
def test_the_quick_check_skips_only_text_no_repair_changes(text):
    """normalize_block looks for a place a repair could apply first; that must never lose a repair."""
    from pipeline.text import _CODE_REPAIRS, _SPACES

    unguarded = _SPACES.sub(" ", text.replace("\n", " "))
    for pattern, repl in _CODE_REPAIRS:
        unguarded = pattern.sub(repl, unguarded)
    assert normalize_block(text) == unguarded.strip()
