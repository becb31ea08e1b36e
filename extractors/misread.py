"""The likeliest reading of a document code that OCR misread.

OCR confuses letters that look alike: `QD` for `QĐ`, `BGDDT` for `BGDĐT`,
`NQ-GP` for `NQ-CP`, `OH14` for `QH14`, `TỤ` for `TU`, `ÑQ` for `NQ`, `BCP`
for `BCĐ`, a letter read twice (`QĐĐ`) or a speck read as a thin mark. The code grammar says
which part of a code is its type and which its issuer, and the gazetteer
lists the types and issuers there are: a part the gazetteer does not know is
read as the known part it is closest to, where closeness counts only the
confusions OCR makes (`confusion_cost`), when that part is clearly closer than
any other. A part nothing is close to stays as read.

Only ever applied to text that came from OCR (blocks with `ocr`): in a
born-digital document `NQ-GP` is what the source printed, and the audit says
so. Every reading that changes a code is recorded on the citation
(`repair_reason` `ocr_confusion`).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex as re

import gazetteer
from extractors.models import CodeParts

# pairs of characters OCR takes for each other in the capitals and digits codes are
# written in, with what the mistake costs (a plain substitution is not allowed at all)
_CONFUSIONS = {
    ("D", "Đ"): 0.2, ("P", "Đ"): 0.8,  # a serif Đ's bar and bowl read as P: BCĐ as BCP
    ("O", "Q"): 0.4, ("O", "0"): 0.3, ("0", "Đ"): 0.6, ("0", "D"): 0.5, ("Q", "0"): 0.5, ("O", "D"): 0.6, ("O", "C"): 0.6,
    ("C", "G"): 0.4, ("C", "E"): 0.6,
    ("P", "B"): 0.5, ("P", "R"): 0.5, ("P", "F"): 0.5, ("B", "8"): 0.4, ("B", "E"): 0.6, ("B", "R"): 0.6,
    ("E", "F"): 0.5, ("H", "N"): 0.6, ("H", "K"): 0.6, ("M", "N"): 0.6, ("N", "W"): 0.7,
    ("I", "1"): 0.3, ("I", "T"): 0.5, ("I", "L"): 0.5, ("T", "Y"): 0.6, ("T", "1"): 0.6,
    ("V", "Y"): 0.5, ("U", "V"): 0.5, ("S", "5"): 0.4, ("Z", "2"): 0.4, ("G", "6"): 0.4,
    ("g", "q"): 0.4, ("g", "9"): 0.4, ("r", "t"): 0.6, ("i", "l"): 0.4,
}
_SUBSTITUTE = {**_CONFUSIONS, **{(b, a): c for (a, b), c in _CONFUSIONS.items()}}
_THIN = frozenset("I1l|i'.,-")  # a speck is read as these, and these are lost in a speck
MAX_COST = 1.0  # for a short part; a longer one may hold more misread letters (max_cost)
MARGIN = 0.3  # the best reading must beat the next by this much


# one letter read as two glyphs: a B's bowls apart (`I3GD` for `BGD`), a Đ read as its bowl and again
_SPLIT = {("I", "3", "B"): 0.6, ("l", "3", "B"): 0.6, ("1", "3", "B"): 0.6, ("P", "Đ", "Đ"): 0.6, ("D", "Đ", "Đ"): 0.5,
          ("Đ", "D", "Đ"): 0.5, ("r", "n", "m"): 0.6, ("c", "l", "d"): 0.6}


def confusion_cost(read: str, known: str) -> float:
    """The cost of taking `read` (as OCR gave it) for `known`: substitutions only between look-alikes,
    a thin mark or a letter read twice cheap to drop, a letter split in two glyphs (_SPLIT), any other
    letter dropped or added too dear."""
    m = len(known)
    before = None  # the row two characters back, for the splits
    prev = [0.0] * (m + 1)
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + _gap(known[j - 1])
    for i in range(1, len(read) + 1):
        a = read[i - 1]
        drop = 0.5 if i > 1 and read[i - 2] == a else _gap(a)  # a letter read twice costs less
        cur = [prev[0] + drop] + [0.0] * m
        for j in range(1, m + 1):
            b = known[j - 1]
            sub = 0.0 if a == b else _SUBSTITUTE.get((a, b), 9.0)
            cur[j] = min(prev[j - 1] + sub, prev[j] + drop, cur[j - 1] + _gap(b))
            if before is not None and (read[i - 2], a, b) in _SPLIT:
                cur[j] = min(cur[j], before[j - 1] + _SPLIT[(read[i - 2], a, b)])
        before, prev = prev, cur
    return prev[m]


def _gap(ch: str) -> float:
    """Dropping or adding a character: cheap for a thin mark, beyond MAX_COST for a letter (a code
    with a letter more or less is another code, not a misreading)."""
    return 0.5 if ch in _THIN else 1.5


def plain_capitals(part: str) -> str:
    """Codes are written in capitals without diacritics but Đ: `TỤ` -> `TU`, `ÑQ` -> `NQ`, `Ð` -> `Đ`."""
    out = []
    for ch in part:
        if ch in "ĐđÐ":
            out.append("Đ" if ch != "đ" else "đ")
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base if ch.isupper() or ch.isdigit() else ch)
    return "".join(out)


_TERM = re.compile(r"(?P<body>\p{Lu}+)(?P<term>\d{1,2})")
_TERM_BODIES = ("QH", "UBTVQH", "HĐND", "HĐNN")


@lru_cache(maxsize=4096)
def likeliest(part: str, slot: str) -> str | None:
    """The known type (`slot` "type") or issuer (`slot` "issuer") that an unknown part was misread from; None when none is clearly it."""
    part = plain_capitals(part)
    if slot == "issuer":
        m = _TERM.fullmatch(part)
        if m:  # QH14 read as OH14: the body before the term number
            body = _best(m.group("body"), _TERM_BODIES)
            return body + m.group("term") if body else None
        vocabulary = tuple(gazetteer.issuer_codes())
    else:
        vocabulary = tuple(gazetteer.type_codes())
    if part in vocabulary:
        return part
    return _best(part, vocabulary)


def max_cost(known: str) -> float:
    """How much misreading a part of this length may hold: MAX_COST, a quarter per letter beyond four."""
    return max(MAX_COST, 0.25 * len(known))


def _best(part: str, vocabulary: tuple[str, ...]) -> str | None:
    scored = sorted((confusion_cost(part, known), known) for known in vocabulary if abs(len(known) - len(part)) <= 2)
    if not scored or scored[0][0] > max_cost(scored[0][1]):
        return None
    if len(scored) > 1 and scored[1][0] - scored[0][0] < MARGIN:
        return None
    return scored[0][1]


def reread(parts: CodeParts, parse) -> CodeParts | None:
    """The code as the likeliest reading of its parts; None when it reads as it stands.

    `parse` is extractors.codes.parse_code (passed in: codes.py calls this module). Read twice:
    a misread type makes a code parse as a letter (`1195/Q0-I3GDĐĐT`: issuer Q0), and only once
    the type reads `QĐ` does the grammar say that `I3GDĐĐT` is the issuer.
    """
    current = parts
    for _ in range(2):
        fixed = _reread_once(current, parse)
        if fixed is None:
            break
        current = fixed
    return current if current.code != parts.code else None


def _reread_once(parts: CodeParts, parse) -> CodeParts | None:
    code = plain_capitals(parts.code)
    for slot, seg in _segments(parts):
        if seg is None:
            continue
        fixed = likeliest(seg, slot)
        if fixed is None and slot == "issuer" and parts.type_code is None and parts.system == "state":
            fixed = likeliest(seg, "type")  # 1625/QĐĐ-BKHCN: a misread type makes the code look like a letter
        if fixed is not None and fixed != seg:
            code = _replace_part(code, plain_capitals(seg), fixed)
    if parts.type_code and parts.type_code in gazetteer.type_codes():
        code = _canonical_type_in(code, parts)
    if code == parts.code:
        return None
    fixed_parts = parse(code)
    return fixed_parts if fixed_parts is not None and fixed_parts.code != parts.code else None


def _segments(parts: CodeParts) -> list[tuple[str, str | None]]:
    """The parts the gazetteer can judge, as written in the code: its type, its issuer."""
    written_type = None
    if parts.type_code is not None:
        body = parts.code.split("/")
        if parts.system == "party":
            written_type = parts.code.split("-", 1)[1].split("/", 1)[0] if "-" in parts.code else None
        else:
            written_type = body[-1].split("-", 1)[0] if len(body) > 1 else None
    elif parts.system == "party" and "-" in parts.code:
        written_type = parts.code.split("-", 1)[1].split("/", 1)[0]
    issuer = parts.issuer_code
    return [("type", written_type), ("issuer", issuer)]


def _replace_part(code: str, old: str, new: str) -> str:
    """`old` replaced where it stands as a whole part (between the code's separators)."""
    return re.sub(rf"(?<=^|[/\-]){re.escape(old)}(?=$|[/\-])", new, code, count=1)


def _canonical_type_in(code: str, parts: CodeParts) -> str:
    """`QD` -> `QĐ`: a type the grammar knows only by its Đ-less spelling, written as it is printed."""
    for slot, seg in _segments(parts):
        if slot == "type" and seg and seg != parts.type_code and plain_capitals(seg) != parts.type_code:
            return _replace_part(code, plain_capitals(seg), parts.type_code)
    return code
