"""Government and party bodies a report names, resolved to their full names.

`find_agencies(text, offset, province)` reads one block. Every spelling in
gazetteer/data/agencies.csv counts, abbreviated or full, in any case
(letterheads are in capitals: `UBND TỈNH QUẢNG NGÃI`). A local body takes the
province written after it (`Tỉnh ủy Đắk Lắk`, `Sở KH&CN tỉnh Kon Tum`), else the
report's own (`UBND tỉnh` in a Quảng Ngãi report is the Ủy ban nhân dân tỉnh
Quảng Ngãi). A people's committee of a district or commune (`UBND huyện Sơn Hà`)
keeps its own name with level `district` / `commune`. Former bodies keep their
names (Sở Thông tin và Truyền thông is not renamed to its successor).
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import regex as re

import gazetteer
from gazetteer import AgencyName
from gazetteer.places import full_name, province_of, province_re
from extractors.component import Component, DocumentView, searched_blocks
from extractors.models import Agency


@cache
def _spellings() -> dict[str, AgencyName]:
    out = {}
    for agency in gazetteer.agency_names():
        for spelling in (agency.canonical, *agency.aliases):
            out[gazetteer.fold(spelling)] = agency
    return out


@cache
def _agency_re() -> re.Pattern:
    """Every spelling, folded (lower case, one tone placement): it runs over folded text.

    A case-sensitive alternation is many times faster than an IGNORECASE one.
    """
    spellings = sorted({gazetteer.fold(s) for a in gazetteer.agency_names() for s in (a.canonical, *a.aliases)}, key=len, reverse=True)
    alternatives = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in spellings)
    return re.compile(rf"(?:{alternatives})(?![\p{{L}}\d&])")


@cache
def _first_word_re() -> re.Pattern:
    """Where a spelling may start: its first word, not inside a code (198/KH-UBND) or a longer word.

    Scanning for a few dozen first words, then trying the full alternation there,
    is far cheaper than running the alternation at every position.
    """
    firsts = sorted({gazetteer.fold(s).split()[0] for a in gazetteer.agency_names() for s in (a.canonical, *a.aliases)}, key=len, reverse=True)
    return re.compile(rf"(?<![\p{{L}}\d/\-&])(?:{'|'.join(re.escape(f) for f in firsts)})")


# the unit word in any case (letterheads), the name that follows in capitalised words
_LOCAL_UNIT = re.compile(
    r"\s+(?:của\s+)?(?P<unit>(?i:tỉnh|thành\s+phố|TP\.?|huyện|thị\s+xã|quận|xã|phường|thị\s+trấn))(?![\p{L}])"
    r"\s*(?P<name>(?:\p{Lu}[\p{L}\-]*|\d+)(?:\s+\p{Lu}[\p{L}\-]*){0,3})?"
)
_LOWER_UNITS = {"huyện": "district", "thị xã": "district", "quận": "district", "xã": "commune", "phường": "commune", "thị trấn": "commune"}
_CLASS_MENTION = re.compile(r"\s+(?:cấp\s+(?:tỉnh|huyện|xã)|các\s+(?:tỉnh|cấp)|các\s+địa\s+phương)\b", re.IGNORECASE)


def find_agencies(text: str, offset: int = 0, province: str | None = None) -> list[Agency]:
    """Bodies named in one block; `province`: the report's own, as the report writes it."""
    out: list[Agency] = []
    folded = gazetteer.fold(text)
    if len(folded) != len(text):  # folding changed lengths (rare letters): spans would not map back
        return []
    pos = 0
    while (first := _first_word_re().search(folded, pos)) is not None:
        m = _agency_re().match(folded, first.start())
        if m is None:
            pos = first.end()
            continue
        pos = m.end()
        agency = _spellings().get(" ".join(m.group(0).split()))
        if agency is None:
            continue
        start, end = m.span()
        if agency.level == "central":
            out.append(Agency(start + offset, end + offset, text[start:end], agency.canonical, "central"))
            continue
        found = _local(text, end, agency, province)
        if found is None:
            continue
        canonical, level, prov, end = found
        out.append(Agency(start + offset, end + offset, text[start:end], canonical, level, prov))
    return out


def _local(text: str, end: int, agency: AgencyName, province: str | None) -> tuple[str, str, str | None, int] | None:
    """(canonical, level, province, end of the mention) of a local body."""
    after = text[end : end + 80]
    if _CLASS_MENTION.match(after):  # UBND cấp xã, Sở ... các tỉnh: a class of bodies, not one
        return None
    base = agency.canonical
    unit = _LOCAL_UNIT.match(after)
    if unit:
        kind = " ".join(unit.group("unit").lower().split()).rstrip(".")
        name = unit.group("name")
        if kind in _LOWER_UNITS and agency.province_form == "tỉnh":
            if not name:
                return None  # UBND huyện, UBND xã: which one the text does not say
            return f"{base} {kind} {_title(name)}", _LOWER_UNITS[kind], province, end + unit.end()
        if kind in ("tỉnh", "thành phố", "tp"):
            written = _province_at(name) if name else None
            if written:
                return _with_province(base, agency, written), "province", written, end + unit.start("name") + len(_province_match(name))
            if province:  # `UBND tỉnh`: the report's own province
                return _with_province(base, agency, province), "province", province, end + unit.end("unit")
            return None
    # `Tỉnh ủy Đắk Lắk`, `BTV Tỉnh ủy Phú Yên`: the province right after the name
    named = re.match(r"\s+(\p{Lu}[\p{L}\-]*(?:\s+\p{Lu}[\p{L}\-]*){0,3})", after)
    written = _province_at(named.group(1)) if named else None
    if written:
        return _with_province(base, agency, written), "province", written, end + named.start(1) + len(_province_match(named.group(1)))
    if province:
        return _with_province(base, agency, province), "province", province, end
    return None


def _province_match(words: str) -> str:
    m = province_re().match(words)
    return m.group(0) if m else ""


def _province_at(words: str) -> str | None:
    """The province named at the start of `words`, by its gazetteer name."""
    m = province_re().match(words)
    p = province_of(m.group(0)) if m else None
    return p.name if p else None


def _with_province(base: str, agency: AgencyName, province: str) -> str:
    if agency.province_form == "tỉnh":
        return f"{base} {full_name(province)}"
    if base.endswith(" tỉnh") and province_of(province) and province_of(province).unit == "thành phố":
        return f"{base[: -len(' tỉnh')]} thành phố {province}"
    return f"{base} {province}"


def _title(name: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() if w.isupper() and len(w) > 1 else w for w in name.split())


# --- the component ------------------------------------------------------------------


def find_in_document(doc: DocumentView, found: Mapping[str, Any]) -> list[Agency]:
    """Every body a document names; `UBND tỉnh` is the document's own province's."""
    meta = found.get("metadata")
    province = getattr(meta, "province_as_written", None)
    out: list[Agency] = []
    for block in searched_blocks(doc):
        for a in find_agencies(block.text, offset=block.start, province=province):
            a.in_footnote = block.kind == "footnote"
            a.page = block.page
            out.append(a)
    return out


COMPONENT = Component("agencies", find_in_document, reads=("metadata",))
