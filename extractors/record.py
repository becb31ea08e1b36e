"""The document's own record, read from its format.

Decree 30/2020/NĐ-CP (appendix I) lays a state document out so: the issuing
body under its direct superior, in capitals, on the left (`UBND TỈNH HẢI
DƯƠNG` / `SỞ KHOA HỌC VÀ CÔNG NGHỆ`); the national motto and tagline on the
right; `Số: 215/KH-UBND` under the body (blank number while a draft:
`Số: /BC-SKHCN`); the place and date under the tagline (`Hải Phòng, ngày 12
tháng 3 năm 2024`); the type name in capitals with the abstract under it
(`KẾ HOẠCH` / `Thực hiện Nghị quyết ...`; a letter has no type name, its
abstract stands under its number after `V/v`); the body; the signer's
authority, title and name (`KT. CHỦ TỊCH` / `PHÓ CHỦ TỊCH` / name) beside
`Nơi nhận:` and its list. Party documents (Guidance 36-HD/VPTW) put `ĐẢNG
CỘNG SẢN VIỆT NAM` where the motto stands and write `Số 12-KH/TU`.

Text taken from PDFs and web pages keeps the content of that layout but not
its shape: a column's lines wrap anywhere, the two columns interleave line by
line (or word by word when a row is read across), pipes and rules stand in
between. So the letterhead is read as a stream of pieces. The motto and the
tagline are found as whole phrases spread over the pieces (the fewest runs
of words, runs that start and end on piece boundaries preferred) and taken
out. What remains is sorted by what a piece can only be (capitals: the
issuing body; `Số`: the number; a date or capitalised place words: the place
and date; `V/v`: a letter's abstract) and each kind is joined in order, so any
wrapping and any interleaving of the two columns gives the same record.

`read_record(lines)` takes the document's lines in order (running headers,
footers and footnotes left out) and reads only what the format puts there: a
field the record does not state stays None.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import regex as re

import gazetteer
from extractors.codes import clean_code, parse_code, trim_glued, type_of
from extractors.dates import DATED_RE, make_date, match_date

HEAD_PIECES = 80  # the letterhead, the type and the abstract stand well within these
HEAD_CHARS = 5000


@dataclass(slots=True)
class Record:
    letterhead: bool = False  # a letterhead (body, number or place and date) was found
    party: bool = False  # the party motto stands in it
    issuer: str | None = None  # the letterhead's bodies as written, superior first, one space apart
    own_code: str | None = None  # `215/KH-UBND`; None when the number is blank or absent
    code_type: str | None = None  # the type the code implies, blank number or not (`/BC-SKHCN` -> Báo cáo)
    place: str | None = None
    issued_date: dt.date | None = None
    doc_type: str | None = None  # from the type name, else from the code, else a letter's `V/v`; `Bài viết` for news
    abstract: str | None = None
    headline: str | None = None  # a web page's title line, where the text has no type name
    attached_to: str | None = None  # `Quyết định số 59/QĐ-UBND ...` that an attached regulation came with
    signer_title: str | None = None
    signer_name: str | None = None
    recipients: list[str] = field(default_factory=list)


def read_record(lines: list[str]) -> Record:
    rec = Record()
    pieces = _pieces(lines)
    after = _read_letterhead(pieces, rec)
    _read_type_and_abstract(pieces[after:], rec)
    if not rec.letterhead and rec.doc_type is None:
        _read_web_page(pieces, rec)
    if rec.issued_date is None and rec.attached_to:
        dated = DATED_RE.search(rec.attached_to)  # a regulation is dated by the decision it came with
        rec.issued_date = match_date(dated) if dated else None
    if rec.doc_type is None:
        rec.doc_type = rec.code_type or ("Công văn" if rec.abstract and rec.letterhead else None)
    _read_signature(lines, rec)
    return rec


# --- pieces -------------------------------------------------------------------

# a rule drawn with characters, pipes and tabs of a copied table: where pieces part
_SPLIT = re.compile(r"\s*(?:[|\t]+|[_\-—–=~*]{3,}|(?<!\S)\*(?!\S))\s*")  # a lone `*` rules a party letterhead
_RULE = re.compile(r"^[\s_\-—–=~*•·.]*$")
# the Official Gazette's running line and section titles stand among the letterhead's lines
_GAZETTE = re.compile(
    r"(?:\d+\s+)?CÔNG\s*BÁO\s*/\s*Số\s*[\d\s+]+/\s*Ngày\s*\d{1,2}\s*-\s*\d{1,2}\s*-\s*\d{4}(?:\s+\d+\b)?"
    r"|^\s*(?:VĂN\s+BẢN\s+(?:QUY\s+PHẠM\s+)?PHÁP\s+LUẬT(?:\s+KHÁC)?|VĂN\s+BẢN\s+HỢP\s+NHẤT\s*-)(?=\s+\p{Lu})"
)
# the digital-signature stamp printed over a downloaded PDF
_STAMP = re.compile(r"Người\s+ký:.*?Thời\s+gian\s+ký:\s*[\d.:\s+-]*")


def _clean(line: str) -> str:
    # every line of a document is cleaned: the words each pattern needs are looked for first
    if "CÔNG" in line or "VĂN" in line:
        line = _GAZETTE.sub(" ", line)
    return _STAMP.sub(" ", line) if "Người" in line else line


@dataclass(slots=True)
class _Piece:
    text: str
    rule: bool = False  # a rule line (____, ---, *): the abstract ends there


def _pieces(lines: list[str]) -> list[_Piece]:
    out: list[_Piece] = []
    size = 0
    for line in lines:
        line = _clean(line)
        last = 0
        for m in [*_SPLIT.finditer(line), None]:
            text = line[last : m.start() if m else len(line)].strip()
            if text and not _junk(text):
                out.append(_Piece(" ".join(text.split()), _RULE.match(text) is not None))
            if m is not None:
                if re.search(r"[_\-—–=~*]{3,}|\*", m.group(0)):
                    out.append(_Piece("", rule=True))
                last = m.end()
        size += len(line)
        if len(out) >= HEAD_PIECES or size >= HEAD_CHARS:
            break
    return out


def _junk(text: str) -> bool:
    """A scrap of a watermark or a page edge between the letterhead's lines (`-N`, `/0`, `8:`).

    A short word or number stays: a narrow column may wrap `năm` or `15` onto a line of its own.
    """
    if _RULE.match(text):
        return text.strip() != "*" and len(text.strip()) < 3
    return len(text) <= 3 and not re.fullmatch(r"(?:\p{L}+[,.;]?|\d+[,.]?|Số:|V/v)(?:\s+\S+)*", text)


# --- the letterhead -------------------------------------------------------------

_MOTTO = ("cộng", "hòa", "xã", "hội", "chủ", "nghĩa", "việt", "nam")
_TAGLINE = ("độc", "lập", "tự", "do", "hạnh", "phúc")
_PARTY_MOTTO = ("đảng", "cộng", "sản", "việt", "nam")

_STOP = re.compile(
    r"^(?:Căn\s+cứ|Kính\s+gửi|Xét\s+đề\s+nghị|Theo\s+đề\s+nghị|Điều\s+\d|Chương\s+[IVXLC\d]|CHƯƠNG\s|Phần\s+thứ|PHẦN\s"
    r"|Nơi\s+nhận|[IVXLC]+\.\s|\d+(?:\.\d+)*\.\s)"
)
_SO = re.compile(r"(?<![\p{L}/])Số\s*(?::\s*|(?=[\d/])|$)")
# a code as printed, spaces the source left around its slashes and hyphens included (`7 /2021/TT-BNV`)
_CODE_TOKEN = re.compile(r"(?:\d[\p{L}\d&.]*)?(?:\s*[/\-]\s*[\p{L}\d&.]+)+|\d[\p{L}\d&.]*")
_CAP = r"(?!Số\b)\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"  # a place's word; `Số` opens the number beside it
_PLACE = rf"(?:(?:Thành\s+phố|Thị\s+xã|Thị\s+trấn|TP\.|Tp\.|TP)\s*)?{_CAP}(?:\s+{_CAP}){{0,4}}"
_DAY = r"ngày\s*(?:(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>(?:19|20)\d{2})|(?P<d2>\d{1,2})?[\s.…_]*tháng\s*(?P<m2>\d{1,2})?[\s.…_]*năm\s*(?P<y2>(?:19|20)\d{2}))"
_PLACE_DATE = re.compile(rf"(?:(?P<place>{_PLACE})\s*,?\s*)?{_DAY}")
_PLACE_START = re.compile(rf"(?<![\p{{L}}\d/]){_PLACE}\s*,\s*ngày\b")
# a piece of the place-and-date line wrapped away from the rest: `Sóc Trăng, ngày` / `27 tháng 09 năm 2022`, `Bình`
_BLANK = r"[.…_]+\s*"
_DATE_PIECE = re.compile(
    rf"(?:(?P<place>{_PLACE})\s*,?\s*)?(?P<date>(?:ngày\s*)?(?:\d{{1,2}}\s*)?(?:{_BLANK})?(?:tháng\s*(?:\d{{1,2}}\s*)?(?:{_BLANK})?)?(?:năm\s*)?(?:(?:19|20)\d{{2}})?)\.?"
)
_DATE_START = re.compile(rf"^(?:{_PLACE}(?![\p{{L}}])|ngày\b)")
_VV = re.compile(r"(?<![\p{L}/])(?:V/v|V/V|V⁄v)\b\.?\s*")


def _read_letterhead(pieces: list[_Piece], rec: Record) -> int:
    """Read the letterhead into `rec`; the index of the first piece after it."""
    end = 0
    while end < len(pieces) and not (_STOP.match(pieces[end].text) or _type_at(pieces[end].text) or _prose(pieces[end].text)):
        end += 1
    kept, motto, rec.party = _take_out_mottos(pieces[:end])
    streams: dict[str, list[str]] = {"issuer": [], "number": [], "place_date": [], "vv": []}
    for index, text in kept:
        for part in _components(text):
            kind = _kind(part, streams)
            if kind == "end" or (kind is None and not motto):
                return _finish(rec, streams, index, motto)
            if kind is not None:  # else a scrap inside a letterhead the motto proves
                streams[kind].append(part)
    return _finish(rec, streams, end, motto)


def _prose(text: str) -> bool:
    """A paragraph of running text: the body has begun."""
    if len(text) < 200:
        return False
    letters = [c for c in text if c.isalpha()]
    return sum(c.islower() for c in letters) > 0.6 * len(letters)


def _kind(part: str, streams: dict[str, list[str]]) -> str | None:
    """Which stream a piece of the letterhead joins; `end`: the letterhead is over; None: not the letterhead's.

    The left column reads body, number, `V/v`; the right one motto, tagline,
    place and date. So capitals after the number are the line naming who
    decides, below the letterhead.
    """
    number = " ".join(streams["number"])
    if _SO.match(part):
        return "number"
    if re.fullmatch(r"Số\s*:?", number.strip()) and _CODE_TOKEN.fullmatch(part):
        return "number"  # `Số:` / `21/2022/NQ-HĐND` wrapped apart
    if _VV.match(part):
        return "vv"
    if not _complete_date(streams["place_date"]) and _place_date_piece(part):
        if streams["place_date"] or _DATE_START.match(part):  # `27 tháng 9` only goes on a line begun before
            return "place_date"
    if _upper(part):
        return "end" if number else "issuer"
    if streams["vv"]:
        return "vv"
    return None


def _upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _place_date_piece(text: str) -> bool:
    """All of `text` is place-and-date material: a place, a date, or a wrapped piece of them."""
    m = _DATE_PIECE.fullmatch(text)
    if m is None or _upper(text):
        return False
    return bool(m.group("place")) or bool(re.search(r"\d|ngày|tháng|năm", m.group("date")))


def _complete_date(place_date: list[str]) -> bool:
    m = _PLACE_DATE.search(" ".join(place_date))
    return m is not None and (m.group("y") or m.group("y2")) is not None


def _components(text: str) -> list[str]:
    """A piece cut where a second component begins inside it: `Số: 12/KH-UBND Hải Phòng, ngày ...`."""
    cuts = {0, len(text)}
    for m in _SO.finditer(text):
        cuts.add(m.start())
        code = _CODE_TOKEN.match(text, m.end())
        if code:
            cuts.add(code.end())
    for m in _PLACE_START.finditer(text):
        cuts.add(m.start())
    for m in _VV.finditer(text):
        cuts.add(m.start())
    lead = re.match(r"(?:[^\s\p{Ll}\d]*\p{Lu}[^\s\p{Ll}]*\s+)+(?=\S*[\p{Ll}\d])", text)
    if lead and _upper(lead.group(0)):
        cuts.add(lead.end())  # a row read across: the body's capitals, then the right half's `2015` or `Hà`
    bounds = sorted(cuts)
    parts = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return [p for p in parts if p]


def _finish(rec: Record, streams: dict[str, list[str]], after: int, motto: bool) -> int:
    if not (motto or streams["number"] or _complete_date(streams["place_date"]) or _names_a_body(streams["issuer"])):
        return 0  # capitals alone (`LĨNH VỰC KINH TẾ.`) are a heading, not a letterhead
    if streams["issuer"]:
        rec.issuer = _issuer_text(streams["issuer"])
    if streams["number"]:
        _read_number(" ".join(streams["number"]), rec)
    if streams["place_date"]:
        _read_place_date(" ".join(streams["place_date"]), rec)
    if streams["vv"]:
        rec.abstract = _VV.sub("", " ".join(streams["vv"]), count=1).strip(" .;") or None
    rec.letterhead = bool(rec.issuer or streams["number"] or rec.issued_date or rec.place)
    return after if rec.letterhead else 0


def _issuer_text(lines: list[str]) -> str | None:
    """The bodies as written; a name printed twice (the Gazette's section title, then the letterhead) once."""
    words = " ".join(lines).replace("*", " ").split()
    text = " ".join(words).strip(" .,;:-ˆ`'\"")
    half = len(words) // 2
    if len(words) % 2 == 0 and words[:half] == words[half:]:
        text = " ".join(words[:half])
    return text or None


def _names_a_body(lines: list[str]) -> bool:
    from extractors.agencies import find_agencies

    return bool(lines) and bool(find_agencies(" ".join(lines)))


def _read_number(text: str, rec: Record) -> None:
    m = _SO.search(text)
    rest = text[m.end() :] if m else text
    code = _CODE_TOKEN.match(rest.strip())
    if not code:
        return
    written = trim_glued(clean_code(code.group(0))).strip(".,;:")
    if not written:
        return
    blank = not written[0].isdigit()
    parts = parse_code(("1" + written) if blank else written)
    rec.code_type = type_of(parts) if parts else None
    rec.own_code = None if blank else written


def _read_place_date(text: str, rec: Record) -> None:
    m = _PLACE_DATE.search(text)
    if not m:
        return
    if m.group("place"):
        rec.place = " ".join(m.group("place").split())
    if m.group("y"):
        rec.issued_date = make_date(int(m.group("d")), int(m.group("m")), int(m.group("y")))
    elif m.group("d2") and m.group("m2"):
        rec.issued_date = make_date(int(m.group("d2")), int(m.group("m2")), int(m.group("y2")))


# --- the motto and the tagline, spread over pieces ----------------------------

_WORD = re.compile(r"\S+")


def _take_out_mottos(region: list[_Piece]) -> tuple[list[tuple[int, str]], bool, bool]:
    """The region's pieces without the motto and the tagline, as (index, text); whether a motto stood there; whether the party's."""
    words = [(i, m) for i, piece in enumerate(region) if not piece.rule for m in _WORD.finditer(piece.text)]
    keys = [_word_key(m.group(0)) for _, m in words]
    exact = [re.sub(r"[^\p{L}]", "", gazetteer.fold(m.group(0))) for _, m in words]
    starts = {n for n in range(len(words)) if n == 0 or words[n - 1][0] != words[n][0]}
    lasts = {n for n in range(len(words)) if n == len(words) - 1 or words[n + 1][0] != words[n][0]}
    party = False
    removed = _phrase(keys, exact, _MOTTO, starts, lasts)
    if removed is None:
        removed = _phrase(keys, exact, _PARTY_MOTTO, starts, lasts)
        party = removed is not None
    removed = removed or set()
    tagline = _phrase([k if n not in removed else "" for n, k in enumerate(keys)], exact, _TAGLINE, starts, lasts)
    removed |= tagline or set()
    kept: list[tuple[int, str]] = []
    run: list[str] = []
    for n, (i, m) in enumerate(words):
        gone = n in removed or (not keys[n] and _next_to(n, removed, words))
        if not gone:
            run.append(m.group(0))
        if run and (gone or n in lasts):
            kept.append((i, " ".join(run)))
            run = []
    return kept, bool(removed), party


def _next_to(n: int, removed: set[int], words: list) -> bool:
    """A dash beside a removed word in its piece (`Độc lập - Tự do`) goes with it."""
    same = [k for k in (n - 1, n + 1) if 0 <= k < len(words) and words[k][0] == words[n][0]]
    return any(k in removed for k in same)


def _word_key(word: str) -> str:
    """The word as the phrases are matched: its bare letters ('' for a dash).

    Without tone marks and hats, OCR's `CỌNG HOÀ XÃ HỌI` still reads as the motto.
    """
    return skeleton(re.sub(r"[^\p{L}]", "", word))


def skeleton(text: str) -> str:
    """Lower case without any diacritic (`Đ` -> `d`): how OCR'd capitals are still recognised."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _phrase(keys: list[str], exact: list[str], phrase: tuple[str, ...], starts: set[int], lasts: set[int]) -> set[int] | None:
    """Word indexes spelling `phrase` in order with the fewest runs, runs on piece boundaries preferred.

    A run is a stretch of consecutive words (dashes skipped). Each run costs 2;
    a run starting inside a piece costs 1 more, one ending inside a piece 2 more:
    the motto wrapped over lines sits on line boundaries, and a row read across
    ends with its right half (`ĐẢNG BỘ TỈNH X ĐẢNG` / `CỘNG SẢN VIỆT NAM`); a
    body's word that happens to read `XÃ` does not. Words match by their bare letters (OCR drops marks); a word spelt
    otherwise than the phrase costs 4 (`CÔNG NGHỆ` is not `CỘNG HÒA`).
    """
    want = [skeleton(w) for w in phrase]
    spelt = [gazetteer.fold(w) for w in phrase]
    sig = [n for n, k in enumerate(keys) if k]  # words with letters, in order
    position = {n: p for p, n in enumerate(sig)}

    def start_cost(n: int) -> int:
        return 2 + (0 if n in starts else 1)

    def end_cost(n: int) -> int:
        return 0 if n in lasts else 2  # a row read across puts the right column's half last

    def word_cost(n: int, k: int) -> int:
        return 0 if exact[n] == spelt[k] else 4  # dearer than a break: `CÔNG` beside a true `CỘNG` is not it

    # (cost, words skipped between the phrase's words, path): of equal costs the closer-knit wins
    best: dict[int, tuple[int, int, tuple[int, ...]]] = {}
    for n in sig:
        if keys[n] == want[0]:
            best[n] = (start_cost(n) + word_cost(n, 0), 0, (n,))
    for k in range(1, len(want)):
        nxt: dict[int, tuple[int, int, tuple[int, ...]]] = {}
        for n in sig:
            if keys[n] != want[k]:
                continue
            options = []
            for prev, (cost, gaps, path) in best.items():
                if prev >= n:
                    continue
                gap = position[n] - position[prev] - 1
                step = word_cost(n, k) + (end_cost(prev) + start_cost(n) if gap else 0)
                options.append((cost + step, gaps + gap, path + (n,)))
            if options:
                nxt[n] = min(options)
        best = nxt
        if not best:
            return None
    *_, path = min((c + end_cost(n), g, p) for n, (c, g, p) in best.items())
    return set(path)


# --- type name and abstract -----------------------------------------------------

_QUALIFIER = re.compile(r"^\s*(?:LIÊN\s+NGÀNH|LIÊN\s+TỊCH)\b")
_ABSTRACT_STOP = re.compile(
    r"^(?:Căn\s+cứ|Kính\s+gửi|Xét\s+đề\s+nghị|Theo\s+đề\s+nghị|Điều\s+\d|Chương\s+[IVXLC\d]|CHƯƠNG\s|Phần\s+thứ|PHẦN\s"
    r"|Nơi\s+nhận|[IVXLC]+\.\s|\d+(?:\.\d+)*\.\s|Trên\s+cơ\s+sở\b|LỜI\s+(?:NÓI|MỞ)\s+ĐẦU)"
)
_ATTACHED = re.compile(r"^\(\s*(?:Ban\s+hành\b|kèm\s+theo\b)", re.IGNORECASE)
_PERIOD_NOTE = re.compile(r"^\((?=[^)]{0,80}\)?$)[^)]*(?:ngày|tháng|năm|quý|Quý)")
_BODY_CUT = re.compile(r"\s(?=(?:Căn\s+cứ|Kính\s+gửi)\s)")
# the line naming who decides, between the abstract and the preamble
# the titles of those who decide and sign (`PHÓ` before any of them)
_TITLES = (
    r"CHỦ\s+TỊCH|GIÁM\s+ĐỐC|TỔNG\s+GIÁM\s+ĐỐC|BỘ\s+TRƯỞNG|THỨ\s+TRƯỞNG|THỦ\s+TƯỚNG|TỔNG\s+BÍ\s+THƯ|BÍ\s+THƯ|TRƯỞNG\s+BAN"
    r"|CHÁNH\s+VĂN\s+PHÒNG|TỔNG\s+CỤC\s+TRƯỞNG|CHI\s+CỤC\s+TRƯỞNG|CỤC\s+TRƯỞNG|VỤ\s+TRƯỞNG|TRƯỞNG\s+PHÒNG|CHÁNH\s+THANH\s+TRA"
    r"|VIỆN\s+TRƯỞNG|HIỆU\s+TRƯỞNG|THỦ\s+TRƯỞNG|CHỦ\s+NHIỆM|TRƯỞNG\s+ĐOÀN|TỔ\s+TRƯỞNG|CHÁNH\s+ÁN|TỔNG\s+KIỂM\s+TOÁN|THỐNG\s+ĐỐC"
)
_SESSION = re.compile(r"^(?:\s*[,.]?\s*(?:KHÓA|KHOÁ|KỲ\s+HỌP)\b.*)?$")
_JOINERS = {"của", "và", "với", "cho", "tại", "giữa", "thuộc", "về", "đối", "trong", "các"}


def _read_type_and_abstract(pieces: list[_Piece], rec: Record) -> None:
    i = next((n for n, p in enumerate(pieces) if not p.rule), None)
    found = _type_at(pieces[i].text) if i is not None else None
    if not found:
        return
    rec.doc_type, end = found
    first = pieces[i].text[end:]
    qualifier = _QUALIFIER.match(first)
    parts = [first[qualifier.end() if qualifier else 0 :].strip(" :")]
    for n in range(i + 1, min(i + 8, len(pieces))):
        piece = pieces[n]
        if piece.rule:
            if any(parts):
                break
            continue
        if _ATTACHED.match(piece.text):
            rec.attached_to = _attached(pieces, n)
            break
        text = piece.text
        if len(text) <= 2 and not re.search(r"\p{Lu}", text):
            continue  # a scrap of a watermark (`ế`, `56`) between the abstract's lines
        body = _BODY_CUT.search(text)
        if body:
            text = text[: body.start()]
        if not _abstract_goes_on(text, any(parts)):
            break
        if any(parts) and _upper(text) and not _upper(" ".join(parts)):
            break  # capitals under a plain abstract: the line naming who decides
        parts.append(text)
        if body:
            break
        if sum(len(p) for p in parts) > 500:
            break
    abstract = " ".join(" ".join(parts).split())
    cut = _BODY_CUT.search(abstract)
    if cut:
        abstract = abstract[: cut.start()]
    at = _authority(abstract)
    if at:
        abstract = abstract[:at]
    again = _type_at(abstract)
    if again and again[0] == rec.doc_type and abstract[again[1] :].strip():
        abstract = abstract[again[1] :]  # `THÔNG TƯ` / `THÔNG TƯ QUY ĐỊNH ...`
    rec.abstract = abstract.strip(" .;:") or rec.abstract


def _abstract_goes_on(text: str, started: bool) -> bool:
    """Whether a line after the type name still belongs to the abstract."""
    if text.startswith("Thực hiện"):  # a plan's abstract may open so; the body's first paragraph too
        return not started and len(text) < 250 and not text.endswith(":")
    if text.startswith("("):
        return bool(_PERIOD_NOTE.match(text))  # `(Từ ngày 15/6 đến ngày 14/7/2025)`, not `(Phục vụ ...)`
    if _ABSTRACT_STOP.match(text) or _PLACE_DATE.match(text) or (started and _prose(text)) or text.endswith(":"):
        return False
    if re.fullmatch(r"[\d/.\-\s:]+", text):
        return False  # the date a web page was posted
    return _authority(text) != 0


def _attached(pieces: list[_Piece], start: int) -> str:
    """`Quyết định số 59/QĐ-UBND ngày 22 tháng 7 năm 2021 của ...`, the parenthesis wrapped over pieces."""
    text = ""
    for piece in pieces[start : start + 6]:
        text = f"{text} {piece.text}".strip()
        if ")" in piece.text:
            break
    m = re.match(r"\(\s*(?:Ban\s+hành\s+)?kèm\s+theo\s+(?P<doc>[^)]*)", text, re.IGNORECASE)
    return " ".join(m.group("doc").split()) if m else text


def _authority(text: str) -> int | None:
    """Where the line naming the deciding body starts in a stretch of capitals, if it ends the stretch.

    `... TỈNH KIÊN GIANG CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG`: the decision's
    authority, not its abstract. A body after `CỦA`, `VÀ`, ... belongs to the abstract.
    """
    from extractors.agencies import find_agencies

    if not _upper(text):
        return None
    for agency in find_agencies(text):
        start = agency.start
        title = re.search(rf"(?:{_TITLES})\s+$", text[:start])
        if title:
            start = title.start()
        if not _SESSION.match(text[agency.end :]):
            continue
        before = text[:start].split()
        if before and gazetteer.fold(before[-1]).strip(",") in _JOINERS | {""}:
            continue
        if before and before[-1].endswith(","):
            continue
        return start
    return None


@cache
def _type_names() -> tuple[tuple[str, str], ...]:
    """(skeleton of the name, canonical type), longest first: `THÔNG TƯ LIÊN TỊCH` before `THÔNG TƯ`.

    Skeletons, so that OCR's `QUYÉT ĐỊNH` is still a decision.
    """
    names = {(skeleton(t), t) for t in gazetteer.doc_types()}
    return tuple(sorted(names, key=lambda nt: -len(nt[0])))


def _type_at(text: str) -> tuple[str, int] | None:
    """(canonical type, end) of a type name in capitals opening `text`: `KẾ HOẠCH`, `QUYẾT ĐỊNH` (not `QUYẾT ĐỊNH:`)."""
    stripped = text.lstrip(" :.-")
    offset = len(text) - len(stripped)
    folded = skeleton(stripped)
    if len(folded) != len(stripped):
        return None
    for name, canonical in _type_names():
        if not folded.startswith(name):
            continue
        end = len(name)
        if end < len(folded) and (folded[end].isalpha() or folded[end].isdigit()):
            continue
        written = stripped[:end]
        if written != written.upper():
            continue
        if stripped[end:].lstrip().startswith(":"):
            return None  # `QUYẾT ĐỊNH:` opens the operative part
        return canonical, offset + end
    return None


# --- a web page: a news item, or a document reproduced under a lead -------------

# a news lead opens with its dateline: `Ngày 15/12/2021, ...`, `Sáng qua 27.12, ...`, `CTTĐT - Ngày 6/8, ...`
_DATELINE = re.compile(
    r"^(?:\p{Lu}{2,}[\p{Lu}\s&]*\s[-–]\s*)?(?:(?:Sáng|Chiều|Tối|Trưa|Đêm)(?:\s+(?:qua|nay|ngày|hôm\s+qua))?\s*|[Nn]gày\s+)"
    r"\(?(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>(?:19|20)\d{2}))?\)?\s*,"
)
_POSTED = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?\s+\d{1,2}/\d{1,2}/\d{4}$|^\d{1,2}/\d{1,2}/\d{4}(?:\s+\d{1,2}:\d{2})?$")
_VERB = r"(?:đã|vừa)\s+(?:ký\s+)?ban\s+hành"


def _read_web_page(pieces: list[_Piece], rec: Record) -> None:
    """A page without letterhead or type name: its headline; a news item (`Bài viết`), or the document a lead announces.

    `Ban Thường vụ Tỉnh ủy Yên Bái đã ban hành Chỉ thị số 17 về ...` followed by
    `Nội dung Chỉ thị như sau:` reproduces that directive: the page's record is
    its record (type, number, issuer, subject; its date only when the lead gives a year).
    """
    texts = [p.text for p in pieces if not p.rule][:4]
    if not texts:
        return
    lead_at = next((n for n, t in enumerate(texts[:3]) if _DATELINE.match(t) or (n and _POSTED.match(texts[n - 1]))), None)
    first = texts[0]
    if lead_at != 0 and len(first) < 250 and not first.endswith((".", ":")) and not _STOP.match(first):
        rec.headline = first.strip(" ;") or None
    if lead_at is None:
        return
    lead = texts[lead_at]
    if _reproduced(lead, texts[lead_at + 1 : lead_at + 3], rec):
        return
    rec.doc_type = "Bài viết"


@cache
def _announced() -> re.Pattern:
    """`<body> đã ban hành <Type> số <N> về ...` in a lead."""
    types = "|".join(re.escape(t) for t in sorted(gazetteer.doc_types(), key=len, reverse=True))
    return re.compile(rf"(?P<by>.{{0,120}}?)\s+{_VERB}\s+(?P<type>{types})\s+số\s+(?P<code>[\w/\-&.]+?)[,.;]?\s+(?P<about>(?:về|V/v)\b[^.]*)")


def _reproduced(lead: str, following: list[str], rec: Record) -> bool:
    m = _announced().search(lead)
    if not m:
        return False
    says = rf"^(?:Nội\s+dung|Toàn\s+văn)\s+(?:của\s+)?{re.escape(m.group('type'))}\b.*(?:như\s+sau|:)\s*$"
    if not any(re.match(says, t, re.IGNORECASE) for t in following):
        return False
    rec.doc_type = m.group("type")
    rec.own_code = clean_code(m.group("code")).strip(".,;:") or None
    rec.abstract = " ".join(m.group("about").split()).strip(" .;")
    rec.issuer = _DATELINE.sub("", m.group("by")).strip(" ,") or None
    dated = _DATELINE.match(lead)
    if dated and dated.group("y"):
        rec.issued_date = make_date(int(dated.group("d")), int(dated.group("m")), int(dated.group("y")))
    return True


# --- signature and recipients ----------------------------------------------------

_RECIPIENTS = re.compile(r"^\s*Nơi\s+nhận\s*:\s*", re.IGNORECASE)
_AUTHORITY = re.compile(r"^(?:TM\.|T/M|T\.M|KT\.|K/T|TL\.|T/L|TUQ\.|Q\.|Q/)\s*\p{Lu}")
_SIGNER_TITLE = re.compile(rf"^(?:(?:PHÓ|Q\.)\s+)?(?:{_TITLES}|THƯỜNG\s+TRỰC)(?![\p{{L}}])[\p{{Lu}}\s,.\-]*$")
_SIGNED_NOTE = re.compile(r"\[\s*(?:daky|đã ký|chữ ký)\s*\]|[\[(]\s*(?:[Đđ]ã\s+ký|[Kk]ý(?:\s+tên|,?\s+ghi\s+rõ|,?\s+đóng\s+dấu)[^)\]]*|[Cc]hữ\s+ký[^)\]]*)\s*[\])]|(?<![\p{L}])[Đđ]ã\s+ký\b")
_ITEM = re.compile(r"^[-+•–]\s*")
_CELLS = re.compile(r"[|\t]+")  # a table row's cells: signature and recipients sit side by side


def _read_signature(lines: list[str], rec: Record) -> None:
    """The signer's title and name and the recipients, around the first `Nơi nhận:`, else after the first authority line.

    The two sit side by side (recipients left, signature right), so their lines
    interleave in extracted text and a row read across joins a recipient with
    a title or the name (`- Như trên; PHÓ CHỦ TỊCH`).
    """
    flat = [p for line in lines for p in (x.strip() for x in _CELLS.split(_clean(line))) if p]
    at = next((n for n, t in enumerate(flat) if _RECIPIENTS.match(t)), None)
    if at is not None:
        window = flat[max(0, at - 8) : at + 40]
    else:
        at = next((n for n, t in enumerate(flat) if n > 3 and _AUTHORITY.match(t)), None)
        if at is None:
            return
        window = flat[at : at + 12]
    titles: list[str] = []
    name: str | None = None
    listing = False
    open_item = False  # the last recipient's line had no `;` or `.` yet: it wraps onto the next
    for line in window:
        head = _RECIPIENTS.match(line)
        if head:
            listing = True
            line = line[head.end() :]
        for text in _items(line) if listing else [line]:
            if listing and _ITEM.match(text):
                raw = _ITEM.sub("", text, count=1)
                item, text = _split_item(raw)
                open_item = not text and not raw.rstrip().endswith((";", "."))
                if item and not re.match(r"(?i)lưu\b", item) and not re.search(r"\.{4,}|…{2,}", item):
                    rec.recipients.append(item)
                else:
                    open_item = False
            elif open_item and rec.recipients and not any(_signature_line(text)):
                more, rest = _split_item(text)  # the rest of an item wrapped over lines, perhaps the name beside it
                rec.recipients[-1] = f"{rec.recipients[-1]} {more}".strip(" ;.")
                open_item = not rest and not text.rstrip().endswith((";", "."))
                text = rest
            title, signed = _signature_line(text)
            if title and name is None:
                titles.append(title)
            if signed and titles and name is None:
                name = signed
    if titles:
        rec.signer_title = _title_lines(" ".join(titles))
        rec.signer_name = name


_OWN_TITLE = re.compile(rf"(?<![\p{{L}}.])(?:PHÓ\s+)?(?:{_TITLES})(?![\p{{L}}])")
_MARKER = re.compile(r"(?<![\p{L}])(?:TM\.|T/M|KT\.|K/T|TL\.|T/L|TUQ\.|Q\.)\s*")


def _title_lines(text: str) -> str:
    """The signature's title as its lines: `KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC`, however the lines were joined or wrapped.

    Each authority (`TM.`, `KT.`, `TL.`, ...) opens a line; the last title named opens the signer's own.
    """
    text = " ".join(text.split())
    markers = list(_MARKER.finditer(text))
    cuts = [m.start() for m in markers]
    titles = [m.start() for m in _OWN_TITLE.finditer(text)]
    if titles:
        own = titles[-1]
        opening = max((m.end() for m in markers if m.start() < own), default=0)
        if own > opening:  # `KT. BỘ TRƯỞNG` alone is one line
            cuts.append(own)
    bounds = sorted({0, *cuts, len(text)})
    lines = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return " / ".join(line for line in lines if line)


def _items(line: str) -> list[str]:
    """The recipients a line holds: a copied table cell may hold them all (`- A; - B; - Lưu: VT.`)."""
    parts = re.split(r"(?<=[;.])\s+(?=[-+•–]\s)", line.strip())
    return [p for p in parts if p]


def _signature_line(text: str) -> tuple[str | None, str | None]:
    """(title, name) a line of the signature holds: `KT. CHỦ TỊCH`, `PHÓ GIÁM ĐỐC Nguyễn Văn A`, `(Đã ký) Trần B`."""
    text = " ".join(re.sub(r"[\[\]]", " ", _SIGNED_NOTE.sub(" ", text)).split())
    if not text:
        return None, None
    m = re.fullmatch(r"(?P<title>[\p{Lu}\d.,/&\-]+(?:\s+[\p{Lu}\d.,/&\-]+)*)?\s*(?P<name>\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}*){1,5})?", text)
    if m is None:
        return None, None
    title = m.group("title")
    if title and not (_AUTHORITY.match(title) or _SIGNER_TITLE.match(title)):
        return None, None
    return title, m.group("name")


def _split_item(text: str) -> tuple[str, str]:
    """`Như trên; PHÓ CHỦ TỊCH`: a recipient, and the signature's line read across the same row."""
    for end in re.finditer(r"[;.](?=\s+\S)", text):
        rest = text[end.end() :].strip()
        if any(_signature_line(rest)):
            return text[: end.start()].strip(" ;."), rest
    return text.strip(" ;."), ""
