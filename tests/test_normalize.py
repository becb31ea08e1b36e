"""Character clean-up and the repair of stray spaces inside codes."""
from __future__ import annotations

import unicodedata

import pytest

from pipeline.normalize import clean_chars, normalize_block

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
