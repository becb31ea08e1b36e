"""Finding province names in text: every spelling of the 63 provinces, upper or lower case."""
from __future__ import annotations

from functools import cache

import regex as re

from gazetteer import Province, fold, provinces


@cache
def _by_spelling() -> dict[str, Province]:
    out = {}
    for p in provinces().values():
        for spelling in (p.name, *p.variants):
            out[fold(spelling)] = p
    return out


@cache
def province_re() -> re.Pattern:
    """A province name standing alone (not inside a longer word), in any case."""
    spellings = sorted({s for p in provinces().values() for s in (p.name, *p.variants)}, key=len, reverse=True)
    alternatives = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in spellings)
    return re.compile(rf"(?<![\p{{L}}])(?:{alternatives})(?![\p{{L}}])", re.IGNORECASE)


@cache
def folded_province_re() -> re.Pattern:
    """The same over folded text (gazetteer.fold): much faster on long texts."""
    spellings = sorted({fold(s) for p in provinces().values() for s in (p.name, *p.variants)}, key=len, reverse=True)
    alternatives = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in spellings)
    return re.compile(rf"(?<![\p{{L}}])(?:{alternatives})(?![\p{{L}}])")


def province_of(spelling: str) -> Province | None:
    """The province a written name stands for (`Đăk Nông`, `TP.HCM`, `QUẢNG NGÃI`)."""
    return _by_spelling().get(fold(" ".join(spelling.split())))


def after_merger(name: str | None) -> str | None:
    """The province's name since 1 July 2025 (Đắk Nông -> Lâm Đồng; Huế for Thừa Thiên Huế)."""
    p = province_of(name) if name else None
    return p.after_2025 if p else None


def full_name(name: str) -> str:
    """`tỉnh Quảng Ngãi`, `thành phố Đà Nẵng`: how a body's name ends with its province."""
    p = province_of(name)
    unit = p.unit if p else "tỉnh"
    if p and p.after_2025 == "Huế" and name == "Huế":
        unit = "thành phố"
    return f"{unit} {name}"
