"""Government, party and mass-organisation bodies a report names, resolved to their full names.

`find_agencies(text, offset, province)` reads one text; `find_document_agencies(blocks,
province)` reads a document, with what it has said so far (`Locality`). Every
spelling in gazetteer/data/agencies.csv counts, abbreviated or full, in any case
(letterheads are in capitals: `UBND TỈNH QUẢNG NGÃI`), when it starts with a
capital (`Luật Tổ chức chính phủ` names no body).

- Central bodies are what they are (`Bộ Chính trị`, `Bộ TT&TT`).
- A body of a province takes the province written after it (`Tỉnh ủy Đắk Lắk`,
  `Sở KH&CN tỉnh Kon Tum`), else the report's own (`UBND tỉnh` in a Quảng Ngãi
  report), else the one province the document's bodies have named.
- A body at every level (`Ủy ban nhân dân`, `Hội đồng nhân dân`, `Đảng ủy`,
  `Mặt trận Tổ quốc`, `Hội Nông dân`, ...) takes the level of the unit written
  after it (`UBND huyện Sơn Hà`: district; `HĐND xã Tam Đại`: commune). Without
  a name (`UBND xã`) it is the one commune the document has named; without a
  unit, the document's own locality (`Ủy ban nhân dân` in a commune's rules).
- A body of a body is one mention (`Văn phòng UBND tỉnh`, `Ban Thường vụ Tỉnh
  ủy`, `UBKT Huyện ủy`, `Đảng ủy UBND tỉnh`, `Thường trực HĐND tỉnh`, a unit of a
  ministry: `Vụ Pháp chế, Bộ Y tế`, `Văn phòng Bộ Nội vụ`).
- A steering committee gets one name per province whatever the spelling of its
  topic (`Ban Chỉ đạo về phát triển KHCN, ĐMST và CĐS tỉnh Đắk Lắk` and `Ban
  Chỉ đạo phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số tỉnh
  Đắk Lắk` are `Ban Chỉ đạo về phát triển khoa học, công nghệ, đổi mới sáng tạo
  và chuyển đổi số tỉnh Đắk Lắk`); a bare `Ban Chỉ đạo` later is the last one named.

Former bodies keep their names (Sở Thông tin và Truyền thông is not renamed to
its successor). Each mention carries a `kind` (party, government, mass_org, ...).
"""
from __future__ import annotations

import re as std_re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import regex as re

import gazetteer
from gazetteer import AgencyName
from gazetteer.places import full_name, province_of, province_re
from extractors.component import BlockView, Component, DocumentView, searched_blocks
from extractors.models import Agency
from extractors.patterns import trie


@dataclass(slots=True)
class Locality:
    """What a document has said so far about where its bodies are."""

    province: str | None = None  # the report's own, as written (from its metadata)
    provinces: set[str] = field(default_factory=set)  # provinces its local bodies have named
    places: dict[str, set[str]] = field(default_factory=dict)  # district | commune -> `huyện Sơn Hà`, `xã Xuân Phú`
    own: tuple[str, str] | None = None  # (level, place) of the body whose letterhead opens the document
    steering: dict[str | None, str] = field(default_factory=dict)  # place -> the steering committee last named there
    seen: bool = False

    def current_province(self) -> str | None:
        if self.province:
            return self.province
        return next(iter(self.provinces)) if len(self.provinces) == 1 else None

    def single(self, level: str, unit: str | None = None) -> str | None:
        """The one place of that level (and unit word: xã, phường) the document has named, if only one."""
        names = {p for p in self.places.get(level, ()) if unit is None or p.split(" ", 1)[0] == unit.split(" ", 1)[0]}
        return next(iter(names)) if len(names) == 1 else None


# running headers and footers repeat on every page and name nothing new


def find_in_document(doc: DocumentView, found: Mapping[str, Any]) -> list[Agency]:
    """The bodies a document names, given what the metadata step found: `UBND tỉnh` is its own province's."""
    province = getattr(found.get("metadata"), "province_as_written", None)
    return find_document_agencies(list(searched_blocks(doc)), province)


def find_document_agencies(blocks: Sequence[BlockView], province: str | None = None) -> list[Agency]:
    """Every body a document names; `province`: the report's own, as written.

    Consecutive blocks of the same kind are read as one text, so a name wrapped
    over lines (`HỘI` / `ĐỒNG NHÂN DÂN TỈNH BÌNH ĐỊNH`, `Ủy ban nhân dân xã Xuân` /
    `Phú`) is one mention.
    """
    locality = Locality(province=province)
    out: list[Agency] = []
    for run in _runs(blocks):
        text = "\n".join(b.text for b in run)
        starts = [b.start - run[0].start for b in run]
        for a in find_agencies(text, run[0].start, province, locality):
            block = run[bisect_right(starts, a.start - run[0].start) - 1]
            a.in_footnote = block.kind == "footnote"
            a.page = block.page
            out.append(a)
    return out


_RUNNING = {"heading": "text", "body": "text", "footnote": "footnote"}  # table cells stand alone


def _runs(blocks: Sequence[BlockView]) -> list[list[BlockView]]:
    """Maximal runs of text blocks (headings and body lines, or footnote lines) that follow each other (one newline between).

    Wrapped lines are told apart as headings or body unreliably (`CỦA ỦY` / `BAN NHÂN
    DÂN XÃ ...`), so both run together.
    """
    runs: list[list[BlockView]] = []
    for b in blocks:
        last = runs[-1][-1] if runs else None
        joins = last is not None and _RUNNING.get(last.kind) is not None and _RUNNING.get(last.kind) == _RUNNING.get(b.kind)
        if joins and last.start + len(last.text) + 1 == b.start:
            runs[-1].append(b)
        else:
            runs.append([b])
    return runs


@cache
def _spellings() -> dict[str, AgencyName]:
    out = {}
    for agency in gazetteer.agency_names():
        for spelling in (agency.canonical, *agency.aliases):
            out[gazetteer.fold(spelling)] = agency
    return out


@cache
def _by_first_word() -> dict[str, re.Pattern]:
    """First word -> every spelling that starts with it, folded (lower case, one tone placement), longest first.

    They run over folded text: a case-sensitive alternation is many times faster than an
    IGNORECASE one. Where the first word is `ubnd` only the spellings starting with it
    are tried, not all of them: a spelling that matches at a position starts with the
    longest first word matching there (the first words are letters only, and what ends
    a spelling's first word in the text is a space or no letter).
    """
    groups: dict[str, list[str]] = {}
    for spelling in sorted(_spellings(), key=len, reverse=True):
        groups.setdefault(spelling.split()[0], []).append(spelling)
    return {first: re.compile(trie(spellings, space=r"\s+") + r"(?![\p{L}\d&])") for first, spellings in groups.items()}


@cache
def _first_word_re() -> std_re.Pattern:
    """The first words of the spellings: the longest one at a position tells which spellings to try."""
    return std_re.compile(trie({s.split()[0] for s in _spellings()}))


@cache
def _candidate_re() -> std_re.Pattern:
    """Where a spelling may stand: its words, whatever follows them and whatever stands before.

    Most first words (`công`, `chính`, `tỉnh`) stand in running text far more often
    than in a body's name; scanning for whole spellings skips them in C. This one
    scan is the standard library's: it runs a plain trie of words about twice as fast
    as the regex module. Its hits are only candidates: `_starts_word` and the
    spellings' own patterns (`_by_first_word`) decide, so its whitespace (a few more
    characters than the regex module's) cannot change what is found.
    """
    return std_re.compile(trie(_spellings(), space=r"\s+"))


def _starts_word(folded: str, pos: int) -> bool:
    """Not inside a longer word or a code (a letter, a decimal digit, `/`, `&` before it)."""
    if pos == 0:
        return True
    before = folded[pos - 1]
    return not (before.isalpha() or before.isdecimal() or before in "/&")


def _spelling_at(folded: str, pos: int, first: str | None = None) -> re.Match | None:
    """The longest spelling at `pos` of the folded text; `first`: its first word, when known."""
    if first is None:
        m = _first_word_re().match(folded, pos)
        if m is None or not _starts_word(folded, pos):
            return None
        first = m.group(0)
    return _by_first_word()[first].match(folded, pos)


# the unit word in any case (letterheads), the name that follows in capitalised words
_LOCAL_UNIT = re.compile(
    r"\s+(?:của\s+)?(?P<unit>(?i:tỉnh|thành\s+phố|TP\.?|huyện|thị\s+xã|quận|xã|phường|thị\s+trấn))(?![\p{L}])"
    # a number names a ward only on the same line (`phường 1`); `xã` / `1. ...` is a list item
    r"(?:[ \t]*(?P<name>(?:\p{Lu}[\p{L}\-]*|\d+(?![.)]))(?:\s+\p{Lu}[\p{L}\-]*){0,3})|\s+(?P<name>\p{Lu}[\p{L}\-]*(?:\s+\p{Lu}[\p{L}\-]*){0,3}))?"
)
_LOWER_UNITS = {"huyện": "district", "thị xã": "district", "quận": "district", "xã": "commune", "phường": "commune", "thị trấn": "commune"}
_CLASS_MENTION = re.compile(r"\s+(?:cấp\s+(?:tỉnh|huyện|xã)|các\s+(?:tỉnh|cấp|huyện|xã|phường|sở)|các\s+địa\s+phương)\b", re.IGNORECASE)
_PROVINCE_AFTER = re.compile(r"\s+(\p{Lu}[\p{L}\-]*(?:\s+\p{Lu}[\p{L}\-]*){0,3})")  # checked against the provinces
_NAME_AFTER = re.compile(r"[ \t]+(\p{Lu}[\p{L}\-]*(?:[ \t]+\p{Lu}[\p{L}\-]*){0,3})")  # any name: not over a line break


def find_agencies(text: str, offset: int = 0, province: str | None = None, locality: Locality | None = None) -> list[Agency]:
    """Bodies named in one text; `province`: the report's own, as the report writes it.

    `locality` carries what earlier text of the same document said (find_document_agencies);
    without it the text is read on its own.
    """
    loc = locality if locality is not None else Locality(province=province)
    out: list[Agency] = []
    folded = gazetteer.fold(text)
    if len(folded) != len(text):  # folding changed lengths (rare letters): spans would not map back
        return []
    pos = 0
    while (candidate := _candidate_re().search(folded, pos)) is not None:
        if not _starts_word(folded, candidate.start()):
            pos = candidate.start() + 1
            continue
        first = _first_word_re().match(folded, candidate.start())
        m = _spelling_at(folded, first.start(), first.group(0))
        if m is None or _in_code(text, first.start()):
            pos = first.end()
            continue
        start, end = m.span()
        pos = end
        agency = _spellings().get(" ".join(m.group(0).split()))
        if agency is None or not text[start].isupper():  # `Luật Tổ chức chính phủ`: a body is written with a capital
            continue
        found = _resolve(text, folded, start, end, agency, loc)
        if found is None:
            continue
        canonical, level, prov, end, kind = found
        start, canonical, kind = _with_owner_prefix(text, start, canonical, kind, out, offset)
        out.append(Agency(start + offset, end + offset, text[start:end], canonical, level, prov, kind=kind))
        _remember_own(loc, level, canonical, offset + start)
        loc.seen = True
        pos = max(pos, end)
    return out


def _remember_own(loc: Locality, level: str, canonical: str, at: int) -> None:
    """The first body of a document, in its opening lines, at district or commune level is the document's own."""
    if loc.seen or at >= 400 or level not in ("district", "commune"):
        return
    for place in loc.places.get(level, ()):
        if canonical.endswith(" " + place):
            loc.own = (level, place)


_CODE_CHAR = re.compile(r"[/\d]")
_TOKEN = re.compile(r"\S+")


def _in_code(text: str, start: int) -> bool:
    """`43/HDLN-SYT-BHXH`: a word after a hyphen inside a code; `S Y T-BHXH TỈNH` (two letterhead bodies) is not."""
    if start == 0 or text[start - 1] not in "-–":
        return False
    lo = max(0, start - 40)  # a code is a short token
    token_start = max(text.rfind(" ", lo, start), text.rfind("\n", lo, start), lo - 1) + 1
    return bool(_CODE_CHAR.search(text, token_start, start))


def _resolve(text: str, folded: str, start: int, end: int, agency: AgencyName, loc: Locality):
    """(canonical, level, province, end of the mention, kind) of a mention, or None when its body cannot be told."""
    if agency.level == "central":
        return agency.canonical, "central", None, end, agency.kind
    if agency.province_form == "steering":
        return _steering(text, folded, start, end, agency, loc)
    after = text[end : end + 120]
    if _CLASS_MENTION.match(after):  # UBND cấp xã, Sở ... các tỉnh: a class of bodies, not one
        return None
    if agency.province_form == "named":
        return _named(after, end, agency, loc)
    unit = _LOCAL_UNIT.match(after) if agency.province_form == "tỉnh" else None
    if unit:
        word = " ".join(unit.group("unit").lower().split()).rstrip(".")
        if word in _LOWER_UNITS and agency.level == "local":
            return _lower(agency, word, unit, end, loc)
        if word in ("tỉnh", "thành phố", "tp"):
            name = unit.group("name")
            written = _province_at(name) if name else None
            if written:
                loc.provinces.add(written)
                return _with_province(agency, written), "province", written, end + unit.start("name") + len(_province_match(name)), agency.kind
            current = loc.current_province()
            if current:  # `UBND tỉnh`: the report's own province
                return _with_province(agency, current), "province", current, end + unit.end("unit"), agency.kind
            return None
    # `Tỉnh ủy Đắk Lắk`, `BTV Tỉnh ủy Phú Yên`: the province right after the name
    named = _PROVINCE_AFTER.match(after)
    written = _province_at(named.group(1)) if named else None
    if written:
        loc.provinces.add(written)
        return _with_province(agency, written), "province", written, end + named.start(1) + len(_province_match(named.group(1))), agency.kind
    if agency.level == "local" and loc.own is not None:  # `Ủy ban nhân dân` in a commune's own rules
        level, place = loc.own
        return f"{agency.canonical} {place}", level, loc.current_province(), end, agency.kind
    if agency.canonical == "Đảng ủy":  # a bare party committee: the one commune the document is about
        place = loc.single("commune")
        return (f"{agency.canonical} {place}", "commune", loc.current_province(), end, agency.kind) if place else None
    current = loc.current_province()
    if current:
        return _with_province(agency, current), "province", current, end, agency.kind
    return None


def _lower(agency: AgencyName, word: str, unit: re.Match, end: int, loc: Locality):
    """A body of a district or commune: `UBND huyện Sơn Hà`; `HĐND xã` is the one commune named before."""
    level = _LOWER_UNITS[word]
    named = _place_name(unit.group("name"), word, level, loc)
    if named:
        place = f"{word} {named[0]}"
        loc.places.setdefault(level, set()).add(place)
        return f"{agency.canonical} {place}", level, loc.current_province(), end + unit.start("name") + named[1], agency.kind
    place = loc.single(level, word)
    if place is None:
        return None  # UBND huyện, UBND xã: which one the text does not say
    return f"{agency.canonical} {place}", level, loc.current_province(), end + unit.end("unit"), agency.kind


# words of a heading in capitals that end a place name: `XÃ XUÂN PHÚ NHIỆM KỲ 2021 - 2026`, `HUYỆN SƠN HÀ KHÓA XII`
_AFTER_NAME = frozenset("nhiệm kỳ khóa khoá về năm tại theo giai đoạn lần số ban hành quy định kế hoạch báo cáo đợt kỳ họp thứ".split())


def _place_name(raw: str | None, word: str, level: str, loc: Locality) -> tuple[str, int] | None:
    """(the place name, its length in `raw`): cut where a capitalised heading goes on; a place named before wins."""
    words = list(_TOKEN.finditer(raw or ""))
    n = next((i for i, w in enumerate(words) if gazetteer.fold(w.group(0)) in _AFTER_NAME), len(words))
    for known in loc.places.get(level, ()):  # `XÃ XUÂN PHÚ ...` once `xã Xuân Phú` is known
        k = len(known.split()) - len(word.split())
        if 0 < k <= n and gazetteer.fold(" ".join(w.group(0) for w in words[:k])) == gazetteer.fold(known.split(" ", len(word.split()))[-1]):
            n = k
            break
    if n == 0:
        return None
    return _title(" ".join(w.group(0) for w in words[:n])), words[n - 1].end()


def _named(after: str, end: int, agency: AgencyName, loc: Locality):
    """`Huyện ủy Phú Ninh`, `Ban Quản lý Khu kinh tế Dung Quất`: the name right after; a bare `Huyện ủy`, the one district named."""
    named = _NAME_AFTER.match(after)
    if named:
        name = _title(named.group(1))
        if agency.level == "district":
            loc.places.setdefault("district", set()).add(f"huyện {name}")
        return f"{agency.canonical} {name}", agency.level, loc.current_province(), end + named.end(1), agency.kind
    if agency.level in ("district", "commune"):
        place = loc.single(agency.level)
        if place:
            return f"{agency.canonical} {place.split(' ', 1)[1]}", agency.level, loc.current_province(), end, agency.kind
    return None


def _province_match(words: str) -> str:
    m = province_re().match(words)
    return m.group(0) if m else ""


def _province_at(words: str) -> str | None:
    """The province named at the start of `words`, by its gazetteer name."""
    m = province_re().match(words)
    p = province_of(m.group(0)) if m else None
    return p.name if p else None


def _with_province(agency: AgencyName, province: str) -> str:
    base = agency.canonical
    if agency.province_form == "tỉnh":
        return f"{base} {full_name(province)}"
    if base.endswith(" tỉnh") and province_of(province) and province_of(province).unit == "thành phố":
        return f"{base[: -len(' tỉnh')]} thành phố {province}"
    return f"{base} {province}"


def _title(name: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() if w.isupper() and len(w) > 1 else w for w in name.split())


# --- a body of a body -----------------------------------------------------------------------------

# prefix (folded) -> (as written in a canonical name, owner kinds it may stand before, the kind of the whole)
_PARTY_OWNERS = frozenset({"party"})
_PREFIXES: dict[str, tuple[str, frozenset[str], str | None]] = {
    "văn phòng": ("Văn phòng", frozenset({"party", "government", "legislature", "ministry"}), None),
    "vp": ("Văn phòng", frozenset({"party", "government", "legislature", "ministry"}), None),
    "ban thường vụ": ("Ban Thường vụ", _PARTY_OWNERS, "party"),
    "btv": ("Ban Thường vụ", _PARTY_OWNERS, "party"),
    "thường trực": ("Thường trực", frozenset({"party", "legislature"}), None),
    "uỷ ban kiểm tra": ("Ủy ban Kiểm tra", _PARTY_OWNERS, "party"),
    "ubkt": ("Ủy ban Kiểm tra", _PARTY_OWNERS, "party"),
    "đảng uỷ": ("Đảng ủy", frozenset({"government", "legislature", "ministry", "department"}), "party"),
    "đảng đoàn": ("Đảng đoàn", frozenset({"legislature", "mass_org"}), "party"),
    "ban cán sự đảng": ("Ban cán sự đảng", frozenset({"government", "ministry", "department"}), "party"),
    "ban tuyên giáo": ("Ban Tuyên giáo", _PARTY_OWNERS, "party"),
    "ban tuyên giáo và dân vận": ("Ban Tuyên giáo và Dân vận", _PARTY_OWNERS, "party"),
    "ban tổ chức": ("Ban Tổ chức", _PARTY_OWNERS, "party"),
    "ban dân vận": ("Ban Dân vận", _PARTY_OWNERS, "party"),
    "ban nội chính": ("Ban Nội chính", _PARTY_OWNERS, "party"),
    "thanh tra": ("Thanh tra", frozenset({"ministry"}), "ministry_unit"),
    "ban kinh tế - ngân sách": ("Ban Kinh tế - Ngân sách", frozenset({"legislature"}), "legislature"),
    "ban pháp chế": ("Ban Pháp chế", frozenset({"legislature"}), "legislature"),
    "ban văn hoá - xã hội": ("Ban Văn hóa - Xã hội", frozenset({"legislature"}), "legislature"),
    "ban dân tộc": ("Ban Dân tộc", frozenset({"legislature"}), "legislature"),
}
_PREFIX_RE = re.compile(
    r"(?<![\p{L}])(?P<prefix>" + "|".join(re.escape(p).replace(r"\ ", r"\s+").replace(r"\-", r"\s*[-–]\s*") for p in sorted(_PREFIXES, key=len, reverse=True)) + r")\s+$"
)
# a unit of a ministry: `Vụ Pháp chế, Bộ Y tế`, `Cục Quản lý khám, chữa bệnh - Bộ Y tế`, `Tổng cục Thuế thuộc Bộ Tài chính`
_UNIT_RE = re.compile(
    r"(?<![\p{L}])(?P<unit>Vụ|Cục|Tổng\s+cục|Viện|VỤ|CỤC|TỔNG\s+CỤC|VIỆN)\s+"
    r"(?P<name>\p{Lu}[\p{L}\-]*(?:\s+(?:[\p{Ll}&][\p{L}\-]*|và\s+\p{Lu}[\p{L}\-]*|\p{Lu}{2,}[\p{L}]*)|,\s*\p{Ll}[\p{L}\-]*)*)"
    r"\s*(?:[,\-–]\s*|\s+thuộc\s+)?$"
)


def _with_owner_prefix(text: str, start: int, canonical: str, kind: str, out: list[Agency], offset: int) -> tuple[int, str, str]:
    """(start, canonical, kind) of the mention with the body it belongs to, when one is written before it."""
    window = text[max(0, start - 100) : start]
    base = start - len(window)
    folded = gazetteer.fold(window)
    prefix = _PREFIX_RE.search(folded) if len(folded) == len(window) else None
    if prefix is not None:
        written, owners, whole = _PREFIXES[re.sub(r"\s*[-–]\s*", " - ", " ".join(prefix.group("prefix").split()))]
        if kind in owners and text[base + prefix.start()].isupper():
            _drop_inside(out, base + prefix.start() + offset)
            # an office of a ministry is one of its units; of a committee or council, of the same kind as its owner
            return base + prefix.start(), f"{written} {canonical}", whole or ("ministry_unit" if kind == "ministry" else kind)
    unit = _UNIT_RE.search(window) if kind == "ministry" else None
    if unit is not None:
        _drop_inside(out, base + unit.start() + offset)
        name = f"{_title(unit.group('unit')).capitalize()} {_title(unit.group('name'))}"
        return base + unit.start(), f"{name} {canonical}", "ministry_unit"
    return start, canonical, kind


def _drop_inside(out: list[Agency], start: int) -> None:
    """A mention the owner's prefix covers (`Đảng ủy` of `Đảng ủy UBND tỉnh`) is part of the longer one."""
    while out and out[-1].start >= start:
        out.pop()


# --- steering committees and working groups -----------------------------------------------------------

_WORD = re.compile(r"[\p{L}\d]+")
_OF = re.compile(r"\s+(?:của\s+)?")
_ABOUT = re.compile(r"\s+về\s+")
_FREE_TOPIC_STOP = re.compile(
    r"[.;:()\n“”\"]|\s(?:đã|đang|sẽ|ban\s+hành|tổ\s+chức|chỉ\s+đạo|của|tại|theo|để|với|trên\s+địa\s+bàn|năm\s+\d{4})(?![\p{L}])"
)


@cache
def _topics() -> tuple[tuple[tuple[str, ...], str], ...]:
    """(words of a spelling, folded; the topic as a name writes it), longest first."""
    out = [(tuple(_WORD.findall(gazetteer.fold(s))), t.topic) for t in gazetteer.steering_topics() for s in t.spellings]
    return tuple(sorted(out, key=lambda st: -len(st[0])))


def _topic_at(text: str, pos: int) -> tuple[str, int] | None:
    """A known topic starting at pos, compared word by word without case, punctuation or `&` (KH&CN = KH, CN)."""
    words = list(_WORD.finditer(text, pos, min(len(text), pos + 200)))
    if not words or words[0].start() - pos > 1:
        return None
    folded = [gazetteer.fold(w.group(0)) for w in words]
    for spelling, topic in _topics():
        if tuple(folded[: len(spelling)]) == spelling:
            return topic, words[len(spelling) - 1].end()
    return None


def _steering(text: str, folded: str, start: int, end: int, agency: AgencyName, loc: Locality):
    """`Ban Chỉ đạo [của <body>] [tỉnh X] [về] <topic> [tỉnh X]`: one canonical name per place and topic."""
    head = agency.canonical
    pos, owner, place, topic = end, None, None, None
    of = _OF.match(text, pos)
    owned = _spelling_at(folded, of.end()) if of else None
    if owned is not None and text[of.end()].isupper():
        inner = _spellings().get(" ".join(owned.group(0).split()))
        resolved = _resolve(text, folded, owned.start(), owned.end(), inner, loc) if inner and inner.province_form != "steering" else None
        if resolved is not None and resolved[4] in ("government", "party", "legislature"):
            owner, pos = resolved, resolved[3]
    if owner is None:
        place, pos = _place_after(text, pos, loc)
    about = _ABOUT.match(text, pos)
    known = _topic_at(text, about.end() if about else _skip_space(text, pos))
    if known is not None:
        topic, pos = known
    elif about is not None:  # an unlisted topic, as written, up to where the name plainly ends
        stop = _FREE_TOPIC_STOP.search(text, about.end(), about.end() + 150)
        free = re.match(r"\s*(?:\S+\s+){0,14}\S+", text[about.end() : stop.start() if stop else about.end() + 150])
        if free:
            topic, pos = " ".join(free.group(0).split()), about.end() + free.end()
    if owner is None and place is None:
        place, pos = _place_after(text, pos, loc)
    if owner is not None:
        key = full_name(owner[2]) if owner[1] == "province" and owner[2] else owner[0]
    else:
        place = place or _default_place(loc)
        key = place[0] if place else None
    if topic is None:
        if key in loc.steering:  # `Ban Chỉ đạo tỉnh`, `Ban Chỉ đạo` after the full name: the one named before
            level, prov = (place[1], place[2]) if place else (owner[1], owner[2])
            return loc.steering[key], level, prov, pos, agency.kind
        if place is None or head != "Ban Chỉ đạo" or pos == end:
            return None  # a bare `Ban Chỉ đạo` no name before tells
        return f"{head} {place[0]}", place[1], place[2], pos, agency.kind
    about_word = " về " if head == "Ban Chỉ đạo" else " "
    if owner is not None:
        canonical, level, prov = f"{head} của {owner[0]}{about_word}{topic}", owner[1], owner[2]
    elif place is not None:
        canonical, level, prov = f"{head}{about_word}{topic} {place[0]}", place[1], place[2]
    else:
        return None
    loc.steering[key] = canonical
    return canonical, level, prov, pos, agency.kind


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    return pos


def _place_after(text: str, pos: int, loc: Locality) -> tuple[tuple[str, str, str | None] | None, int]:
    """((`tỉnh Đắk Lắk`, level, province), end) of a unit written at pos; `tỉnh` alone is the report's province."""
    unit = _LOCAL_UNIT.match(text, pos)
    if unit is None:
        return None, pos
    word = " ".join(unit.group("unit").lower().split()).rstrip(".")
    name = unit.group("name")
    if word in _LOWER_UNITS:
        if not name:
            return None, pos
        return (f"{word} {_title(name)}", _LOWER_UNITS[word], loc.current_province()), unit.end()
    written = _province_at(name) if name else None
    if written:
        loc.provinces.add(written)
        return (full_name(written), "province", written), unit.start("name") + len(_province_match(name))
    current = loc.current_province()
    if current:
        return (full_name(current), "province", current), unit.end("unit")
    return None, pos


def _default_place(loc: Locality) -> tuple[str, str, str | None] | None:
    if loc.own is not None:
        return loc.own[1], loc.own[0], loc.current_province()
    current = loc.current_province()
    return (full_name(current), "province", current) if current else None




COMPONENT = Component("agencies", find_in_document, reads=("metadata",))
