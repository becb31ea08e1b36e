"""Vietnamese number notation: `1.808.680`, `28,6`, `37.30`, `1.100 triệu`.

Dots group thousands and a comma marks decimals, but reports are not
consistent (`37.30 điểm`, `250,45Mbps`, `1,500` typed the English way). The
digits after a separator decide: a dot followed by groups of exactly three
digits groups thousands, any other dot is a decimal point; a comma is a
decimal comma unless several commas group thousands.
"""
from __future__ import annotations

import regex as re

# a number as written: digits with . , separators, no spaces inside
NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"

SCALES = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}


def parse_number(text: str) -> float:
    """The value of a number written the Vietnamese way (or the English way, when the digits say so)."""
    s = text.strip()
    if not re.fullmatch(r"\d+(?:[.,]\d+)*", s):
        raise ValueError(f"not a number: {text!r}")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        # the separator that comes last is the decimal one: 1.234,5 (VN) or 1,234.5 (EN)
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        group = "." if decimal == "," else ","
        return float(s.replace(group, "").replace(decimal, "."))
    if dots:
        groups = s.split(".")
        if all(len(g) == 3 for g in groups[1:]) and (dots > 1 or len(groups[0]) <= 3):
            return float(s.replace(".", ""))
        if dots == 1:
            return float(s)
        raise ValueError(f"ambiguous number: {text!r}")
    if commas:
        groups = s.split(",")
        if commas > 1 and all(len(g) == 3 for g in groups[1:]):
            return float(s.replace(",", ""))
        if commas == 1:
            return float(s.replace(",", "."))
        raise ValueError(f"ambiguous number: {text!r}")
    return float(s)


def format_number(value: float, decimals: int = 0) -> str:
    """A number written the Vietnamese way: 1808680 -> 1.808.680, 28.6 -> 28,6."""
    text = f"{value:,.{decimals}f}"  # 1,808,680.00
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
