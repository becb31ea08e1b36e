"""Vietnamese dates: written forms parse back to the date."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.dates import find_dates, parse_date

TABLE = [
    ("28/03/2025", dt.date(2025, 3, 28)),
    ("ngày 28/3/2025", dt.date(2025, 3, 28)),
    ("22-12-2024", dt.date(2024, 12, 22)),
    ("28.3.2025", dt.date(2025, 3, 28)),
    ("ngày 21 tháng 02 năm 2024", dt.date(2024, 2, 21)),
    ("Ngày 1 tháng 7 năm 2025", dt.date(2025, 7, 1)),
    ("31/02/2025", None),  # no such day
    ("12/2025", None),
    ("28/03-2025", None),  # mixed separators
]


@pytest.mark.parametrize("text,want", TABLE)
def test_table(text, want):
    assert parse_date(text) == want


FORMS = [
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"{d.day}-{d.month}-{d.year}",
    lambda d: f"{d.day}.{d.month}.{d.year}",
    lambda d: f"ngày {d.day} tháng {d.month:02d} năm {d.year}",
]


@given(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)), st.sampled_from(FORMS))
def test_written_dates_parse_back(date, form):
    written = form(date)
    assert parse_date(written) == date
    found = find_dates(f"Báo cáo {written}, gửi UBND tỉnh.")
    assert [d for _, _, d in found] == [date]


def test_ratios_are_not_dates():
    assert find_dates("hoàn thành 18/20 nhiệm vụ, 04/63 tỉnh, 102/102 xã") == []
