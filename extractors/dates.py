"""Vietnamese calendar dates as reports write them.

`28/03/2025`, `28-3-2025`, `28.3.2025`, `ngày 21 tháng 02 năm 2024`. A
hand-written parser rather than dateparser: reports use a handful of fixed
numeric forms, we need exact spans inside running text, and day-first order
is never in doubt; dateparser's search is slower and guesses month-first on
ambiguous numerals.
"""
from __future__ import annotations

import datetime as dt

import regex as re

_YEAR = r"(?:19|20)\d{2}"
# a year the source split in two anywhere (`16/7/20 21`, `2 021`, `202 1`); written whole first
_SPLIT_YEAR = r"(?:(?:19|20)\d{2}|(?:1\s9|2\s0)\d{2}|(?:19|20)\s\d{2}|(?:19|20)\d\s\d)"


def _date_pattern(year: str) -> str:
    numeric = rf"(?P<d>\d{{1,2}})\s?(?P<sep>[/.\-])\s?(?P<m>\d{{1,2}})\s?(?P=sep)\s?(?P<y>{year})(?!\d)"
    words = rf"(?P<d2>\d{{1,2}})\s+tháng\s+(?P<m2>\d{{1,2}})\s+năm\s+(?P<y2>{year})(?!\d)"
    return rf"(?:{numeric}|{words})"


DATE_PATTERN = _date_pattern(_YEAR)
# only where a citation's `ngày` already says a date follows, so a split year is not
# mistaken for two numbers
SPLIT_YEAR_DATE_PATTERN = _date_pattern(_SPLIT_YEAR)
DATE_RE = re.compile(rf"(?<![\d/.\-]){DATE_PATTERN}")
DATED_RE = re.compile(rf"(?i:ngày)\s+(?:{DATE_PATTERN})")
# a date introduced by "ngày", as citations state them


def make_date(day: int, month: int, year: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def match_date(m: re.Match) -> dt.date | None:
    """The date of a match of DATE_RE (or of a pattern built on DATE_PATTERN) (None when not a real day)."""
    if m.group("d") is not None:
        return make_date(int(m.group("d")), int(m.group("m")), _year(m.group("y")))
    return make_date(int(m.group("d2")), int(m.group("m2")), _year(m.group("y2")))


def _year(text: str) -> int:
    return int("".join(text.split()))


def year_was_split(m: re.Match) -> bool:
    """The year of a match of SPLIT_YEAR_DATE_PATTERN was written in two pieces (`20 21`)."""
    year = m.group("y") if m.group("d") is not None else m.group("y2")
    return any(ch.isspace() for ch in year)


def parse_date(text: str) -> dt.date | None:
    """Parse a date written on its own: `19/6/2025`, `ngày 21 tháng 02 năm 2024`."""
    m = re.fullmatch(rf"\s*(?:(?i:ngày)\s+)?{DATE_PATTERN}\s*", text)
    return match_date(m) if m else None


def find_dates(text: str) -> list[tuple[int, int, dt.date]]:
    """All valid dates in a text, with their spans."""
    out = []
    for m in DATE_RE.finditer(text):
        d = match_date(m)
        if d is not None:
            out.append((m.start(), m.end(), d))
    return out


_IN_FORCE = re.compile(rf"có hiệu lực(?:\s+thi hành)?\s+(?:kể\s+)?từ\s+(?:ngày\s+)?(?P<when>{DATE_PATTERN})")


def in_force_after(text: str, pos: int, reach: int = 220) -> dt.date | None:
    """The date a document cited just before `pos` took effect: `... có hiệu lực từ ngày 10/02/2025`."""
    m = _IN_FORCE.search(text, pos, pos + reach)
    return parse_date(m.group("when")) if m else None
