"""Vietnamese number notation: `1.808.680`, `28,6`, `37.30`, `1.100 triệu`.

Dots group thousands and a comma marks decimals, but reports are not
consistent (`37.30 điểm`, `250,45Mbps`, `7.2 ha`, `1,500` typed the English
way). The digits after a separator decide where they can: a dot followed by
groups of exactly three digits groups thousands, any other dot is a decimal
point; a comma is a decimal comma unless several commas group thousands.

One form stays open: a single separator followed by exactly three digits
(`1.100`, `24,023`). The Vietnamese reading is the default; `read_number`
takes the document's own habit (`notation`) into account and says when the
reading is a guess.
"""
from __future__ import annotations

import regex as re

# a number as written: digits with . , separators, no spaces inside
NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
NUMBER_RE = re.compile(rf"(?<![\d.,])(?:{NUMBER})(?![\d])")

SCALES = {"nghìn": 1e3, "ngàn": 1e3, "vạn": 1e4, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
# one separator, then exactly three digits: 1.100 (a thousand and a hundred, or 1.1?), 24,023
_OPEN_FORM = re.compile(r"\d{1,3}[.,]\d{3}")


def parse_number(text: str) -> float:
    """The value of a number written the Vietnamese way (or the English way, when the digits say so)."""
    return read_number(text)[0]


def read_number(text: str, notation: str | None = None) -> tuple[float, bool]:
    """(value, unsure) of a written number.

    `notation` is the document's habit, `vi` (1.234,5) or `en` (1,234.5), when its
    unambiguous numbers show one; it decides the open form `1.100` / `24,023`.
    `unsure` is true when that form is read without the document saying how
    (`mixed`: it writes both ways), or a comma is read as decimal with no
    evidence at all (`24,023 tỷ` may be twenty-four thousand).
    """
    s = text.strip()
    if s.isascii() and s.isdigit():  # plain digits (most numbers): no separator to read
        return float(s), False
    if not _DIGITS.fullmatch(s):
        raise ValueError(f"not a number: {text!r}")
    if _OPEN_FORM.fullmatch(s):
        return _open_form(s, notation)
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        # the separator that comes last is the decimal one: 1.234,5 (VN) or 1,234.5 (EN)
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        group = "." if decimal == "," else ","
        if s.count(decimal) > 1:
            raise ValueError(f"ambiguous number: {text!r}")
        return float(s.replace(group, "").replace(decimal, ".")), False
    sep = "." if dots else "," if commas else None
    if sep is None:
        return float(s), False
    groups = s.split(sep)
    if len(groups) > 2:
        if all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3:
            return float(s.replace(sep, "")), False
        raise ValueError(f"ambiguous number: {text!r}")
    return float(s.replace(sep, ".")), False  # 37.30, 28,6, 7.2: any other single separator is decimal


def _open_form(s: str, notation: str | None) -> tuple[float, bool]:
    sep = "." if "." in s else ","
    grouped, decimal = float(s.replace(sep, "")), float(s.replace(sep, "."))
    if notation == "mixed":
        return (grouped if sep == "." else decimal), True
    if notation == "en":
        return (grouped if sep == "," else decimal), False
    if notation == "vi":
        return (grouped if sep == "." else decimal), False
    return (grouped, False) if sep == "." else (decimal, True)


def notation_of(texts) -> str | None:
    """`vi`, `en` or `mixed`: how the numbers that can be read one way only are written; None without any."""
    vi = en = 0
    for text in texts:
        for number in NUMBER_RE.findall(text):
            if "." in number or "," in number:  # a number without a separator shows nothing
                side = _evidence(number)
                vi += side == "vi"
                en += side == "en"
    if vi and en:
        return "mixed" if min(vi, en) * 4 >= max(vi, en) else ("vi" if vi > en else "en")
    return "vi" if vi else "en" if en else None


def _evidence(s: str) -> str | None:
    """Which convention this number shows unambiguously, if any."""
    dots, commas = s.count("."), s.count(",")
    if not (dots or commas) or _OPEN_FORM.fullmatch(s):
        return None
    if dots and commas:
        return "vi" if s.rfind(",") > s.rfind(".") else "en"
    if dots > 1:
        return "vi"
    if commas > 1:
        return "en"
    return "vi" if commas else "en"  # 28,6 / 37.30: the decimal separator shows


def format_number(value: float, decimals: int = 0) -> str:
    """A number written the Vietnamese way: 1808680 -> 1.808.680, 28.6 -> 28,6."""
    text = f"{value:,.{decimals}f}"  # 1,808,680.00
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
