"""The grammar of Vietnamese document codes (số ký hiệu).

Per Decree 30/2020/NĐ-CP (state) and Guidance 36-HD/VPTW (party):

    party           NUMBER-TYPE/ISSUER[-UNIT]        57-NQ/TW, 02-KH/BCĐTW, 80-CV/ĐU
    normative       NUMBER/YEAR/TYPE-ISSUER[-...]    05/2025/NQ-HĐND, 48/2009/TTLT-BTC-BNN
                    NUMBER/YEAR/ISSUER               193/2025/QH15 (laws, resolutions of the NA)
    administrative  NUMBER/TYPE-ISSUER[-UNIT]        198/KH-UBND, 1012/QĐ-TTg
    letter          NUMBER/ISSUER[-UNIT]             1351/SKHCN-QLKHCN, 02/TCTĐA
    legacy          NUMBER-ISSUER                    101-CP (old decrees)

`parse_code` takes a code apart; `CODE_RE` finds candidates in running text.
A code's first part after the slash is its type when it is a known type code
(KH, QĐ, ...), else the code is an official letter whose first part is the
issuer. QH13 / HĐND9 style parts with a term number are issuers.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import unicodedata

import regex as re

import gazetteer
from extractors.misread import reread
from extractors.models import CodeParts

SEG = r"\p{Lu}[\p{L}\d&]*"
YEAR = r"(?:19|20)\d{2}"
# 794a/ATBXHN-CP; an upper-case suffix only before a year (07B/2019/NQ-HĐND), so 4G/LTE is no code
NUMBER = rf"\d{{1,5}}(?:[a-zđ]|[A-Z](?=/{YEAR}/))?"
_NUMBER_ANY = r"\d{1,5}(?:[a-zđ]|[A-Z](?=[/\-]))?"

# Candidates in running text. The surrounding extractor decides whether a
# candidate is a citation (context: type word, "số", known issuer).
CODE_RE = re.compile(
    rf"""(?<![\p{{L}}\d/.:,\-])
    (?P<code>{NUMBER}
      (?: -{SEG}/{SEG}(?:-{SEG})*                 # party
        | (?:/{YEAR})?/{SEG}(?:[-/]{SEG})*         # state
        | -{SEG}                                   # legacy (101-CP), accepted after a type word only
      )
    )(?![\p{{L}}\d&/])""",
    re.VERBOSE,
)

# type codes of normative documents, whose codes always carry the year (Decree 30/2020, appendix)
NORMATIVE_TYPES = frozenset({"NĐ", "TT", "TTLT", "NQLT"})

_PARTY = re.compile(rf"(?P<num>{_NUMBER_ANY})-(?P<type>{SEG})/(?P<rest>{SEG}(?:-{SEG})*)")
# 19-2017/NQ-CP (hyphen for slash) and 101/2017NQ-HĐND (slash lost) are real variants
_STATE = re.compile(
    rf"(?P<num>{_NUMBER_ANY})(?:[/\-](?P<year>{YEAR}))?(?P<slash>/|(?<=\d)(?=\p{{Lu}}))(?P<rest>{SEG}(?:[-/]{SEG})*)"
)
_LEGACY = re.compile(rf"(?P<num>\d{{1,5}})-(?P<rest>{SEG}(?:-{SEG})*)")
_TERM_ISSUER = re.compile(r"(?:QH|UBTVQH|HĐND|HĐNN)\d{1,2}")
_SUFFIX_JUNK = re.compile(r"(?:\.\p{Lu}\d*|\([^()]*\))$")  # 86/2007/NQ-HĐND.K7, 26/KH-BCĐ(138)
_GLUED_WORD = re.compile(r"\p{Ll}{3,}")
_PART_SEP = re.compile(r"[-/]")


_SPACE = re.compile(r"[\s\u00a0]+")
_DASHES = re.compile(r"[–—‐‑_]")
_SLASHES = re.compile(r"/{2,}")
_SO = re.compile(r"^(?i:số):?")


def clean_code(raw: str) -> str:
    """Whitespace removed, look-alikes and dash variants fixed: how a code is compared."""
    s = unicodedata.normalize("NFC", raw).replace("\u00d0", "Đ")
    s = _SPACE.sub("", s)
    s = _DASHES.sub("-", s)
    s = _SLASHES.sub("/", s)
    s = _SO.sub("", s)
    return s.strip(".,;:")


def trim_glued(code: str) -> str:
    """Cut a word glued to the end of a code: 198/KH-UBNDngày -> 198/KH-UBND."""
    slash = code.find("/")
    m = _GLUED_WORD.search(code, slash if slash >= 0 else 0)
    return code[: m.start()] if m else code


def canonical_type(seg: str) -> str | None:
    """Canonical type code for a code part (Ctr -> CTr, QD -> QĐ), None if it is not one."""
    if _TERM_ISSUER.fullmatch(seg):
        return None
    keys = gazetteer.type_code_keys()
    upper = seg.upper()
    return keys.get(upper) or keys.get(upper.replace("Đ", "D"))


def parse_code(raw: str) -> CodeParts | None:
    """Take a document code apart; None when it is not a code."""
    return _parse_code(raw)


@lru_cache(maxsize=1 << 16)
def _parse_code(raw: str) -> CodeParts | None:
    """Long on purpose: one branch per family of the grammar, in the order of the module docstring."""
    # the corpus stages ask about the same few thousand codes again and again (CodeParts is frozen)
    code = trim_glued(clean_code(raw))
    suffix = _SUFFIX_JUNK.search(code)
    core = code[: suffix.start()] if suffix else code
    extra = suffix.group(0).strip(".()") if suffix else None

    m = _PARTY.fullmatch(core)
    if m:
        type_seg = m.group("type")
        type_code = canonical_type(type_seg)
        issuer, *unit = m.group("rest").split("-")
        if type_code is None and _TERM_ISSUER.fullmatch(type_seg):
            return None
        # the party shape with a state issuer is an old state code: 41-L/CTN, 270B-NQ/HĐNN8
        legacy = _is_state_issuer(issuer)
        return CodeParts(
            code=code,
            number=m.group("num"),
            year=None,
            type_code=type_code or type_seg,
            issuer_code=issuer,
            unit=_join(unit, extra),
            system="state" if legacy else "party",
            family="legacy" if legacy else "party",
        )

    m = _STATE.fullmatch(core)
    if m:
        segs = _PART_SEP.split(m.group("rest"))
        year = int(m.group("year")) if m.group("year") else None
        type_code = canonical_type(segs[0])
        if not m.group("slash") and type_code is None:
            return None  # 1830QĐ-UBND lost its slash; without a type part it is not a code
        if type_code is not None:
            issuer = segs[1] if len(segs) > 1 else None
            unit = segs[2:]
            family = "normative" if year else "administrative"
        else:
            issuer, unit = segs[0], segs[1:]
            family = "normative" if year else "letter"
        return CodeParts(
            code=code,
            number=m.group("num"),
            year=year,
            type_code=type_code,
            issuer_code=issuer,
            unit=_join(unit, extra),
            system="state",
            family=family,
        )

    m = _LEGACY.fullmatch(core)
    if m:
        issuer, *unit = m.group("rest").split("-")
        return CodeParts(
            code=code,
            number=m.group("num"),
            year=None,
            type_code=None,
            issuer_code=issuer,
            unit=_join(unit, extra),
            system="state",
            family="legacy",
        )
    return None


def _is_state_issuer(issuer: str) -> bool:
    if _TERM_ISSUER.fullmatch(issuer):
        return True
    known = gazetteer.issuer_codes().get(issuer)
    return known is not None and known.system == "state" and known.level == "central"


def _join(parts: list[str], extra: str | None) -> str | None:
    items = [p for p in parts if p]
    if extra:
        items.append(extra)
    return "-".join(items) or None


def type_of(parts: CodeParts) -> str | None:
    """Canonical document type a code implies (KH -> Kế hoạch; a letter -> Công văn)."""
    if parts.type_code:
        return gazetteer.type_name(parts.type_code, parts.system)
    if parts.family == "letter":
        return "Công văn"
    if parts.family == "normative" and parts.issuer_code and parts.issuer_code.startswith("QH"):
        return "Luật"
    if parts.family == "legacy" and parts.issuer_code == "CP":
        return "Nghị định"
    return None


_KEY_GAPS = re.compile(r"[\s\-–—]+")
_TRAILING_DIGITS = re.compile(r"\d+$")


def issuer_base(issuer_code: str) -> str:
    """The issuer part without the digits some codes add to it (`BCĐ57` -> `BCĐ`), as the gazetteer lists it."""
    return _TRAILING_DIGITS.sub("", issuer_code)


def known_document(code: str) -> gazetteer.KnownDocument | None:
    """The gazetteer's facts on a document, found by its code however it is written."""
    return _known_by_key().get(compare_key(code))


@cache
def _known_by_key() -> dict[str, gazetteer.KnownDocument]:
    return {compare_key(d.code): d for d in gazetteer.known_documents()}


@lru_cache(maxsize=1 << 16)
def compare_key(code: str) -> str:
    """How codes are compared across reports and against gold: no whitespace, no hyphens, NFC."""
    return _KEY_GAPS.sub("", clean_code(code))


# --- codes as the source breaks them ----------------------------------------------------
#
# Sources break codes in a few known ways. find_codes finds a code however it is broken,
# puts it back together with the grammar and the gazetteer, and says which repair it made,
# so that a citation whose code differs from its text can say so:
#
#   split_code     a part cut before its Đ, as gazette PDFs set it: 95/2016/N Đ-CP, TT-BKH ĐT
#   lost_hyphen    the hyphen between type and issuer gone: 61/2018/NĐCP, 02 KH/BCĐTW
#   space_in_code  a stray space at a slash or a dash: 7 /2021/TT-BNV, 27/TTr- STTTT, 100 - KL/TW
#   dash_variant   an en or em dash for the hyphen: 41/NQ–HĐBCQG
#   lost_slash     the slash before a known type gone: 2436QĐ-UBND, 1830 QĐ-UBND

_DASH = r"[\-–—]"
# a part that may be cut before its Đ; the piece after the cut is upper case (Đồng is a word)
_CUT_SEG = rf"{SEG}(?:\sĐ[\p{{Lu}}\d&]*(?!\p{{Ll}}))*"
# a stray space stands only before a part in capitals (the few lower-case letters type and
# issuer codes have allowed: CTr, TTg, QyĐ, QĐi), so ranges (18/ 20) and words (KH- Sở) never match
_CAPS_AHEAD = r"(?=\p{Lu}[\p{Lu}\d&]*[rgyi]?[\p{Lu}\d&]*(?<=..)(?![\p{L}\d&]))"


# OCR reads a number's leading 1 as a letter: `I195/QĐ-BGDĐT`
_OCR_ONE = r"(?:[Il|](?=\d))"
# OCR reads one hyphen as two (`04--TB/BCĐTW`, `1012/QĐ- -TTg`): in OCR'd text a dash may be doubled
_OCR_DASH = r"(?:[\-–—](?:\s?[\-–—])?)"


@lru_cache(maxsize=2)
def _loose_code_re(ocr: bool = False) -> re.Pattern:
    types = "|".join(sorted(map(re.escape, gazetteer.type_codes()), key=len, reverse=True))
    dash = _OCR_DASH if ocr else _DASH
    join = rf"(?:/|{_OCR_DASH})" if ocr else r"[\-–—/]"
    number = rf"{_OCR_ONE}?{NUMBER}" if ocr else NUMBER
    return re.compile(
        rf"""(?<![\p{{L}}\d/.:,\-%])
        (?P<code>{number}
          (?: (?:{dash}|\s{dash}\s?|{dash}\s|\s(?=(?:{types})\s?/)) {_CUT_SEG} \s?/\s? {_CUT_SEG} (?:{dash}{_CUT_SEG})*
            | (?:\s?[/\-]\s?{YEAR}(?=\s?/|\s?(?:{types})-\p{{Lu}}))? (?:/|\s/\s?|/\s{_CAPS_AHEAD}|(?P<noslash>\s?(?=(?:{types})-\p{{Lu}}))) {_CUT_SEG}
              (?:(?:\s{dash}\s?|{dash}\s){_CAPS_AHEAD}{_CUT_SEG})? (?:{join}{_CUT_SEG})*
            | -{SEG}
          )
        )(?![\p{{L}}\d&/])""",
        re.VERBOSE,
    )


@dataclass(frozen=True, slots=True)
class FoundCode:
    """A code in running text: its span, the code put back together, and the repair made (if any)."""

    start: int
    end: int
    parts: CodeParts
    repair: str | None

    @property
    def code(self) -> str:
        return self.parts.code


def find_codes(text: str, ocr: bool = False) -> list[FoundCode]:
    """Every code candidate in `text`, repaired where the source broke it (see above).

    `ocr`: the text came from OCR, and a code is also read as its likeliest reading
    where OCR took one letter for another (extractors.misread; reason `ocr_confusion`).
    """
    out = []
    for m in _loose_code_re(ocr).finditer(text):
        raw = m.group("code")
        one = ocr and raw[:1] in "Il|"
        doubled = ocr and (_DOUBLED_DASH.search(raw) is not None or one)
        fixed = "1" + raw[1:] if one else raw
        fixed = _DOUBLED_DASH.sub(_one_dash, fixed) if doubled else fixed
        found = _put_together(fixed, m.start("code"), m.group("noslash") is not None)
        if found is not None and ocr:
            found = _reread(found, doubled, spaced=_GAP.search(raw) is not None)
        if found is not None:
            out.append(found)
    return out


_DOUBLED_DASH = re.compile(r"[\-–—]\s?[\-–—]")


def _one_dash(m: re.Match) -> str:
    """`--` and `- -` as one hyphen, padded to the same length: the code's span stays the text's."""
    return "-" + " " * (len(m.group(0)) - 1)


def _reread(found: FoundCode, doubled: bool = False, spaced: bool = True) -> FoundCode:
    """The code as its likeliest reading (extractors.misread); `doubled`: a hyphen OCR read twice was made one,
    or a number's leading I read as 1 (`spaced`: with a space between, else the space is only the padding
    and no reason of its own)."""
    parts = reread(found.parts, parse_code) or (found.parts if doubled else None)
    if parts is None:
        return found
    reasons = [r for r in (found.repair or "").split(",") if r and (spaced or r != "space_in_code")]
    return FoundCode(found.start, found.end, parts, ",".join([*reasons, "ocr_confusion"]))


_CUT = re.compile(r"\sĐ")
_BEFORE_TYPE = re.compile(rf"^{NUMBER}(?:[/\-]{YEAR})?\s?")
_PARTY_SPACE = re.compile(rf"({NUMBER})\s(?=\p{{Lu}})")
_GAP = re.compile(r"\s")
_PIECE_SEP = re.compile(r"[\-–—/\s]")  # what ends the part a cut is in
_CUT_INSIDE = re.compile(r"(?<=[\p{L}\d&])\sĐ")
_LONG_DASH = re.compile("[–—]")


def _put_together(raw: str, start: int, slash_lost: bool = False) -> FoundCode | None:
    raw = trim_glued(raw)
    reasons = []
    # a cut part is joined only when the whole is a part the gazetteer knows: `BKH ĐT` becomes
    # BKHĐT, `BC ĐTW` BCĐTW; `UBND ĐT` stays UBND, and the code ends there
    for cut in _CUT.finditer(raw):
        piece = _PIECE_SEP.split(raw[: cut.start()])[-1]
        if not piece[:1].isupper():
            continue  # a space after a slash, a dash or the number (`1- ĐA/TW`, `1 ĐA/TW`), not inside a part
        whole = piece + _PIECE_SEP.split(raw[cut.end() - 1 :])[0]
        if _known_part(whole):
            reasons.append("split_code")
        else:
            raw = raw[: cut.start()]
            break
    text_span = raw
    raw = _CUT_INSIDE.sub("Đ", raw) if "split_code" in reasons else raw
    if slash_lost:
        # 2436QĐ-UBND, 1830 QĐ-UBND, 101/2017NQ-HĐND: the slash before a known type gone
        at = _BEFORE_TYPE.search(raw).end()
        raw = raw[:at].rstrip() + "/" + raw[at:]
        reasons.append("lost_slash")
    if _PARTY_SPACE.match(raw):
        raw = _PARTY_SPACE.sub(r"\1-", raw, count=1)  # 02 KH/BCĐTW: the party hyphen typed as a space
        reasons.append("lost_hyphen")
    if _GAP.search(raw):
        reasons.append("space_in_code")
    if _LONG_DASH.search(raw):
        reasons.append("dash_variant")
    code = clean_code(raw)
    parts = parse_code(code)
    if parts is None:
        return None
    glued = _unglue(parts)
    if glued is not None:
        parts = glued
        reasons.append("lost_hyphen")
    return FoundCode(start, start + len(text_span), parts, ",".join(dict.fromkeys(reasons)) or None)


def _known_issuer(seg: str) -> bool:
    return issuer_base(seg) in gazetteer.issuer_codes() or bool(_TERM_ISSUER.fullmatch(seg))


def _known_part(seg: str) -> bool:
    """A type code or an issuer code the gazetteer knows (issuers with a term number too: QH15)."""
    if not seg:
        return False
    return canonical_type(seg) is not None or issuer_base(seg) in gazetteer.issuer_codes() or bool(_TERM_ISSUER.fullmatch(seg))


def _unglue(parts: CodeParts) -> CodeParts | None:
    """61/2018/NĐCP -> 61/2018/NĐ-CP: a state code's first part that is a known type and a known issuer glued."""
    if parts.system != "state" or parts.type_code is not None or not parts.issuer_code or _known_part(parts.issuer_code):
        return None
    seg = parts.issuer_code
    longest = max(map(len, gazetteer.type_codes()))
    for k in range(min(longest, len(seg) - 1), 0, -1):
        # the rest must be an issuer: HDND is HĐND written without Đ, not HD + ND
        if canonical_type(seg[:k]) and _known_issuer(seg[k:]):
            fixed = parts.code.replace(seg, f"{seg[:k]}-{seg[k:]}", 1)
            return parse_code(fixed)
    return None


def looks_cut(code: str) -> bool:
    """A code the grammar calls incomplete: a part cut short of a known one (95/2016/N, TT-BL, QĐ-BKH).

    A type or issuer part that is not known itself but begins a known one with Đ or more
    letters after it is what is left when a PDF drops the rest of a part.
    """
    parts = parse_code(code)
    if parts is None:
        return False
    segs = [p for p in (parts.type_code, parts.issuer_code) if p]
    if parts.family == "normative" and parts.type_code is None and not _known_part(parts.issuer_code or ""):
        return True  # 95/2016/N: a year with no type and no known issuer
    return any(not _known_part(s) and _begins_known(s) for s in segs)


@lru_cache(maxsize=1)
def _known_parts() -> tuple[str, ...]:
    return tuple({*gazetteer.type_codes(), *gazetteer.issuer_codes()})


def _begins_known(seg: str) -> bool:
    return any(k != seg and k.startswith(seg) for k in _known_parts())
