"""What a report is: its title, who wrote it, for which province, when, about which period.

Read from the letterhead (`UBND TỈNH QUẢNG NGÃI` / `SỞ KHOA HỌC VÀ CÔNG NGHỆ`,
`Quảng Ngãi, ngày 15 tháng 7 năm 2025`), the title under `BÁO CÁO`
(`... Quý II năm 2025`, `tháng 7`, `6 tháng đầu năm 2025`, `(đến ngày
01/12/2025)`) and, where the letterhead is missing (text copied out of a
report), the text itself: the province most of its mentions name, the body
that says it reports (`UBND tỉnh báo cáo`, `Sở ... đã tham mưu`).
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import regex as re

from extractors.agencies import find_agencies
from extractors.component import Component, DocumentView
import gazetteer
from gazetteer.places import after_merger, folded_province_re, province_of, province_re

HEAD_CHARS = 3000  # the letterhead, the title and the opening paragraphs


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    issuing_agency: str | None = None
    province: str | None = None  # after the July 2025 merger
    province_as_written: str | None = None
    report_date: dt.date | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None


_TITLE_WORD = re.compile(r"^\s*BÁO\s+CÁO\b\s*(?P<rest>.*)$", re.DOTALL)
_SECTION = re.compile(r"^\s*(?:[IVXLC]+\.|PHẦN\b|Phần\b|\d+\.|Kính\s+gửi|Thực\s+hiện|Căn\s+cứ)")
_PLACE_DATE = re.compile(r"(?P<place>[\p{L} .]{2,30}),\s*ngày\s*(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PERIODS = [
    ("quarter", re.compile(r"(?i)q(?:uý|úy|uí)\s*(?P<q>IV|III|II|I|[1-4])\s*(?:(?:năm|/)\s*(?P<y>\d{4}))?")),
    ("half", re.compile(r"(?i)(?P<which>6|sáu)\s+tháng\s+(?P<part>đầu|cuối)\s+năm\s*(?P<y>\d{4})?")),
    ("month", re.compile(r"(?i)tháng\s+(?P<m>1[0-2]|0?[1-9])(?:\s*(?:năm|/)\s*(?P<y>\d{4}))?(?![\d/])")),
    ("until", re.compile(r"(?i)đến\s+ngày\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})")),
    ("year", re.compile(r"(?i)năm\s+(?P<y>(?:19|20)\d\d)")),
]
_UNIT = re.compile(r"(?<!\p{L})(?:tỉnh|thành phố|tp\.?)\s*")
_CITED_BEFORE = re.compile(r"(?:\d{1,2}/\d{1,2}/\d{4}|\d+[/-][\p{L}Đđ\-/&]+\d*)\s*,?\s*$")
_REPORTING = re.compile(r"^\s*(?:\([^)]{1,40}\)\s*)?(?:đã|báo\s+cáo|kính\s+báo\s+cáo|trân\s+trọng\s+báo\s+cáo)", re.IGNORECASE)


def extract_metadata(blocks: list[tuple[str, str]]) -> Metadata:
    """`blocks`: (kind, text) of the report in order."""
    head_blocks: list[tuple[str, str]] = []
    size = 0
    for kind, text in blocks:
        if kind in ("header", "footer", "footnote"):
            continue
        head_blocks.append((kind, text))
        size += len(text)
        if size > HEAD_CHARS:
            break
    head = "\n".join(t for _, t in head_blocks)
    whole = "\n".join(t for k, t in blocks if k not in ("header", "footer"))
    meta = Metadata()
    meta.title = _title(head_blocks)
    meta.province_as_written = _province(head, whole)
    meta.province = after_merger(meta.province_as_written)
    place_date = _PLACE_DATE.search(head)
    year_hint = None
    if place_date:
        year_hint = int(place_date.group("y"))
        if place_date.group("d"):
            try:
                meta.report_date = dt.date(year_hint, int(place_date.group("m")), int(place_date.group("d")))
            except ValueError:
                pass
    meta.period_start, meta.period_end = _period(meta.title or "", year_hint)
    meta.issuing_agency = _issuer(head_blocks, meta.title, meta.province_as_written)
    return meta


def _title(head: list[tuple[str, str]]) -> str | None:
    for i, (_, text) in enumerate(head):
        m = _TITLE_WORD.match(text)
        if not m:
            continue
        parts = [m.group("rest").strip()] if m.group("rest").strip() else []
        for _, nxt in head[i + 1 : i + 5]:
            if _SECTION.match(nxt) or len(nxt) > 300:
                break
            parts.append(nxt.strip())
        title = " ".join(" ".join(parts).split())
        return title or None
    return None


def _province(head: str, whole: str) -> str | None:
    """The letterhead's province, else the one most mentions name (when most do)."""
    letterhead = re.search(r"(?:UBND|ỦY BAN NHÂN DÂN|HĐND|TỈNH ỦY|THÀNH ỦY|SỞ [\p{Lu} ,&]+?)\s+(?:TỈNH|THÀNH PHỐ|TP\.?)\s+", head[:600])
    if letterhead:
        m = province_re().match(head, letterhead.end())
        if m and province_of(m.group(0)):
            return province_of(m.group(0)).name
    counts = Counter()
    folded = gazetteer.fold(whole)
    for unit in _UNIT.finditer(folded):
        m = folded_province_re().match(folded, unit.end())
        if m is not None:
            p = province_of(m.group(0))
            if p:
                counts[p.name] += 1
    if not counts:
        return None
    name, n = counts.most_common(1)[0]
    return name if n >= 0.6 * sum(counts.values()) else None


def _period(title: str, year_hint: int | None) -> tuple[dt.date | None, dt.date | None]:
    years = [int(y) for y in re.findall(r"(?:19|20)\d\d", title)]
    default_year = years[-1] if years else year_hint
    found = []
    for kind, pattern in _PERIODS:
        for m in pattern.finditer(title):
            found.append((m.start(), kind, m))
    for _, kind, m in sorted(found, key=lambda f: f[0]):
        year = int(m.group("y")) if m.groupdict().get("y") else default_year
        if year is None:
            continue
        if kind == "quarter":
            q = _ROMAN[m.group("q").upper()]
            return dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
        if kind == "half":
            first = m.group("part").lower() == "đầu"
            return (dt.date(year, 1, 1), dt.date(year, 6, 30)) if first else (dt.date(year, 7, 1), dt.date(year, 12, 31))
        if kind == "month":
            month = int(m.group("m"))
            return dt.date(year, month, 1), _month_end(year, month)
        if kind == "until":
            try:
                return None, dt.date(year, int(m.group("m")), int(m.group("d")))
            except ValueError:
                continue
        if kind == "year":
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return None, None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _issuer(head: list[tuple[str, str]], title: str | None, province: str | None) -> str | None:
    """The body that writes: the lowest line of the letterhead, a `của <body>` in the title, or the body that reports."""
    before_title = []
    for _, text in head:
        if _TITLE_WORD.match(text):
            break
        before_title.append(text)
    letterhead = [a for t in before_title[:3] for a in find_agencies(t, 0, province)]
    if letterhead:
        return letterhead[-1].canonical
    if title:
        for of in re.finditer(r"\bcủa\s+", title):
            if _CITED_BEFORE.search(title[: of.start()]):
                continue  # `Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị`: the cited document's issuer
            found = find_agencies(title[of.end() :], 0, province)
            if found and found[0].start == 0:
                return found[0].canonical
    for _, text in head:
        for a in find_agencies(text, 0, province):
            if _REPORTING.match(text[a.end :]):
                return a.canonical
    return None


# --- the component ------------------------------------------------------------------


def find_in_document(doc: DocumentView, found: Mapping[str, Any]) -> Metadata:
    return extract_metadata([(b.kind, b.text) for b in doc.blocks])


COMPONENT = Component("metadata", find_in_document, describes_document=True)
