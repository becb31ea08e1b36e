"""Character clean-up; whitespace is the only thing normalize_block changes (codes stay as written)."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import clean_chars, normalize_block

# Codes the source broke are left as written: the citation extractor repairs them and
# says so (tests/cases/references.yaml, tests/test_code_repairs.py). Only whitespace changes.
AS_WRITTEN = [
    ("Kế hoạch số 02 KH/BCĐTW ngày", "Kế hoạch số 02 KH/BCĐTW ngày"),
    ("Kế hoạch số 173- KH/TU", "Kế hoạch số 173- KH/TU"),
    ("Quyết định số 0962/QĐ- UBND ngày", "Quyết định số 0962/QĐ- UBND ngày"),
    ("Nghị quyết số 41/NQ–HĐBCQG", "Nghị quyết số 41/NQ–HĐBCQG"),
    ("Quyết định  số   2035/QĐ-UBND", "Quyết định số 2035/QĐ-UBND"),
    ("  Nghị định\n95/2016/N Đ-CP\t", "Nghị định 95/2016/N Đ-CP"),
]


@pytest.mark.parametrize("raw,want", AS_WRITTEN)
def test_codes_are_left_as_written(raw, want):
    assert normalize_block(raw) == want


def test_clean_chars():
    nfd = unicodedata.normalize("NFD", "Quyết định của Ủy ban")
    assert clean_chars(nfd) == "Quyết định của Ủy ban"
    assert clean_chars("Số 12/QÐ-UBND") == "Số 12/QĐ-UBND"  # U+00D0 -> Đ
    assert clean_chars("a\u00a0b\u200bc\r\nd\u00ad") == "a bc\nd"
    # direction marks and invisible operators inside a code
    assert clean_chars("198/KH\u200e-\u2066UBND\u2069\u180e") == "198/KH-UBND"


_PIECES = st.sampled_from(["số", "ngày", "Kế hoạch", "2025", "02", "KH", "/", "-", "–", "UBND", "N Đ-CP", "\n", " ", "  ", "\t"])


@settings(max_examples=300)
@given(st.lists(_PIECES, min_size=1, max_size=8).map("".join))
def test_normalize_block_changes_only_whitespace(text):
    out = normalize_block(text)
    assert out.split() == text.split()
    assert "  " not in out and "\n" not in out
