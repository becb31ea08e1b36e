"""What a document is: its record, who wrote it, for which province, when, about which period.

The record (extractors.record) gives what the document's format states: the
letterhead's bodies, `Số:`, the place-and-date line, type and abstract,
signer, recipients. From it:

- `issuing_agency`: the letterhead's lowest body, named in full with the
  province its superior line (or its place) gives (`UBND TỈNH QUẢNG NGÃI` /
  `SỞ KHOA HỌC VÀ CÔNG NGHỆ` -> `Sở Khoa học và Công nghệ tỉnh Quảng Ngãi`);
  without a letterhead, a `của <body>` in the title or the body that says it
  reports (`UBND tỉnh báo cáo`, `Sở ... đã tham mưu`).
- `province`: none for a central body (a ministry, the Government, the party
  centre: their place `Hà Nội` is where they sit, not what they are about);
  else the province the letterhead names, else its place, else the one the
  title names, else the one most of the text's `tỉnh X` mentions name (when most do).
- `title`: the abstract (`Kết quả hoạt động ... Quý II ...`, `V/v ...`
  without `V/v`), else a web page's headline.
- `period_start`/`period_end`: the first period the title states (`Quý II năm
  2025`, `6 tháng đầu năm 2024`, `giai đoạn 2021-2025`, `đến năm 2030` ->
  None..2030-12-31, `(đến ngày 01/12/2025)`); a month joined with the months
  up to it (`tháng 7 và 7 tháng đầu năm 2023`) is the span of both. Dates and
  codes of documents the title cites are not periods. A law's year is not one.
  A title without a period, over a statistics table whose header is a row of
  rising years (`2015 2017 2019 2020 Sơ bộ 2021`), covers those years.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import regex as re

import gazetteer
from extractors.agencies import find_agencies
from extractors.codes import parse_code
from extractors.component import Component, DocumentView
from extractors.dates import DATE_PATTERN, make_date
from extractors.models import Agency
from extractors.record import Record, read_record
from gazetteer.places import after_merger, folded_province_re, province_of, province_re

HEAD_CHARS = 3000  # the letterhead, the title and the opening paragraphs


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    issuing_agency: str | None = None
    issuer_line: str | None = None  # the letterhead's bodies as written, superior first: `UBND TỈNH X / SỞ Y TẾ`
    province: str | None = None  # after the July 2025 merger
    province_as_written: str | None = None
    report_date: dt.date | None = None  # the document's own date (its place-and-date line)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    own_code: str | None = None
    doc_type: str | None = None
    place: str | None = None
    signer_title: str | None = None
    signer_name: str | None = None
    recipients: list[str] = field(default_factory=list)

    @property
    def issued_date(self) -> dt.date | None:
        """The documents table gives the own date under both names: report_date (the contract's) and issued_date."""
        return self.report_date


_NO_PERIOD_TYPES = {"Hiến pháp", "Luật", "Bộ luật", "Pháp lệnh"}  # `năm 1992` in their title is their year


def extract_metadata(blocks: list[tuple[str, str]]) -> Metadata:
    """`blocks`: (kind, text) of the document in order."""
    text_blocks = [(k, t) for k, t in blocks if k not in ("header", "footer", "footnote")]
    rec = read_record([line for _, t in text_blocks for line in t.split("\n")])
    meta = Metadata(
        title=rec.abstract or rec.headline,
        report_date=rec.issued_date,
        own_code=rec.own_code,
        doc_type=rec.doc_type,
        place=rec.place,
        signer_title=rec.signer_title,
        signer_name=rec.signer_name,
        recipients=list(rec.recipients),
    )
    whole = "\n".join(t for k, t in blocks if k not in ("header", "footer"))
    central = _central(rec)
    meta.province_as_written = None if central else _province(rec, meta.title, whole)
    meta.province = after_merger(meta.province_as_written)
    if rec.issuer:
        meta.issuer_line, meta.issuing_agency = _issuer_of_record(rec.issuer, meta.province_as_written)
    elif rec.doc_type != "Bài viết":
        meta.issuing_agency = _issuer_without_record(_head(text_blocks), meta.title, meta.province_as_written)
    if rec.doc_type not in _NO_PERIOD_TYPES:
        year = rec.issued_date.year if rec.issued_date else None
        meta.period_start, meta.period_end = period_of(meta.title or "", year)
        if meta.period_start is None and meta.period_end is None:
            meta.period_start, meta.period_end = years_header_span(_head(text_blocks))
    return meta


# a statistics table's header of years: `2015 2017 2019 2020 Sơ bộ 2021`, `Chỉ tiêu | Năm 2020 | Năm 2021 | Ước 2022`
_YEAR_WORD = r"(?:(?:năm|sơ\s+bộ|ước(?:\s+tính|\s+TH)?|dự\s+kiến|KH)\s+)?"  # what a year's column may say of it
_YEAR_CELL = re.compile(rf"(?i){_YEAR_WORD}((?:19|20)\d\d)")
_YEARS_ROW = re.compile(
    rf"(?i)\s*(?:(?:chỉ\s+tiêu|tiêu\s+chí|nội\s+dung|đơn\s+vị(?:\s+tính)?|ĐVT)[\s|]+)?"  # the label column's header
    rf"{_YEAR_WORD}(?:19|20)\d\d(?:[\s|]+{_YEAR_WORD}(?:19|20)\d\d){{2,}}\s*"
)


def years_header_span(blocks: list[tuple[str, str]]) -> tuple[dt.date | None, dt.date | None]:
    """The years a statistics table's header row spans, when the title states no period: the
    document is that table (a statistics office's page, an appendix), and its columns are the
    period it covers. Only a row of three or more rising years and nothing else counts."""
    for _, text in blocks:
        for line in text.split("\n"):
            if _YEARS_ROW.fullmatch(line):
                years = [int(y) for y in _YEAR_CELL.findall(line)]
                if all(a < b for a, b in zip(years, years[1:])):
                    return dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
    return None, None


def _head(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out, size = [], 0
    for kind, text in blocks:
        out.append((kind, text))
        size += len(text)
        if size > HEAD_CHARS:
            break
    return out


# --- the issuing body and its province ---------------------------------------

_UNIT_NAME = re.compile(r"(?i:tỉnh\s+ủy|tỉnh\s+uỷ|thành\s+ủy|thành\s+uỷ|tỉnh|thành\s+phố|tp\.?)\s+")


def _written_province(text: str) -> str | None:
    """The province a letterhead names after its unit word (`UBND TỈNH QUẢNG NGÃI`, `ĐẢNG BỘ TỈNH YÊN BÁI`, `Tỉnh ủy Yên Bái`)."""
    for unit in _UNIT_NAME.finditer(text):
        m = province_re().match(text, unit.end())
        if m and province_of(m.group(0)):
            return province_of(m.group(0)).name
    return None


def _central(rec: Record) -> bool:
    """A body of the centre wrote it: its letterhead names a central body and no province, or its code's issuer is central."""
    if rec.issuer and _written_province(rec.issuer):
        return False
    if rec.issuer:
        found = find_agencies(rec.issuer)
        if found:
            return found[-1].level == "central"
    parts = parse_code(rec.own_code) if rec.own_code else None
    issuer = gazetteer.issuer_codes().get(parts.issuer_code) if parts and parts.issuer_code else None
    return issuer is not None and issuer.level == "central"


def _province(rec: Record, title: str | None, whole: str) -> str | None:
    if rec.issuer and (written := _written_province(rec.issuer)):
        return written
    if rec.place and (p := province_of(rec.place)):
        return p.name
    if title and (named := _title_province(title)):
        return named
    return _most_named_province(whole)


def _title_province(title: str) -> str | None:
    """The one province a title names (`... tỉnh Lào Cai tháng 7`, `Trà Vinh xếp hạng 25/63`).

    In a title in capitals only after its unit word: `HÒA BÌNH` may be peace.
    """
    capitals = title == title.upper()
    found = set()
    for m in province_re().finditer(title):
        if not m.group(0)[:1].isupper():
            continue  # `hòa bình`, `thái bình`: words, not provinces
        if capitals and not re.search(r"(?i:tỉnh|thành\s+phố|tp\.?)\s+$", title[: m.start()]):
            continue
        p = province_of(m.group(0))
        if p:
            found.add(p.name)
    return found.pop() if len(found) == 1 else None


_UNIT = re.compile(r"(?<!\p{L})(?:tỉnh|thành phố|tp\.?)\s*")


def _most_named_province(whole: str) -> str | None:
    """The province most of the text's `tỉnh X` mentions name, when at least 60% do."""
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


def _issuer_of_record(written: str, province: str | None) -> tuple[str, str | None]:
    """(`superior / body` as written, the body's full name) of a letterhead's bodies.

    The body is the lowest one; when the lowest part names no known body (`S Y
    T-BHXH TỈNH`, a centre or a board the gazetteer lacks), its full name is unknown.
    """
    found = find_agencies(written, 0, province)
    parts: list[str] = []
    last: Agency | None = None
    pos = 0
    for a in found:
        if written[pos : a.start].strip(" ,-"):
            parts.append(written[pos : a.start].strip(" ,-"))
        parts.append(written[a.start : a.end])
        last, pos = a, a.end
    rest = written[pos:].strip(" ,-")
    if rest:
        parts.append(rest)
    deduped = [p for n, p in enumerate(parts) if n == 0 or gazetteer.fold(p) != gazetteer.fold(parts[n - 1])]
    body = last.canonical if last is not None and not rest else None
    return " / ".join(deduped), body


_CITED_BEFORE = re.compile(r"(?:\d{1,2}/\d{1,2}/\d{4}|\d+[/-][\p{L}Đđ\-/&]+\d*)\s*,?\s*$")
_REPORTING = re.compile(r"^\s*(?:\([^)]{1,40}\)\s*)?(?:đã|báo\s+cáo|kính\s+báo\s+cáo|trân\s+trọng\s+báo\s+cáo)", re.IGNORECASE)


def _issuer_without_record(head: list[tuple[str, str]], title: str | None, province: str | None) -> str | None:
    """Where no letterhead says it: a `của <body>` in the title, or the body that says it reports."""
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


# --- the period -------------------------------------------------------------------

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_Y = r"(?P<y>(?:19|20)\d\d)"
_DATE = r"\d{1,2}\s*[/.\-]\s*\d{1,2}(?:\s*[/.\-]\s*(?:19|20)\d\d)?|\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+(?:19|20)\d\d)?"
# periods stated with dates: looked for before the cited dates are blanked out
_DATED: list[tuple[str, re.Pattern]] = [
    ("from_to", re.compile(rf"(?i)từ\s+(?:ngày\s+)?(?P<a>{_DATE})\s+(?:đến|tới)\s+(?:hết\s+)?ngày\s+(?P<b>{_DATE})")),
    ("until", re.compile(rf"(?i)(?:đến|tới)\s+(?:hết\s+)?ngày\s+(?P<b>{_DATE})")),
]
_PLAIN: list[tuple[str, re.Pattern]] = [  # the wider kinds first: an overlapping later match is dropped
    ("span", re.compile(r"(?i)(?:giai\s+đoạn|nhiệm\s+kỳ|thời\s+kỳ|kỳ|năm\s+học|từ\s+năm|năm)\s+(?P<y1>(?:19|20)\d\d)\s*(?:[-–—]|đến(?:\s+năm)?)\s*(?P<y2>(?:19|20)\d\d)")),
    ("to_year", re.compile(rf"(?i)(?:đến|tới|trước)\s+(?:hết\s+)?năm\s+{_Y}")),
    ("quarter", re.compile(rf"(?i)q(?:uý|úy|uí|úi)\s*(?P<q>IV|III|II|I|[1-4])(?![\p{{L}}\d])(?:\s*(?:năm|/|-)\s*{_Y})?")),
    ("months", re.compile(rf"(?i)(?P<n>\d{{1,2}}|sáu|chín)\s+tháng\s+(?:(?P<part>đầu|cuối)\s+)?năm(?:\s*{_Y})?")),
    ("month", re.compile(rf"(?i)tháng\s+(?P<m>1[0-2]|0?[1-9])(?:\s*(?:năm|/|-)\s*{_Y}|(?![\d/]))")),
    ("year", re.compile(rf"(?i)năm\s+(?:tài\s+chính\s+)?{_Y}")),
]
# what cites rather than states a period: dates, codes, laws by name and year
_CITED = re.compile(
    rf"(?i:ngày)\s+{DATE_PATTERN}|\d{{1,2}}/\d{{1,2}}/(?:19|20)\d\d|\d+[/-](?:(?:19|20)\d\d/)?[\p{{L}}Đđ][\p{{L}}\d\-/&]*"
    r"|(?:Luật|Bộ\s+luật|Hiến\s+pháp|Pháp\s+lệnh)\s+[^,;()]{0,80}?năm\s+(?:19|20)\d\d"
)
_WORD_NUMBERS = {"sáu": 6, "chín": 9}

_Found = tuple[int, int, str, re.Match]


def period_of(title: str, year_hint: int | None = None) -> tuple[dt.date | None, dt.date | None]:
    """The period a title states (see the module's docstring); `year_hint`: the document's year, for `tháng 7` alone."""
    dated = _find(title, _DATED)
    plain = _mask(title)
    found = sorted(dated + [f for f in _find(plain, _PLAIN) if not _overlapping(f, dated)], key=lambda f: f[0])
    years = [int(y) for y in re.findall(r"(?<![\d/])(?:19|20)\d\d(?![\d/])", plain)]
    default_year = years[-1] if years else year_hint
    spans = [(s, e, span) for s, e, kind, m in found if (span := _span(kind, m, default_year)) is not None]
    if not spans:
        return None, None
    _, end, (a, b) = spans[0]
    for start, next_end, (c, d) in spans[1:]:
        joined = re.fullmatch(r"\W*(?:và|,|;)\W*", title[end:start])
        if not joined or not _overlap((a, b), (c, d)):
            break  # `Quý II và phương hướng Quý III`: the first is the one reported on
        a = min(a, c) if a and c else None
        b = max(b, d) if b and d else None
        end = next_end
    return a, b


def _find(text: str, kinds: list[tuple[str, re.Pattern]]) -> list[_Found]:
    out: list[_Found] = []
    for kind, pattern in kinds:
        for m in pattern.finditer(text):
            f = (m.start(), m.end(), kind, m)
            if not _overlapping(f, out):
                out.append(f)
    return out


def _overlapping(f: _Found, others: list[_Found]) -> bool:
    return any(f[0] < o[1] and o[0] < f[1] for o in others)


def _mask(text: str) -> str:
    """The title with cited dates and codes blanked out (same length: offsets hold)."""
    return _CITED.sub(lambda m: " " * len(m.group(0)), text)


def _span(kind: str, m: re.Match, year: int | None) -> tuple[dt.date | None, dt.date | None] | None:
    g = m.groupdict()
    y = int(g["y"]) if g.get("y") else year
    if kind in ("from_to", "until"):
        b = _date(g["b"], year)
        a = _date(g["a"], b.year if b else year) if kind == "from_to" else None
        return (a, b) if b and (a or kind == "until") else None
    if kind == "span":
        y1, y2 = int(g["y1"]), int(g["y2"])
        if y2 < y1:
            return None
        if re.match(r"(?i)năm\s+học", m.group(0)):
            return dt.date(y1, 9, 1), dt.date(y2, 8, 31)  # the school year
        return dt.date(y1, 1, 1), dt.date(y2, 12, 31)
    if y is None:
        return None
    if kind == "to_year":
        return None, dt.date(y, 12, 31)
    if kind == "quarter":
        q = _ROMAN[g["q"].upper()]
        return dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
    if kind == "months":
        n = _WORD_NUMBERS.get(g["n"].lower()) or int(g["n"])
        if not 1 <= n <= 12:
            return None
        if (g.get("part") or "").lower() == "cuối":
            return dt.date(y, 13 - n, 1), dt.date(y, 12, 31)
        return dt.date(y, 1, 1), _month_end(y, n)
    if kind == "month":
        month = int(g["m"])
        return dt.date(y, month, 1), _month_end(y, month)
    return dt.date(y, 1, 1), dt.date(y, 12, 31)


def _date(text: str, year: int | None) -> dt.date | None:
    """`15/6/2025`, `15 tháng 6 năm 2025`; `15/6` in `year`."""
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if len(numbers) == 2 and year:
        numbers.append(year)
    if len(numbers) != 3:
        return None
    return make_date(numbers[0], numbers[1], numbers[2])


def _overlap(p: tuple[dt.date | None, dt.date | None], q: tuple[dt.date | None, dt.date | None]) -> bool:
    lo = dt.date.min
    hi = dt.date.max
    return (p[0] or lo) <= (q[1] or hi) and (q[0] or lo) <= (p[1] or hi)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# --- the component ------------------------------------------------------------------


def find_in_document(doc: DocumentView, found: Mapping[str, Any]) -> Metadata:
    return extract_metadata([(b.kind, b.text) for b in doc.blocks])


COMPONENT = Component("metadata", find_in_document, describes_document=True)
