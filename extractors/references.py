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
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

import regex as re

import gazetteer
from extractors import dates
from extractors.component import Component, DocumentView, searched_blocks
from extractors.codes import CODE_RE, issuer_base, parse_code, trim_glued, type_of
from extractors.models import CodeParts, Reference

_WS = r"\s+"


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
            rf"\s*,?\s*(?:(?:được\s+)?(?:ban hành|ký ban hành|ký)\s+)?(?:vào\s+)?(?i:ngày)\s+{date}"
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
        "short": re.compile(rf"(?i)(?<![\p{{L}}\d])(?P<tw>{_alternation(bare_words)})\s+(?:(?P<so>số)\s*)?{number}"),
        "short_so": re.compile(rf"(?i)(?<![\p{{L}}\d])(?P<tw>{_alternation(so_words)})\s+(?P<so>số)\s*{number}"),
        "glued_short": re.compile(r"(?<![\p{L}\d])(?P<tc>NQ|CT|KL|CTr)(?P<num>\d{1,4})(?![\p{L}\d/\-])"),
        "standard": re.compile(
            r"(?<![\p{L}\d])(?P<std>QCVN|TCVN(?:\s*ISO(?:/IEC)?)?|ISO(?:/IEC)?)\s*"
            r"(?P<num>\d{1,6}(?:-\d{1,4})*)(?::(?P<yr>(?:19|20)\d{2}))?(?:/(?P<iss>\p{Lu}[\p{L}\d&]*))?(?![\p{L}\d])"
        ),
        "anaphora": re.compile(
            rf"(?i)(?<![\p{{L}}\d])(?P<tw>{type_words})\s+(?:nêu trên|nói trên|đã nêu|trên đây|vừa nêu)(?![\p{{L}}])"
        ),
        "law": re.compile(r"(?<![\p{L}])(?P<tw>Bộ luật|Pháp lệnh|Hiến pháp|Luật|bộ luật|pháp lệnh|luật)(?=\s)"),
        "law_known": re.compile(rf"(?i)\s+(?P<name>{law_names})(?![\p{{L}}])"),
        "law_amending": re.compile(
            r"(?i)\s+(?P<name>sửa đổi,?\s+bổ sung\s+(?:một số điều\s+)?(?:của\s+)?(?:các\s+)?(?:Luật|Bộ luật|Pháp lệnh)\s+)"
        ),
        "law_year": re.compile(r"\s+(?:năm\s+)?(?P<yr>(?:19|20)\d{2})(?![\d/])"),
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


def find_references(text: str, offset: int = 0) -> list[Reference]:
    """All citations in `text` (one block); spans are shifted by `offset`."""
    p = _patterns()
    refs: list[Reference] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for ref in _standards(text, p):
        refs.append(ref)
        taken.append((ref.start, ref.end))
    for ref in _coded(text, p):
        if free(ref.start, ref.end):
            refs.append(ref)
            taken.append((ref.start, ref.end))
    for ref in (*_short_forms(text, p), *_anaphora(text, p)):
        if free(ref.start, ref.end):
            refs.append(ref)
            taken.append((ref.start, ref.end))
    # laws only yield to other kinds: the amended law nests inside an amending law's citation
    refs.extend(ref for ref in _laws(text, p) if free(ref.start, ref.end))

    refs.sort(key=lambda r: r.start)
    _share_enumerations(text, refs)
    _dates_before(text, refs, p)
    for ref in refs:
        ref.sentence = sentence_around(text, ref.start, ref.end)
        ref.start += offset
        ref.end += offset
    return refs


# --- coded citations ---------------------------------------------------------


def _coded(text: str, p) -> list[Reference]:
    out = []
    for m in CODE_RE.finditer(text):
        raw = trim_glued(m.group("code"))
        cstart, cend = m.start("code"), m.start("code") + len(raw)
        parts = parse_code(raw)
        if parts is None:
            continue
        w0 = max(0, cstart - 80)
        window = text[w0:cstart]
        so = p["so_before"].search(window)
        before_so = window[: so.start()] if so else window
        tw = p["type_before"].search(before_so)
        if tw is None and (parts.family == "legacy" or (so is None and not _bare_code_ok(parts))):
            continue  # 101-CP is a code only after a type word
        start = w0 + (tw.start("tw") if tw else so.start() if so else len(window))
        type_word = re.sub(r"\s+", " ", tw.group("tw")) if tw else None
        ref = Reference(
            start=start,
            end=cend,
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
        _set_type(ref, parts)
        _read_tail(text, ref, p)
        ref.surface = text[ref.start : ref.end]
        out.append(ref)
    return out


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
    m = p["date_after"].match(text, pos)
    if m:
        ref.issued_date = dates.match_date(m)
        ref.end = pos = m.end()
    m = p["issuer_start"].match(text, pos)
    if m:
        issuer, after = _issuer_phrase(text, m.end(), p)
        if issuer:
            ref.issuer = issuer
            pos = after
            if ref.issued_date is None:
                d = p["date_after"].match(text, pos)
                if d:
                    ref.issued_date = dates.match_date(d)
                    pos = d.end()
    if ref.issued_date is None:
        m = p["adopted"].match(text, pos)
        if m:
            ref.issued_date = dates.match_date(m)
            ref.issuer = ref.issuer or m.group("iss").strip()
            pos = m.end()
    ref.subject = _subject(text, pos, p)


def _issuer_phrase(text: str, pos: int, p) -> tuple[str | None, int]:
    """The body named after `của`: words up to a subject word, punctuation or another citation."""
    words: list[tuple[str, int]] = []  # (word, end offset)
    named_end = None
    i = pos
    while len(words) < _MAX_ISSUER_WORDS:
        m = p["word"].match(text, i)
        if not m:
            break
        wstart = m.start("w")
        w = m.group("w")
        if words and _starts_stop(text, wstart):
            # "Ban Chỉ đạo Trung ương về phát triển ..., ... và chuyển đổi số" is a name, not a subject
            if text.startswith("về phát triển", wstart) and words[0][0] in ("Ban", "Hội", "Tổ", "Ủy"):
                named_end = _named_field_end(text, wstart)
            break
        if not words and not (w[:1].isupper() or w.lower() in ("đồng", "đ/c")):
            return None, pos
        if words and w[:1].isupper() and (t := p["type_at"].match(text, wstart)):
            # the next citation starts ("của Chính phủ và Chương trình số ..."), unless a
            # short form belongs to the body's name ("Tổ Công tác Đề án 06 tỉnh")
            if not re.match(r"\s+\d", text[t.end() : t.end() + 3]):
                break
        if w == "và":
            nxt = p["word"].match(text, m.end())
            if nxt is None or p["type_at"].match(text, nxt.start("w")) or nxt.group("w")[:1].isdigit():
                break
        words.append((w, m.end()))
        i = m.end()
    while words and words[-1][0] in ("và", "của", "các"):
        words.pop()
    if not words:
        return None, pos
    end = named_end or words[-1][1]
    return text[pos:end].strip(), end


_FIELD_END = re.compile(r"\s+(?:về|của|theo|tại)\s|[;.()\n]")


def _named_field_end(text: str, pos: int, limit: int = 160) -> int:
    """End of the `về ...` part of a body's name: the next `về`/`của`, or punctuation other than commas."""
    m = _FIELD_END.search(text, pos + 3, min(len(text), pos + limit))
    return (m.start() if m else min(len(text), pos + limit))


def _starts_stop(text: str, pos: int) -> bool:
    head = text[pos : pos + 16]
    folded = head.lower()
    for stop in _ISSUER_STOPS:
        hay = folded if stop in _ANY_CASE_STOPS else head
        if hay.startswith(stop) and (len(hay) == len(stop) or not hay[len(stop)].isalpha()):
            return True
    return False


def _subject(text: str, pos: int, p) -> str | None:
    m = p["subject_start"].match(text, pos)
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
    for m in p["standard"].finditer(text):
        std = re.sub(r"\s+", " ", m.group("std"))
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
                code=re.sub(r"\s+", "", surface),
                issuer_code=m.group("iss"),
            )
        )
    return out


def _short_forms(text: str, p) -> list[Reference]:
    out = []
    for m in (*p["short"].finditer(text), *p["short_so"].finditer(text)):
        num = m.group("num")
        if not m.group("so") and len(num) == 4 and num[:2] in ("19", "20"):
            continue  # Kế hoạch 2025: a year, not a number
        if _TIME_UNITS.match(text, m.end()):
            continue  # Kế hoạch 5 năm
        tw = re.sub(r"\s+", " ", m.group("tw"))
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
    for m in p["glued_short"].finditer(text):
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
    for m in p["anaphora"].finditer(text):
        tw = re.sub(r"\s+", " ", m.group("tw"))
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


def _laws(text: str, p) -> list[Reference]:
    out = []
    for m in p["law"].finditer(text):
        tw = m.group("tw")
        pos = m.end()
        if re.match(r"\s+(?:số\s*)?\d", text[pos : pos + 12]):
            continue  # Luật số 01/2021/QH15: a coded citation
        kind = tw[0].upper() + tw[1:].lower()
        name, end = None, pos
        if kind != "Hiến pháp":
            amend = p["law_amending"].match(text, pos)
            inner_start = amend.end() if amend else pos
            known = p["law_known"].match(text, inner_start - (1 if amend else 0))
            if known:
                end = known.end()
            elif tw[0].isupper():
                end = _law_name_end(text, inner_start - (1 if amend else 0), p)
            else:
                continue  # lower-case "luật" only with a known name: "pháp luật", "luật pháp" are no laws
            if end <= inner_start:
                continue
            name = re.sub(r"\s+", " ", text[pos:end]).strip()
        year = None
        y = p["law_year"].match(text, end)
        if y and (kind == "Hiến pháp" or text[end : y.start("yr")].strip() == "năm"):
            year = int(y.group("yr"))
            end = y.end()
        if kind == "Hiến pháp" and year is None and tw != "Hiến pháp":
            continue
        ref = Reference(
            start=m.start(),
            end=end,
            surface=text[m.start() : end],
            doc_type=kind,
            cite_kind="law",
            type_word=tw,
            year=year,
            name=name,
        )
        _read_tail(text, ref, p)
        ref.surface = text[ref.start : ref.end]
        out.append(ref)
    return out


def _law_name_end(text: str, pos: int, p) -> int:
    """End of a law name not in the gazetteer: capitalized start, stop at punctuation and function words."""
    end = pos
    i = pos
    n = 0
    while n < 8:
        m = p["word"].match(text, i)
        if not m:
            break
        w = m.group("w")
        wstart = m.start("w")
        if n == 0 and not w[:1].isupper():
            return pos
        if n > 0 and (_starts_stop(text, wstart) or w[:1].isdigit() or w in ("của", "và các")):
            break
        if w == "và":
            nxt = p["word"].match(text, m.end())
            if nxt is None or not nxt.group("w")[:1].isupper():
                break
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


def _dates_before(text: str, refs: list[Reference], p) -> None:
    """`Ngày 15/9/2025, UBND tỉnh ban hành Kế hoạch số 055/KH-UBND`: the date belongs to the plan."""
    prev_end = 0
    for ref in refs:
        if ref.issued_date is None and ref.cite_kind == "code":
            window = text[max(prev_end, ref.start - 200) : ref.start]
            m = p["date_before"].search(window)
            if m and re.search(r"(?i)\b(?:ban hành|có|ký|thông qua|phê duyệt)\b", m.group("mid")):
                ref.issued_date = dates.match_date(m)
        prev_end = ref.end


# --- sentences ------------------------------------------------------------------

_SENT_BREAK = re.compile(r"[.!?…](?=\s+[\p{Lu}\d\-+•“\"(])")


def sentence_around(text: str, start: int, end: int, reach: int = 300) -> str:
    """The sentence containing [start, end), clipped to `reach` characters each side."""
    lo = max(0, start - reach)
    s = lo
    for m in _SENT_BREAK.finditer(text, lo, start):
        s = m.end()
    m = _SENT_BREAK.search(text, end, min(len(text), end + reach))
    e = m.end() if m else min(len(text), end + reach)
    return text[s:e].strip()


# --- the component ------------------------------------------------------------------


def find_in_document(doc: DocumentView, found: Mapping[str, Any]) -> list[Reference]:
    """Every citation of a document, block by block, with the relations its sentences state,
    resolved as far as the report itself tells (extractors.resolution)."""
    from extractors.relations import link
    from extractors.resolution import resolve_in_report

    refs: list[Reference] = []
    for block in searched_blocks(doc):
        here = find_references(block.text, offset=block.start)
        link(block.text, here, offset=block.start)
        for ref in here:
            ref.in_footnote = block.kind == "footnote"
            ref.page = block.page
            ref.in_force_date = _in_force(ref)
        refs.extend(here)
    resolve_in_report(refs, found.get("metadata"))
    return refs


def _in_force(ref: Reference):
    """`... có hiệu lực từ ngày 10/02/2025` right after the citation, in its sentence."""
    at = ref.sentence.find(ref.surface)
    return dates.in_force_after(ref.sentence, at + len(ref.surface)) if at >= 0 else None


COMPONENT = Component("references", find_in_document, reads=("metadata",))
