"""Find citations of documents in normalized report text.

One pass per kind of citation, then the passes are merged left to right:

- coded citations: a document code (extractors.codes) with what stands
  before it (type word, `số`) and after it (date, `của` issuer, subject);
- standards: `QCVN 4:2009/BKHCN`, `TCVN ISO 18091:2020`, `ISO/IEC 17025:2017`;
- short forms: `Nghị quyết 57`, `Nghị quyết số 57`, `NQ57`, `Đề án 06`;
- laws by name: `Luật Chuyển giao công nghệ năm 2017`, `Luật Giá`;
- anaphora: `Kế hoạch nêu trên`, `Quyết định nói trên` (resolved later to the
  citation they point back to, when that is unambiguous).

Then enumerations share their type word (`Quyết định số 1104/QĐ-UBND, số
1105/QĐ-UBND`) and their issuer (`X và Y của Chính phủ`, when the issuer can
issue each member), and a date stated before a citation
(`Ngày 15/9/2025, UBND tỉnh ban hành Kế hoạch số 055/KH-UBND`) fills in.

The written type word and the code's own type are both kept; a mismatch
(`Quyết định số 327/KH-UBND`) sets `type_conflict` rather than being fixed.
A code or date the source broke (`95/2016/N Đ-CP`, `16/7/20 21`) is put back
together and the citation says so (`repaired`, `repair_reason`).

Not citations (SPEC v1.2): a document's own number line (`Số: 215/KH-UBND`)
and the model numbers of blank forms (`Số: 15/QĐ-BNV`) are number fields;
nothing inside a web link counts (`...Keyword=S%E1%BB%91%20113/2015/N%C4%90-CP`).

Every pass is linear in the length of the block: passes run left to right and
are merged against the spans already taken with one sweep each.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import re as simple_re
import regex as re

import gazetteer
from extractors import dates
from extractors.component import Component, DocumentView, searched_blocks
from extractors.codes import find_codes, issuer_base, parse_code, type_of
from extractors.models import CodeParts, Reference
from extractors.patterns import trie

_WS = r"\s+"
# patterns used inline, compiled once: a pattern string goes through the regex module's cache on every call
_SPACES = re.compile(_WS)


def _alternation(words, tolerant: bool = False) -> str:
    forms = sorted(set(words), key=len, reverse=True)
    word = _tone_tolerant if tolerant else re.escape
    return "|".join(_WS.join(map(word, w.split())) for w in forms)


def _tone_tolerant(word: str) -> str:
    """hóa/hoá, thủy/thuỷ: both tone placements occur in real reports."""
    out = re.escape(word)
    for new, old in gazetteer.OLD_TONES.items():
        out = out.replace(new, f"(?:{new}|{old})")
    return out


# a number's first character after a type word, as the standard engine can say it whatever its
# Unicode version: no whitespace, no Latin letter (lower case: the text is lower-cased)
_NOT_A_WORD = r"(?![\sa-z\u00c0-\u024f\u1e00-\u1eff])"


def _start_finder(words, after: str = "") -> simple_re.Pattern:
    """Where one of the type words, then `after`, may start in lower-cased text (see _starts).

    A match takes the first letter only and looks ahead for the rest, so a start inside
    another type word (`kết luận` in `Thông báo kết luận`) is still found.
    """
    rests: dict[str, list[str]] = {}
    for w in {w.lower() for w in words}:
        rests.setdefault(w[0], []).append(w[1:])
    return simple_re.compile("|".join(f"{simple_re.escape(c)}(?={trie(r, space=_WS)}{after})" for c, r in sorted(rests.items())))


def _starts(finder: simple_re.Pattern, text: str) -> list[int] | None:
    """Where `finder` (_start_finder) finds a start in `text` lower-cased; None when lower case is
    no stand-in for the regex module's (?i)."""
    low = _lowered(text)
    return None if low is None else [m.start() for m in finder.finditer(low)]


def _literal_starts(words: tuple[str, ...], text: str) -> list[int] | None:
    """Where one of `words` (lower case, written as the pattern matches them: no whitespace class)
    starts in `text` lower-cased, overlapping ones too; None as for _starts."""
    low = _lowered(text)
    return None if low is None else _occurrences(words, low)


def _occurrences(words: tuple[str, ...], text: str) -> list[int]:
    """Where one of `words` starts in `text`, overlapping ones too, in order: str.find skips to
    them far faster than any pattern scans."""
    found = set()
    for w in words:
        i = text.find(w)
        while i >= 0:
            found.add(i)
            i = text.find(w, i + 1)
    return sorted(found)


@lru_cache(maxsize=1)
def _lowered(text: str) -> str | None:
    """`text` lower-cased (once for the passes over one block), None when that changes its length (İ)
    or holds ſ, which (?i) reads as s."""
    low = text.lower()
    return low if len(low) == len(text) and "ſ" not in low else None


def _matches_at(pattern: re.Pattern, text: str, starts: list[int] | None, overlapped: bool = False) -> Iterator[re.Match]:
    """`pattern.finditer(text, overlapped=...)` for a pattern whose matches can start only at
    `starts` (sorted; None: anywhere): the same matches, left to right, the pattern tried only
    there. A (?i) alternation of type words run over a whole block was a third of the stage."""
    if starts is None:
        yield from pattern.finditer(text, overlapped=overlapped)
        return
    end = 0
    for s in starts:
        if (overlapped or s >= end) and (m := pattern.match(text, s)):
            yield m
            end = m.end()


_ANAPHORA_TAILS = "nêu trên|nói trên|đã nêu|trên đây|vừa nêu"
# the type words of laws and of short forms glued to their number (NQ57), as written: case matters
_LAW_WORDS = ("Bộ luật", "Pháp lệnh", "Hiến pháp", "Luật", "bộ luật", "pháp lệnh", "luật")
_GLUED_TYPES = ("NQ", "CT", "KL", "CTr")
_ANAPHORA_WORDS = tuple(_ANAPHORA_TAILS.split("|"))


@cache
def _type_word_length() -> int:
    """Words in the longest type word (`Nghị quyết liên tịch`)."""
    return max(len(w.split()) for d in gazetteer.doc_types().values() for w in (d.name, *d.variants))


@cache
def _patterns() -> dict[str, re.Pattern]:
    doc_types = gazetteer.doc_types().values()
    all_words = [w for d in doc_types for w in (d.name, *d.variants)]
    bare_words = [w for d in doc_types if d.short_form == "y" and not d.by_name for w in (d.name, *d.variants)]
    so_words = [w for d in doc_types if d.short_form == "so" for w in (d.name, *d.variants)]
    number = r"(?P<num>\d{1,4}[a-zđ]?)(?![\p{L}\d]|[/\-.:,]\d|[/\-]\p{Lu}|\s*%)"
    type_words = _alternation(all_words)
    law_names = _alternation((name for _, name in gazetteer.laws()), tolerant=True)
    date = dates.DATE_PATTERN
    return {
        # what stands right before a code
        "so_before": re.compile(r"(?<![\p{L}])(?:(?:số|Số|SỐ)\s*:?\s*)+$"),
        "type_before": re.compile(rf"(?i)(?<![\p{{L}}\d])(?P<tw>{type_words})\s*$"),
        "type_at": re.compile(rf"(?i)(?P<tw>{type_words})(?![\p{{L}}])"),
        # what follows a citation
        "date_after": re.compile(
            rf"\s*,?\s*(?:(?:được\s+)?(?:ban hành|ký ban hành|ký)\s+)?(?:vào\s+)?(?i:ngày)\s+{dates.SPLIT_YEAR_DATE_PATTERN}"
        ),
        "issuer_start": re.compile(r"\s*,?\s*(?:của|do)\s+(?=\S)"),
        # lower-case verbs only: a capitalized "Quy định số ..." is the next citation
        "subject_start": re.compile(
            r"\s*,?\s*(?=(?:[Vv]ề việc|[Vv]ề|[Vv]/[Vv]|quy định|[Bb]an hành|phê duyệt|hướng dẫn|sửa đổi|triển khai|thực hiện)(?![\p{L}]))"
        ),
        "adopted": re.compile(
            rf"\s+(?:đã\s+)?được\s+(?P<iss>[\p{{Lu}}][^,.;()]{{1,60}}?)\s+(?:thông qua|ban hành|ký ban hành)\s+(?:vào\s+)?(?i:ngày)\s+{date}"
        ),
        "date_before": re.compile(
            rf"(?i:ngày)\s+{date}\s*,\s*(?P<mid>[^.;:]{{0,160}}?)$"
        ),
        # citations without a code
        # on one line: a type word ending one table cell and a count starting the next are no short form
        "short": re.compile(rf"(?i)(?<![\p{{L}}\d])(?P<tw>{_alternation(bare_words)})[^\S\n]+(?:(?P<so>số)[^\S\n]*)?{number}"),
        "short_so": re.compile(rf"(?i)(?<![\p{{L}}\d])(?P<tw>{_alternation(so_words)})[^\S\n]+(?P<so>số)[^\S\n]*{number}"),
        # where they may start: a type word, whitespace, số perhaps, and then no word
        "short_starts": _start_finder(bare_words + so_words, rf"\s+(?:số\s*)?{_NOT_A_WORD}"),
        "glued_short": re.compile(rf"(?<![\p{{L}}\d])(?P<tc>{'|'.join(_GLUED_TYPES)})(?P<num>\d{{1,4}})(?![\p{{L}}\d/\-])"),
        "standard": re.compile(
            r"(?<![\p{L}\d])(?P<std>QCVN|TCVN(?:\s*ISO(?:/IEC)?)?|ISO(?:/IEC)?)\s*"  # starts with one of _STANDARD_TYPES
            r"(?P<num>\d{1,6}(?:-\d{1,4})*)(?::(?P<yr>(?:19|20)\d{2}))?(?:/(?P<iss>\p{Lu}[\p{L}\d&]*))?(?![\p{L}\d])"
        ),
        "anaphora": re.compile(rf"(?i)(?<![\p{{L}}\d])(?P<tw>{type_words})\s+(?:{_ANAPHORA_TAILS})(?![\p{{L}}])"),
        "anaphora_tail": re.compile(rf"(?i){_ANAPHORA_TAILS}"),
        "law": re.compile(rf"(?<![\p{{L}}])(?P<tw>{'|'.join(_LAW_WORDS)})(?=\s)"),
        "law_known": re.compile(rf"(?i)\s+(?P<name>{law_names})(?![\p{{L}}])"),
        # `Luật sửa đổi, bổ sung [một số điều [và Phụ lục ...] của] Luật X [và Luật Y]`: the
        # match ends where the first amended law's type word starts
        "law_amending": re.compile(
            r"(?i)\s+sửa đổi,?\s+bổ sung(?:(?:(?!Luật|Bộ luật|Pháp lệnh)[^;.()\n]){0,100}?\s(?:của|đối với))?\s+(?:các\s+)?"
            r"(?=(?:Luật|Bộ luật|Pháp lệnh)\s)"
        ),
        "inner_law": re.compile(r"(?P<tw>Bộ luật|Pháp lệnh|Luật)(?=\s)"),
        "inner_law_next": re.compile(r"\s*(?:,\s*và|,|và)\s*(?=(?:Luật|Bộ luật|Pháp lệnh)\s)"),
        # a law's number after its name, an abbreviation between: Luật bảo hiểm y tế (BHYT) số 25/2008/QH12
        "law_number": re.compile(r"\s*(?:\([^()\n]{1,20}\)\s*)?,?\s*(?=(?:số|Số)\s*:?\s*\d)"),
        # Luật Đất đai năm 2024, Luật Đất đai 2024; not a range (giai đoạn 2021 - 2025)
        "law_year": re.compile(r"[^\S\n]+(?:năm\s+)?(?P<yr>(?:19|20)\d{2})(?![\d/.,]\d|\d|/|\s*[\-–]\s*\d)"),
        "word": re.compile(r"\s*(?P<w>[^\s,;:.()\[\]“”\"!?]+)"),
    }


# Words that end an issuer phrase (`của UBND tỉnh về việc ...`). They stop it only as
# written in lower case ("Ban Chỉ đạo" is a name, "chỉ đạo" a verb), except _ANY_CASE_STOPS.
_ANY_CASE_STOPS = ("ban hành", "v/v", "về việc")
_ISSUER_STOPS = (
    "về việc", "về", "v/v", "triển khai", "thực hiện", "ban hành", "quy định", "phê duyệt",
    "hướng dẫn", "sửa đổi", "bổ sung", "đối với", "tại", "trên", "cho", "để", "nhằm", "theo",
    "đã", "được", "ngày", "số", "là", "có", "giao", "công bố", "kèm theo", "thành lập", "kiện toàn",
    "đến", "từ", "với", "gửi", "trong", "và các", "và những", "cũng", "này", "đó", "khi", "nay",
    "như", "năm", "tháng", "đề nghị", "yêu cầu", "chỉ đạo", "tổ chức", "xây dựng",
)
_STANDARD_TYPES = {"QCVN": "QCVN", "TCVN": "TCVN", "ISO": "ISO"}
_TIME_UNITS = re.compile(r"\s+(?:năm|tháng|ngày|tuần|quý|giai đoạn|lần|người|tỷ|triệu|nghìn|%)(?![\p{L}])", re.I)
_ENUM_GAP = re.compile(r"\s*(?:,|;|và|,\s*và|hoặc)\s*")  # members sharing a type word
_SHARED_ISSUER_GAP = re.compile(r"\s*(?:,|và|,\s*và)\s*")  # members sharing an issuer
_MAX_ISSUER_WORDS = 14


def find_references(text: str, offset: int = 0, ocr: bool = False) -> list[Reference]:
    """All citations in `text` (one block); spans are shifted by `offset`. `ocr`: the text came from OCR,
    and codes are read as their likeliest reading (extractors.misread)."""
    p = _patterns()
    taken = link_spans(text)  # nothing inside a web link is a citation
    refs: list[Reference] = []
    laws = _laws(text, p)
    coded = _join_laws_and_numbers(text, laws, _coded(text, p, ocr))
    # earlier passes win overlaps: standards, then codes, then short forms and anaphora
    for kind in (_standards(text, p), coded, sorted((*_short_forms(text, p), *_anaphora(text, p)), key=_by_start)):
        kept = _free(kind, taken)
        refs.extend(kept)
        taken = _merged(taken, [(r.start, r.end) for r in kept])
    # laws yield to the others but not to each other: the amended law nests in the amending one
    kept_ids = {id(r) for r in refs}
    refs.extend(ref for law in _free_laws(laws, taken, kept_ids) for ref in law)
    refs.sort(key=_by_start)
    _share_enumerations(text, refs)
    _dates_before(text, refs, p)
    for ref in refs:
        ref.sentence = sentence_around(text, ref.start, ref.end)
        ref.start += offset
        ref.end += offset
    return refs


# how far a match at a position may look: a citation's tail is far shorter. Bounding it keeps
# the regex module from scanning the rest of a long block for a literal it requires.
_REACH = 600


def _at(pattern: re.Pattern, text: str, pos: int, reach: int = _REACH) -> re.Match | None:
    return pattern.match(text, pos, min(len(text), pos + reach))


def _by_start(ref: Reference) -> int:
    return ref.start


def _free(candidates: list[Reference], taken: list[tuple[int, int]]) -> list[Reference]:
    """The candidates (by start) that overlap neither a taken span nor a candidate kept before them.

    `taken` is sorted and disjoint, so one sweep with a pointer into it suffices.
    """
    out: list[Reference] = []
    i, last_end = 0, -1
    for ref in candidates:
        while i < len(taken) and taken[i][1] <= ref.start:
            i += 1
        if (i < len(taken) and taken[i][0] < ref.end) or ref.start < last_end:
            continue
        out.append(ref)
        last_end = ref.end
    return out


def _merged(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Two sorted, disjoint span lists that do not overlap each other, as one."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    out.extend(a[i:])
    out.extend(b[j:])
    return out


# --- web links -------------------------------------------------------------------------

_URL = re.compile(r"(?i)(?:https?://|www\.)\S+")
_URL_STARTS = ("http", "www.")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def link_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, disjoint spans of web links: URLs, and words carrying %-escapes (`S%E1%BB%91%20113/2015`).

    A link cut at `Keyword= ` by the layout goes on with the next word.
    """
    spans = []
    for m in _matches_at(_URL, text, _literal_starts(_URL_STARTS, text)):
        end = m.end()
        while text[end - 1] in "=&" and end < len(text) and text[end] == " ":
            end = _word_end(text, end + 1)
        spans.append((m.start(), end))
    last = -1
    for m in _ESCAPE.finditer(text):
        if m.start() < last:
            continue  # in the word just taken
        space = _LAST_SPACE.search(text, 0, m.start())
        start = space.end() if space else 0
        last = _word_end(text, m.end())
        spans.append((start, last))
    spans.sort()
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


_SPACE_OR_END = re.compile(r"\s|$")
_LAST_SPACE = re.compile(r"\s", re.REVERSE)  # searched backwards: as far as the word's start, no further


def _word_end(text: str, pos: int) -> int:
    return _SPACE_OR_END.search(text, pos).start()


# --- coded citations ---------------------------------------------------------

_PHAP_LUAT = re.compile(r"(?i)pháp\s+luật$")
# `Mẫu số 01/PLI`, `Biểu số 02/BC`: forms and parts of a document, not documents
_PART_BEFORE = re.compile(r"(?i)(?<![\p{L}])(?:mẫu|biểu|phụ lục|bảng|phiếu|mục)\s*$")
# the national motto, which stands beside the number line in a letterhead
_MOTTO = re.compile(r"(?i)độc\s+lập\s*[\-–]\s*tự\s+do\s*[\-–]\s*hạnh\s+phúc")


def _coded(text: str, p, ocr: bool = False) -> list[Reference]:
    out = []
    for found in find_codes(text, ocr):
        parts = found.parts
        cstart = found.start
        w0 = max(0, cstart - 80)
        window = text[w0:cstart]
        so = p["so_before"].search(window)
        before_so = window[: so.start()] if so else window
        # searched from the words a type word may span (not each of the 80 characters)
        tw = p["type_before"].search(before_so, _words_before(before_so, len(before_so), _type_word_length()))
        if tw is not None and _PHAP_LUAT.search(before_so, 0, tw.end("tw")):
            tw = None  # văn bản quy phạm pháp luật số ...: "luật" ends "pháp luật", it is no type word
        if tw is None and (parts.family == "legacy" or (so is None and (_slash_lost(found) or not _bare_code_ok(parts)))):
            continue  # 101-CP, 1830 QĐ-UBND are codes only after a type word or số
        if tw is None and so is not None and _PART_BEFORE.search(before_so):
            continue
        start = w0 + (tw.start("tw") if tw else so.start() if so else len(window))
        type_word = _SPACES.sub(" ", tw.group("tw")) if tw else None
        ref = Reference(
            start=start,
            end=found.end,
            surface="",
            doc_type=None,
            cite_kind="code",
            type_word=type_word,
            type_code=parts.type_code if _known_type(parts.type_code) else None,
            number=parts.number,
            year=parts.year,
            code=parts.code,
            issuer_code=parts.issuer_code,
            system=parts.system,
        )
        _note_repair(ref, found.repair)
        _set_type(ref, parts)
        _read_tail(text, ref, p)
        # a type word on an earlier line does not make a number line a citation (`QUYẾT ĐỊNH` / `Số: 12/QĐ-UBND`)
        if so is not None and (tw is None or "\n" in before_so[tw.end("tw") :]) and _number_field(text, w0 + so.start(), so.group(0), ref, tw is not None):
            continue
        ref.surface = text[ref.start : ref.end]
        out.append(ref)
    return out


def _slash_lost(found) -> bool:
    return bool(found.repair) and "lost_slash" in found.repair


def _note_repair(ref: Reference, reason: str | None) -> None:
    if reason:
        ref.repaired = True
        ref.repair_reason = f"{ref.repair_reason},{reason}" if ref.repair_reason else reason


def _number_field(text: str, so_start: int, so_text: str, ref: Reference, typed: bool) -> bool:
    """`Số: 215/KH-UBND` as a number field: a document's own number line or a blank form's model.

    A citation written with a bare `Số` states what it cites (a date, an issuer, a subject);
    a number field states no date nor issuer, and either carries the field's colon or stands
    alone on its line beside the letterhead (upper case, the motto, rules). `typed`: a type
    word stands on an earlier line, so only the colon makes it a field.
    """
    if ref.issued_date or ref.issuer:
        return False
    if ":" in so_text:
        return True  # a letter's number line is followed by its own subject: Số: 12/UBND-VX / V/v ...
    if typed or ref.subject or not so_text.startswith("S"):
        return False
    reach = max(0, so_start - _LETTERHEAD_REACH)
    line = text[text.rfind("\n", reach, so_start) + 1 or reach : so_start]
    return not _LOWER.search(_MOTTO.sub("", line))


_LOWER = re.compile(r"\p{Ll}")
_LETTERHEAD_REACH = 160  # what stands before a number line on its line: a body's name and the motto


def _known_type(code: str | None) -> bool:
    return code is not None and code in gazetteer.type_codes()


def _bare_code_ok(parts: CodeParts) -> bool:
    """A code without type word or `số` counts when its shape leaves no doubt."""
    if parts.family in ("party", "normative"):
        return True
    if parts.family == "administrative":
        return parts.issuer_code is not None
    if parts.family == "letter":
        return parts.unit is not None or parts.issuer_code in gazetteer.issuer_codes()
    return False


def _set_type(ref: Reference, parts: CodeParts) -> None:
    """doc_type from the written word, else from the code; flag a disagreement."""
    code_type = type_of(parts)
    if ref.type_word:
        ref.doc_type = gazetteer.type_words().get(gazetteer.fold(ref.type_word), ref.type_word)
        written = gazetteer.doc_types().get(ref.doc_type)
        if written and written.codes and parts.type_code and _known_type(parts.type_code):
            ref.type_conflict = parts.type_code not in written.codes
    else:
        ref.doc_type = code_type


def _read_tail(text: str, ref: Reference, p) -> None:
    """Date, issuer and subject after a citation; extends ref.end over the date."""
    pos = ref.end
    m = _at(p["date_after"], text, pos)
    if m:
        _take_date(ref, m)
        ref.end = pos = m.end()
    m = _at(p["issuer_start"], text, pos)
    if m:
        issuer, after = _issuer_phrase(text, m.end(), p)
        if issuer:
            ref.issuer = issuer
            pos = after
            if ref.issued_date is None:
                d = _at(p["date_after"], text, pos)
                if d:
                    _take_date(ref, d)
                    pos = d.end()
    if ref.issued_date is None:
        m = _at(p["adopted"], text, pos)
        if m:
            ref.issued_date = dates.match_date(m)
            ref.issuer = ref.issuer or m.group("iss").strip()
            pos = m.end()
    ref.subject = _subject(text, pos, p)


def _take_date(ref: Reference, m: re.Match) -> None:
    ref.issued_date = dates.match_date(m)
    if ref.issued_date is not None and dates.year_was_split(m):
        _note_repair(ref, "split_date")


def _issuer_phrase(text: str, pos: int, p) -> tuple[str | None, int]:
    """The body named after `của`: words up to a subject word, punctuation or another citation."""
    words: list[tuple[str, int]] = []  # (word, end offset)
    named_end = None
    i = pos
    while len(words) < _MAX_ISSUER_WORDS:
        m = _at(p["word"], text, i)
        if not m:
            break
        wstart = m.start("w")
        w = m.group("w")
        if "\n" in text[i:wstart]:
            break  # the next block: an issuer is written on one line of the layout
        if words and _starts_stop(text, wstart):
            # "Ban Chỉ đạo Trung ương về phát triển ..., ... và chuyển đổi số" is a name, not a subject
            if text.startswith("về phát triển", wstart) and words[0][0] in ("Ban", "Hội", "Tổ", "Ủy"):
                named_end = _named_field_end(text, wstart)
            break
        if not words and not (w[:1].isupper() or w.lower() in ("đồng", "đ/c")):
            return None, pos
        if words and w[:1].isupper() and (t := _at(p["type_at"], text, wstart)):
            # the next citation starts ("của Chính phủ và Chương trình số ..."), unless a
            # short form belongs to the body's name ("Tổ Công tác Đề án 06 tỉnh")
            if not _SPACED_DIGIT.match(text[t.end() : t.end() + 3]):
                break
        if w == "và":
            nxt = _at(p["word"], text, m.end())
            if nxt is None or _at(p["type_at"], text, nxt.start("w")) or nxt.group("w")[:1].isdigit():
                break
        words.append((w, m.end()))
        i = m.end()
    while words and words[-1][0] in ("và", "của", "các"):
        words.pop()
    if not words:
        return None, pos
    end = named_end or words[-1][1]
    return text[pos:end].strip(), end


_SPACED_DIGIT = re.compile(r"\s+\d")
_FIELD_END = re.compile(r"\s+(?:về|của|theo|tại)\s|[;.()\n]")


def _named_field_end(text: str, pos: int, limit: int = 160) -> int:
    """End of the `về ...` part of a body's name: the next `về`/`của`, or punctuation other than commas."""
    m = _FIELD_END.search(text, pos + 3, min(len(text), pos + limit))
    return (m.start() if m else min(len(text), pos + limit))


def _starts_stop(text: str, pos: int) -> bool:
    head = text[pos : pos + 16]
    return _stop_at(head, _CASED_STOPS) or _stop_at(head.lower(), _FOLDED_STOPS)


def _by_length(stops) -> list[tuple[int, frozenset[str]]]:
    lengths: dict[int, set[str]] = {}
    for stop in stops:
        lengths.setdefault(len(stop), set()).add(stop)
    return sorted((n, frozenset(same)) for n, same in lengths.items())


# the stops by length: a word is looked up once per length, not compared with every stop
_CASED_STOPS = _by_length(s for s in _ISSUER_STOPS if s not in _ANY_CASE_STOPS)
_FOLDED_STOPS = _by_length(_ANY_CASE_STOPS)


def _stop_at(hay: str, stops: list[tuple[int, frozenset[str]]]) -> bool:
    """`hay` starts with one of the stops, as a whole word."""
    for n, same in stops:
        if hay[:n] in same and (len(hay) == n or not hay[n].isalpha()):
            return True
    return False


def _subject(text: str, pos: int, p) -> str | None:
    m = _at(p["subject_start"], text, pos)
    if not m:
        return None
    start = m.end()
    end = _clause_end(text, start)
    subject = text[start:end].strip(" ,;:.")
    return subject or None


_CLAUSE_END = re.compile(r";|\.(?=\s+[\p{Lu}\d\-+•“\"(]|\s*$)|\n")


def _clause_end(text: str, pos: int, limit: int = 400) -> int:
    m = _CLAUSE_END.search(text, pos, min(len(text), pos + limit))
    if m:
        return m.start()
    end = min(len(text), pos + limit)
    if end < len(text):
        space = text.rfind(" ", pos, end)
        end = space if space > pos else end
    return end


# --- standards, short forms, laws --------------------------------------------


def _standards(text: str, p) -> list[Reference]:
    out = []
    for m in _matches_at(p["standard"], text, _occurrences(tuple(_STANDARD_TYPES), text)):
        std = _SPACES.sub(" ", m.group("std"))
        family = std.split()[0].split("/")[0]
        if family == "QCVN" and not (m.group("yr") or m.group("iss")):
            continue
        if family != "QCVN" and not m.group("yr") and len(m.group("num")) < 4:
            continue
        surface = text[m.start() : m.end()]
        out.append(
            Reference(
                start=m.start(),
                end=m.end(),
                surface=surface,
                doc_type=_STANDARD_TYPES[family],
                cite_kind="standard",
                type_word=family,
                number=m.group("num"),
                year=int(m.group("yr")) if m.group("yr") else None,
                code=_SPACES.sub("", surface),
                issuer_code=m.group("iss"),
            )
        )
    return out


def _short_forms(text: str, p) -> list[Reference]:
    out = []
    starts = _starts(p["short_starts"], text)
    for m in (*_matches_at(p["short"], text, starts), *_matches_at(p["short_so"], text, starts)):
        num = m.group("num")
        if not m.group("so") and len(num) == 4 and num[:2] in ("19", "20"):
            continue  # Kế hoạch 2025: a year, not a number
        if _at(_TIME_UNITS, text, m.end()):
            continue  # Kế hoạch 5 năm
        tw = _SPACES.sub(" ", m.group("tw"))
        ref = Reference(
            start=m.start(),
            end=m.end(),
            surface=text[m.start() : m.end()],
            doc_type=gazetteer.type_words().get(gazetteer.fold(tw), tw),
            cite_kind="short",
            type_word=tw,
            number=num,
            is_short_form=True,
        )
        _read_tail(text, ref, p)
        ref.surface = text[ref.start : ref.end]
        out.append(ref)
    for m in _matches_at(p["glued_short"], text, _occurrences(_GLUED_TYPES, text)):
        out.append(
            Reference(
                start=m.start(),
                end=m.end(),
                surface=m.group(0),
                doc_type=gazetteer.type_name(m.group("tc")),
                cite_kind="short",
                type_word=m.group("tc"),
                type_code=m.group("tc"),
                number=m.group("num"),
                is_short_form=True,
            )
        )
    return out


def _anaphora(text: str, p) -> list[Reference]:
    out = []
    tails = _matches_at(p["anaphora_tail"], text, _literal_starts(_ANAPHORA_WORDS, text), overlapped=True)
    for m in _around_tails(p["anaphora"], tails, text, _type_word_length()):
        tw = _SPACES.sub(" ", m.group("tw"))
        out.append(
            Reference(
                start=m.start(),
                end=m.end(),
                surface=m.group(0),
                doc_type=gazetteer.type_words().get(gazetteer.fold(tw), tw),
                cite_kind="anaphora",
                type_word=tw,
                is_short_form=True,
            )
        )
    return out


def _around_tails(pattern: re.Pattern, tails: Iterator[re.Match], text: str, words: int) -> Iterator[re.Match]:
    """`pattern.finditer(text)` for a pattern whose matches end with a match of a tail and start at
    most `words` words before it: only the stretches before the tails are searched (`tails`: every
    match of the tail in `text`, overlapping ones too, left to right).

    The same matches: each one lies inside the stretch of its tail (which holds the whitespace
    and `words` words before the tail), stretches that touch are searched as one, and between
    them nothing can match. A scan of the whole text was a tenth of the document stage.
    """
    stretches: list[list[int]] = []
    for m in tails:
        lo = _words_before(text, m.start(), words)
        if stretches and lo <= stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], m.end())
        else:
            stretches.append([lo, m.end()])
    for lo, hi in stretches:
        # one character past the tail: what the pattern's look-ahead reads (no tail ends there)
        yield from pattern.finditer(text, lo, min(len(text), hi + 1))


# whitespace to Python (str.isspace: also the separators \x1c-\x1f) or to the regex module (\s)
_ANY_SPACE = r"[\s\x1c-\x1f]"
_NO_SPACE = r"[^\s\x1c-\x1f]"


def _words_before(text: str, pos: int, words: int) -> int:
    """Where the `words` words (and the whitespace around them) before `pos` start; generous: a
    character either Python or the regex module counts as whitespace separates words."""
    return _words_back(words).match(text, 0, pos).start()


@cache
def _words_back(words: int) -> re.Pattern:
    # matched backwards from the position (REVERSE reads the items right to left too: whitespace,
    # then a word); both runs are taken whole, as a loop over the characters would take them
    return re.compile(rf"(?:{_NO_SPACE}*{_ANY_SPACE}*){{{words}}}", re.REVERSE)


@dataclass(slots=True)
class _Law:
    """A law cited by name, the laws its title names (an amending law's), and where its number would stand."""

    ref: Reference
    amended: list[Reference]
    number_at: int | None  # `số` right after the name: Luật Ngân sách nhà nước số 83/2015/QH13
    joined: Reference | None = None  # the coded citation of its number, which became this law's citation


def _laws(text: str, p) -> list[_Law]:
    out: list[_Law] = []
    until = 0
    for m in _matches_at(p["law"], text, _occurrences(_LAW_WORDS, text)):
        if m.start() < until:
            continue  # named in the title of the law before: _law_at took it
        law = _law_at(text, m, p)
        if law is not None:
            out.append(law)
            until = law.ref.end
    return out


_NUMBERED = re.compile(r"\s+(?:số\s*)?\d")
_LUAT_AGAIN = re.compile(r"\s+(?i:luật)\s")


def _law_at(text: str, m: re.Match, p) -> _Law | None:
    tw = m.group("tw")
    pos = m.end()
    if _NUMBERED.match(text[pos : pos + 12]):
        return None  # Luật số 01/2021/QH15: a coded citation
    if _LUAT_AGAIN.match(text[pos : pos + 12]) and not _at(p["law_known"], text, pos):
        return None  # Luật Luật X: the type word doubled (but Luật Luật sư is the law on lawyers)
    kind = tw[0].upper() + tw[1:].lower()
    name, end, amended = None, pos, []
    if kind != "Hiến pháp":
        amend = _at(p["law_amending"], text, pos)
        amended = _amended_laws(text, amend.end(), p) if amend else []
        end = amended[-1].end if amended else _law_name(text, pos, tw, p)
        if end is None:
            return None
        name = _SPACES.sub(" ", text[pos:end]).strip()
    year = None
    y = _at(p["law_year"], text, end)
    if y:
        year = int(y.group("yr"))
        end = y.end()
    if kind == "Hiến pháp" and year is None and tw != "Hiến pháp":
        return None
    number = _at(p["law_number"], text, end) if kind != "Hiến pháp" else None
    ref = Reference(
        start=m.start(), end=end, surface="", doc_type=kind, cite_kind="law", type_word=tw, year=year, name=name
    )
    _read_tail(text, ref, p)
    ref.surface = text[ref.start : ref.end]
    return _Law(ref, amended, number.end() if number else None)


def _law_name(text: str, pos: int, tw: str, p) -> int | None:
    """End of the name after a law's type word: a name the gazetteer knows, else one read word by word."""
    known = _at(p["law_known"], text, pos)
    if known:
        return known.end()
    if not tw[0].isupper():
        return None  # lower-case "luật" only with a known name: "pháp luật", "luật pháp" are no laws
    end = _law_name_end(text, pos, p)
    return end if end > pos else None


def _amended_laws(text: str, pos: int, p) -> list[Reference]:
    """The laws an amending law's title names (`... của Luật A và Luật B`): each its own citation, without date."""
    out = []
    while m := _at(p["inner_law"], text, pos):
        tw = m.group("tw")
        end = _law_name(text, m.end(), tw, p)
        if end is None:
            break
        name = _SPACES.sub(" ", text[m.end() : end]).strip()
        year = None
        y = _at(p["law_year"], text, end)
        if y:
            year, end = int(y.group("yr")), y.end()
        out.append(
            Reference(start=m.start(), end=end, surface=text[m.start() : end], doc_type=tw, cite_kind="law", type_word=tw, year=year, name=name)
        )
        nxt = _at(p["inner_law_next"], text, end)
        if nxt is None:
            break
        pos = nxt.end()
    return out


def _join_laws_and_numbers(text: str, laws: list[_Law], coded: list[Reference]) -> list[Reference]:
    """`Luật Ngân sách nhà nước số 83/2015/QH13`: one citation with the law's name and its number."""
    starts = [r.start for r in coded]
    for law in laws:
        if law.number_at is None:
            continue
        i = bisect_right(starts, law.number_at) - 1
        ref = coded[i] if i >= 0 else None
        # its `số` (or the `luật` ending the name, read as a type word: ... pháp luật số 64/2025/QH15)
        if ref is None or not (law.ref.start <= ref.start <= law.number_at < ref.end):
            continue
        ref.start = law.ref.start
        ref.type_word = law.ref.type_word
        ref.name = law.ref.name
        parts = parse_code(ref.code or "")
        if parts is not None:
            _set_type(ref, parts)
        ref.surface = text[ref.start : ref.end]
        law.joined = ref
    return sorted(coded, key=_by_start)


def _free_laws(laws: list[_Law], taken: list[tuple[int, int]], kept_ids: set[int]) -> list[list[Reference]]:
    """Laws whose citation was kept, with the laws their titles name (those nest inside it)."""
    free = {id(r) for r in _free([law.ref for law in laws if law.joined is None], taken)}
    out = []
    for law in laws:
        if law.joined is not None and id(law.joined) in kept_ids:
            out.append(law.amended)
        elif law.joined is None and id(law.ref) in free:
            out.append([law.ref, *law.amended])
    return out


# what ends a law's name read word by word: its number, date or year, and the words that go on
# with the sentence. Not the issuer's stops: names hold "có", "với", "theo", "cho" (Pháp lệnh
# Ưu đãi người có công với cách mạng, Luật Người lao động ... theo hợp đồng).
_LAW_NAME_END = re.compile(
    r"(?:số|ngày|năm|được|đã|của|và các|và những|quy định|hướng dẫn|về|tại|hiện hành|có hiệu lực|là|thì|để|nhằm|khi|"
    r"này|đó|nay|cũng|gồm|như|theo quy định|theo đó|trong đó|đến|từ ngày|ban hành|sửa đổi|thay thế)(?![\p{L}])"
)


def _law_name_end(text: str, pos: int, p) -> int:
    """End of a law name not in the gazetteer: capitalized start, stop at punctuation, a date, a number, function words."""
    end = pos
    i = pos
    n = 0
    while n < 20:
        m = _at(p["word"], text, i)
        if not m:
            break
        w = m.group("w")
        wstart = m.start("w")
        if n == 0 and not w[:1].isupper():
            return pos
        if n > 0 and (w[:1].isdigit() or _LAW_NAME_END.match(text, wstart) or (w[:1].isupper() and _at(p["type_at"], text, wstart))):
            break  # ... or the next citation's type word
        if w == "và":
            # Luật Phí và lệ phí, but Luật Giá và Luật Thuế, Luật Giá và Nghị định số ...
            nxt = _at(p["word"], text, m.end())
            if nxt is None or nxt.group("w")[:1].isdigit() or _at(p["type_at"], text, nxt.start("w")) or _LAW_NAME_END.match(text, nxt.start("w")):
                break
        if "\n" in text[i:wstart]:
            break  # a law's name does not run on into the next block
        i = end = m.end()
        n += 1
        if text.startswith(",", i) or text.startswith(".", i):
            break
    return end


# --- across citations ----------------------------------------------------------


def _share_enumerations(text: str, refs: list[Reference]) -> None:
    """Members of `A, B và C của X` share the type word of A and the issuer X."""
    for prev, cur in zip(refs, refs[1:]):
        if not _ENUM_GAP.fullmatch(text[prev.end : cur.start]):
            continue
        if cur.type_word is None and prev.type_word and cur.cite_kind == "code":
            written = gazetteer.doc_types().get(prev.doc_type or "")
            if written is None or not cur.type_code or not written.codes or cur.type_code in written.codes:
                cur.doc_type = prev.doc_type
    # issuers flow backwards through a run of members that state none
    for i in range(len(refs) - 1, 0, -1):
        cur, prev = refs[i], refs[i - 1]
        if cur.issuer and not prev.issuer and _SHARED_ISSUER_GAP.fullmatch(text[prev.end : cur.start]):
            if issuer_can_issue(cur.issuer, prev.issuer_code):
                prev.issuer = cur.issuer


def issuer_can_issue(issuer: str, issuer_code: str | None) -> bool:
    """False only when the gazetteer knows both and they cannot belong together."""
    if not issuer_code:
        return True
    base = issuer_base(issuer_code)
    if base not in gazetteer.issuer_codes():
        return True
    matching = issuer_codes_named(issuer)
    return not matching or base in matching


@lru_cache(maxsize=1 << 14)
def issuer_codes_named(name: str) -> frozenset[str]:
    """Issuer codes whose body the name designates, by its longest matching alias.

    `Ban Chỉ đạo Trung ương` designates BCĐTW, not BCĐ: the longer alias wins.
    """
    folded = gazetteer.fold(name)
    best, codes = 0, set()
    for code, a in _folded_aliases():
        if (folded.startswith(a) or f" {a}" in f" {folded}") and len(a) >= best:
            if len(a) > best:
                best, codes = len(a), set()
            codes.add(code)
    return frozenset(codes)


@lru_cache(maxsize=1)
def _folded_aliases() -> tuple[tuple[str, str], ...]:
    return tuple((c.code, gazetteer.fold(alias)) for c in gazetteer.issuer_codes().values() for alias in (*c.aliases, c.body))


_ISSUING_VERB = re.compile(r"(?i)\b(?:ban hành|có|ký|thông qua|phê duyệt)\b")


def _dates_before(text: str, refs: list[Reference], p) -> None:
    """`Ngày 15/9/2025, UBND tỉnh ban hành Kế hoạch số 055/KH-UBND`: the date belongs to the plan."""
    prev_end = 0
    for ref in refs:
        if ref.issued_date is None and ref.cite_kind == "code":
            window = text[max(prev_end, ref.start - 200) : ref.start]
            m = p["date_before"].search(window)
            if m and _ISSUING_VERB.search(m.group("mid")):
                ref.issued_date = dates.match_date(m)
        prev_end = ref.end


# --- sentences ------------------------------------------------------------------

# a block of the layout ends a sentence too: citations are searched over runs of blocks
_SENT_BREAK = re.compile(r"[.!?…](?=\s+[\p{Lu}\d\-+•“\"(])|\n")
# the last break before a position, searched backwards (a break is one character: the last one
# the forward scan would find)
_LAST_SENT_BREAK = re.compile(_SENT_BREAK.pattern, re.REVERSE)


def sentence_around(text: str, start: int, end: int, reach: int = 300) -> str:
    """The sentence containing [start, end), clipped to `reach` characters each side."""
    lo = max(0, start - reach)
    m = _LAST_SENT_BREAK.search(text, lo, start)
    s = m.end() if m else lo
    m = _SENT_BREAK.search(text, end, min(len(text), end + reach))
    e = m.end() if m else min(len(text), end + reach)
    return text[s:e].strip()


# --- the component ------------------------------------------------------------------


def find_in_document(doc: DocumentView, found: Mapping[str, Any]) -> list[Reference]:
    """Every citation of a document, with the relations its sentences state, resolved as far
    as the report itself tells (extractors.resolution).

    Citations are searched over runs of neighbouring blocks: layout breaks lines inside
    citations (`Căn cứ Quyết định số` / `59/QĐ-UBND`, a gazette's `169/QĐ-BL` / `ĐTBXH`),
    and find_references treats the newline between blocks as a weak boundary.
    """
    from extractors.relations import link
    from extractors.resolution import resolve_in_report

    refs: list[Reference] = []
    for run in block_runs(doc):
        start, end = run[0].start, run[-1].end
        text = doc.text[start:end]
        here = find_references(text, offset=start, ocr=getattr(run[0], "ocr", False))
        link(text, here, offset=start)
        starts = [b.start for b in run]
        for ref in here:
            block = run[bisect_right(starts, ref.start) - 1]
            ref.in_footnote = block.kind == "footnote"
            ref.page = block.page
            ref.in_force_date = _in_force(ref)
        refs.extend(here)
    resolve_in_report(refs, found.get("metadata"))
    return refs


def block_runs(doc: DocumentView) -> list[list]:
    """Consecutive searched blocks, adjacent in the text; footnotes never run on into the body,
    running headers and footers (not searched) end a run, and so does a change between OCR'd and
    born-digital pages (OCR's misreadings are corrected only in OCR'd text)."""
    runs: list[list] = []
    searched = set(map(id, searched_blocks(doc)))
    for block in doc.blocks:
        last = runs[-1][-1] if runs and runs[-1] else None
        if id(block) not in searched:
            runs.append([])
        elif (last is not None and last.end + 1 == block.start and (last.kind == "footnote") == (block.kind == "footnote")
              and getattr(last, "ocr", False) == getattr(block, "ocr", False)):
            runs[-1].append(block)
        else:
            runs.append([block])
    return [run for run in runs if run]


def _in_force(ref: Reference):
    """`... có hiệu lực từ ngày 10/02/2025` right after the citation, in its sentence."""
    at = ref.sentence.find(ref.surface)
    return dates.in_force_after(ref.sentence, at + len(ref.surface)) if at >= 0 else None


COMPONENT = Component("references", find_in_document, reads=("metadata",))
