"""What each quantity of a block measures and what it is.

`describe(text, quantities, section_role)` fills, for the quantities one block
holds (in text order):

- `measure`: the noun phrase the number quantifies, as written. Vietnamese puts
  it before the number and a verb or an adverb between (`tổng thu ngân sách đạt
  trên 11,16 tỷ đồng`); a label ends with a colon (`Sản lượng lúa: 2.961 tấn`); a
  count names it after the number (`08 công trình xây dựng cơ bản`), unless the
  noun only counts (`Tổng đàn lợn 1.450 con`); a percentage may be of what
  follows (`93,5% số hộ dân ...`). A place name standing as the subject
  (`Chỉ số DTI cấp tỉnh, Trà Vinh đạt 0,6077 điểm`) is skipped for the phrase
  before it; nothing left (`, tăng 0,85%`, `(đạt 202,8% dự toán)`) means the
  measure of the quantity before.
- `role`: `target` for a plan or goal (`KH`, `kế hoạch`, `chỉ tiêu`, `phấn đấu`,
  `dự kiến`, or a plan section); `change` against another period (`tăng 105 con
  so với cùng kỳ`, `97,4% CK`); `result` for what was achieved, including a share
  of the plan (`đạt 91,3% KH`); `other` for the size of a structure (`dựa trên 07
  tiêu chí`) or an excess over the plan (`vượt 1,5 ha so với KH`).
- `compared_to`: what a change or a share is against (`cùng kỳ`, `năm 2021`, `kế hoạch`).
- `period`/`year`: the period its sentence states (`Năm 2018, ...`, `6 tháng đầu năm 2021`).
- `pair_id`: a result and the plan written with it (`ước tăng 7,2%/KH tăng 6-7%`).
- `indicator`: the tracked indicator its measure names (gazetteer/data/indicators.csv).

Everything is looked for inside the clause before the number and a few words
after it, so a block costs time linear in its length.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import regex as re

import gazetteer
from extractors.models import Quantity
from gazetteer.indicators import indicator_of

# the gap between a result and its plan: `/KH`, ` (KH: `, `, kế hoạch năm 2023 là `, `/KH tăng `
PAIR_CUE = re.compile(
    r"(?i)\s*[/(;,]?\s*[(]?\s*(?:so\s+với\s+)?(?:KH|kế\s+hoạch|chỉ\s+tiêu)(?:\s+(?:năm\s+)?\d{4})?\s*:?\s*"
    r"(?:là\s+|đề\s+ra\s+)?(?:(?:ước\s+)?(?:tăng|giảm)\s+)?(?:khoảng\s+|từ\s+)?"
)
# the gap between a plan and its result: `KH 380 tỷ đồng, ước thực hiện 410 tỷ đồng`
_RESULT_AFTER_PLAN = re.compile(r"(?i)\s*[,;(/]?\s*(?:ước\s+)?(?:thực\s+hiện|TH|đạt)\s*:?\s*")

_PERIOD = re.compile(
    r"(?i)(?<![\p{L}\d])(?:"
    r"(?:\d{1,2}|sáu|chín|ba)\s+tháng\s+(?:đầu\s+|cuối\s+)?năm\s+\d{4}"
    r"|quý\s+(?:[IV]+|\d)(?:\s*(?:/|năm)\s*\d{4})?"
    r"|tháng\s+\d{1,2}(?:\s*(?:/|năm)\s*\d{4})?"
    r"|(?:năm|giai\s+đoạn|niên\s+độ|niên\s+vụ)\s+\d{4}(?:\s*[-–]\s*\d{4})?"
    r"|vụ\s+(?:đông\s+xuân|hè\s+thu|xuân|mùa|đông)(?:\s+năm\s+\d{4})?"
    r")(?![\p{L}\d])"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
# a sentence ends at ; ! ? a line break, or a full stop that is no decimal point
_SENTENCE_END = re.compile(r"(?r)[;!?\n]|\.(?=\s|$)")  # not the dot of 7.2 or TP.HCM; (?r): the last one is wanted
_ABBR_PAREN = re.compile(r"\((\p{Lu}[\p{Lu}\d&\-]*)\)")
_PART_BREAK = re.compile(r"[,:()]|(?<!\bso)\s+với\s+")  # `82 hộ ... với diện tích gần 49,5 ha`: với opens the next phrase
_PUNCTUATION_BREAK = re.compile(r"[,:()]")  # _PART_BREAK in a lead without `với`

_TRAILING_CUE = re.compile(
    r"(?i)(?:^|[\s/(])(?:ước\s+đạt|ước\s+tính|ước\s+thực\s+hiện|ước|đạt\s+được|đạt|khoảng|trên|hơn|gần|dưới|là|bằng|chiếm|với|có|còn|"
    r"tăng\s+thêm|giảm\s+thêm|tăng|giảm|vượt|thêm|được|lên|xuống|từ|tới|đến|lần\s+lượt\s+là|lần\s+lượt|xếp\s+hạng|xếp|đứng|"
    r"hạng|vị\s+trí|thứ|(?:KH|kế\s+hoạch|chỉ\s+tiêu)(?:\s+(?:năm|tháng|quý))?|dự\s+kiến|đề\s+ra|đạt\s+tỷ\s+lệ|đã|hiện\s+đã|[=\-–+~≈])\s*$"
)
_LEADING_JUNK = re.compile(
    r"(?i)^\s*(?:[-+•*]+|\(\w{1,4}\)|\w{1,2}\)|\d+(?:\.\d+)*\.?(?=\s))?\s*"
    r"(?:(?:trong\s+đó|cụ\s+thể|ngoài\s+ra|riêng|tuy\s+nhiên|nhìn\s+chung|đến\s+nay|hiện\s+nay|hiện\s+đã|hiện|"
    r"toàn\s+(?:xã|huyện|tỉnh|thành\s+phố|ngành|quốc)|(?:(?:các\s+)?(?:tỉnh|thành\s+phố)\s+)?(?:trong\s+|trên\s+)?(?:cả\s+nước|toàn\s+quốc)|và|với|còn|có|đã|thì|chiếm|đạt|là|đánh\s+giá|"
    r"dự\s+kiến|phấn\s+đấu|mục\s+tiêu|ước\s+tính|ước)(?![\p{L}])\s*,?\s*)*"
)
_NOT_MEASURE_WORDS = re.compile(r"(?i)(?<![\p{L}])(?:đến\s+nay|hiện\s+nay|hiện\s+đã)(?![\p{L}])")
# `(?r)`: the patterns that end at `$` and only say whether they match search from the end, where a
# forward search would try every position of the lead first
_CHANGE_VERB = re.compile(r"(?ri)(?:^|\s)(?:ước\s+)?(?:tăng|giảm|vượt|hụt|giảm\s+thêm|tăng\s+thêm)(?:\s+(?:thêm|khoảng|trên|hơn|gần))?\s*$")
_STRONG_TARGET = re.compile(r"(?i)(?<![\p{L}])(?:phấn\s+đấu|mục\s+tiêu|dự\s+kiến|định\s+hướng|dự\s+toán\s+giao|chỉ\s+tiêu\s+giao)(?![\p{L}])")
_PLAN_WORD = re.compile(r"(?i)(?<![\p{L}])(?:KH|kế\s+hoạch|dự\s+toán)(?![\p{L}])")
_WEAK_TARGET = re.compile(r"(?i)(?<![\p{L}])(?:KH|kế\s+hoạch|chỉ\s+tiêu|dự\s+toán)(?![\p{L}])")
_RESULT_VERB = re.compile(r"(?i)(?<![\p{L}])(?:đạt|thực\s+hiện|ước|TH|hoàn\s+thành|được|có)(?![\p{L}])")
# the size of a frame the report measures against (`dựa trên 07 tiêu chí`, `Ở 3 trụ cột chính`), not a result
_STRUCTURE_BEFORE = re.compile(r"(?ri)(?:(?<![\p{L}])(?:dựa\s+trên|trên\s+cơ\s+sở|căn\s+cứ(?:\s+vào)?)|^\W*ở)\s*$")
_STRUCTURE_ENDS = ("trên", "sở", "cứ", "vào", "ở")  # what _STRUCTURE_BEFORE ends with
# what follows a number and says what it is a share or a change of
_FOLLOW = re.compile(
    r"(?i)^\s*(?:"
    r"(?P<plan>(?:so\s+với\s+)?(?:kế\s+hoạch|KH|chỉ\s+tiêu|dự\s+toán|nghị\s+quyết|mục\s+tiêu)(?:\s+[\p{L}\d]+){0,4}?)(?=\s*(?:[,;.()]|\s+và\s|$))"
    r"|(?P<ck>(?:so\s+với\s+)?(?:cùng\s+kỳ|cùng\s+kì|CK)(?:\s+năm(?:\s+(?:trước|\d{4}))?)?)(?![\p{L}])"
    r"|so\s+với\s+(?P<other>[^,;.()\n]{1,40}?)(?=\s*(?:[,;.()\n]|\s+và\s|$))"
    r")"
)
_FOLLOW_STARTS = ("so", "kế", "kh", "chỉ", "dự", "nghị", "mục", "cùng", "ck")  # what _FOLLOW's cues start with
_PLANNED = re.compile(r"(?i)^(?:so\s+với\s+)?(?:kế\s+hoạch|KH|chỉ\s+tiêu|dự\s+toán|nghị\s+quyết|mục\s+tiêu)")
_PERIOD_WORDS = re.compile(r"(?i)^(?:cùng\s+kỳ|cùng\s+kì|năm|tháng|quý|kỳ|đầu\s+năm|\d+\s+tháng|giai\s+đoạn|vụ)")


_OPENS_VALUE = re.compile(r"\s*[(:]\s*")
_NUMBER_OF = re.compile(r"^(?:tổng\s+)?(?:số\s+(?:lượng\s+)?)?")
_LETTER = re.compile(r"\p{L}")
_SAME_PERIOD = re.compile(r"(?i)^(?:cùng\s+kì|CK)")
_APPROXIMATELY = re.compile(r"(?i)(?:\s+(?:khoảng|trên|hơn|gần|dưới|xấp\s+xỉ))+\s*$")
_SO_VOI = re.compile(r"(?i)^so\s+với\s+")
_CLAUSE_END = re.compile(r"[,;.()\n]")
_COMPARING = re.compile(r"(?ri)(?:so\s+với|cùng\s+kỳ|cùng\s+kì)\s*$")


def lower_like_patterns(text: str) -> str:
    """Lower case as `(?i)` patterns compare letters (`İ` and `ſ` match `i` and `s`): a word of a pattern
    found nowhere in this (`in`, `endswith`: fast) is nowhere in the text, and its pattern needs no scan."""
    return text.lower().replace("\u0307", "").replace("ſ", "s")


def describe(text: str, quantities: Sequence[Quantity], section_role: str | None = None) -> None:
    """Fill measure, role, compared_to, period, year, pair_id and indicator (spans are block offsets)."""
    prev: Quantity | None = None
    prev_plan = False  # the previous quantity was a share of a plan whose value may follow in brackets
    lead_from = 0  # where the next lead may start: after the previous quantity and what it consumed after itself
    for i, q in enumerate(quantities):
        sentence_start = _sentence_start(text, q.start, max(0, q.start - 300))
        lead_start = max(sentence_start, lead_from)
        lead = text[lead_start : q.start]
        nxt = quantities[i + 1].start if i + 1 < len(quantities) else len(text)
        follow = text[q.end : min(nxt, q.end + 80)]
        q.measure = q.measure or _measure(q, lead, prev, follow)
        consumed = _assign_role(q, lead, follow, section_role)
        if prev_plan and _OPENS_VALUE.fullmatch(lead):  # `bằng 81,2% kế hoạch năm (2.990 tỷ đồng)`: the plan's value
            q.role = "target"
        prev_plan = consumed > 0 and q.compared_to is not None and bool(_PLANNED.match(q.compared_to))
        q.period, q.year = _period(text, q, sentence_start, follow)
        if prev is not None:
            _pair(text, prev, q, lead_from)
        q.indicator = indicator_of(q.measure) or indicator_of(q.subject)
        lead_from = q.end + consumed  # the next lead starts after this quantity's own cue
        prev = q


def _sentence_start(text: str, pos: int, floor: int) -> int:
    last = _SENTENCE_END.search(text, floor, pos)  # a sentence end is one character: the last is the nearest
    return last.end() if last else floor


# --- measure ------------------------------------------------------------------------------------


_RANKED_ON = re.compile(r"(?i)^\s*(?:về|trong|ở)\s+(?P<what>[^,;.()\n]{2,80}?)(?=\s*(?:[,;.()\n]|$))")


def _measure(q: Quantity, lead: str, prev: Quantity | None, follow: str = "") -> str | None:
    if q.kind == "rank" and (ranked := _RANKED_ON.match(follow)):  # `xếp thứ 25/63 về chỉ số PCI`: what is ranked
        return _clean(ranked.group("what")) or None
    phrase, labelled = _lead_phrase(lead)
    inherited = prev.measure if prev is not None else None
    if q.kind == "percent" and q.subject:
        return q.subject  # 93,5% số hộ dân ...: a share of what follows
    if q.kind in ("count", "ratio") and q.subject and not labelled and _names_what(q) and not _names_unit(phrase, q):
        return q.subject
    return phrase or inherited or q.subject


def _names_unit(phrase: str | None, q: Quantity) -> bool:
    """The phrase before already names what is counted (`Số thuê bao truy nhập Internet đạt 24,74 triệu thuê bao`)."""
    head = (q.unit or "").split("/")[0]
    if not (phrase and head):
        return False
    rest = _NUMBER_OF.sub("", gazetteer.fold(phrase), count=1)
    head = gazetteer.fold(head)
    return rest.startswith(head) and not rest[len(head) : len(head) + 1].isalpha()


def _names_what(q: Quantity) -> bool:
    """The counted phrase says what is counted: not a bare classifier (`1.095 con`) or unit (`40/38ha`).

    A classifier with its noun (`03 đợt kiểm tra`) does.
    """
    head = (q.unit or "").split("/")[0]
    if head in gazetteer.units():
        return False
    return head not in gazetteer.classifiers() or len((q.subject or "").split()) > len(head.split())


def _lead_phrase(lead: str) -> tuple[str | None, bool]:
    """(the measure phrase the clause before the number holds, whether it is a label ending with a colon)."""
    masked = _ABBR_PAREN.sub(lambda m: "⟨" + m.group(1) + "⟩", lead) if "(" in lead else lead  # (DTI) belongs to its phrase
    parts, a = [], 0
    # without `với` only punctuation breaks, and a pattern of punctuation alone scans several times faster
    for m in (_PART_BREAK if "với" in masked else _PUNCTUATION_BREAK).finditer(masked):
        parts.append((lead[a : m.start()], m.group(0).strip() or ","))
        a = m.end()
    parts.append((lead[a:], ""))
    cleaned: dict[int, str] = {}  # parts are cleaned only when looked at, from the last

    def part(i: int) -> str:
        if i not in cleaned:
            cleaned[i] = _clean(parts[i][0])
        return cleaned[i]

    for k in range(len(parts) - 1, -1, -1):
        phrase, brk = part(k), parts[k][1]
        if not phrase:
            continue
        labelled = brk == ":" and all(not part(j) for j in range(k + 1, len(parts)))
        if _is_proper_name(phrase) and not labelled:  # the subject of the clause, a place: the measure is named before it
            earlier = next((part(j) for j in range(k - 1, -1, -1) if part(j) and not _is_proper_name(part(j))), None)
            return earlier, False
        if k and len(phrase.split()) <= 2 and parts[k - 1][1] == "," and len(part(k - 1).split()) >= 2:
            # `Tổng đàn trâu, bò`, `Kim ngạch xuất khẩu phần cứng, điện tử`: one phrase of nouns in a row
            return f"{part(k - 1)}, {phrase}", False
        return phrase, labelled
    return None, False


_BASE = re.compile(r"(?i)\s+so\s+với\s+.*$")
# whose it is comes after what: `Chỉ số DTI của tỉnh`, `thu ngân sách của huyện Sơn Hà`
_OWNER = re.compile(r"(?i)\s+của\s+(?:toàn\s+)?(?:tỉnh|huyện|xã|phường|thành\s+phố|thị\s+xã|đơn\s+vị|ngành|địa\s+phương)(?:\s+\p{Lu}[\p{L}\-]*){0,3}\s*$")  # `Tỷ lệ người tập luyện ... so với dân số 42%`: the base is no measure


@lru_cache(maxsize=4096)  # a pure function of its text, asked the same phrases again and again (half its calls)
def _clean(part: str) -> str:
    part = _OWNER.sub("", _BASE.sub("", _NOT_MEASURE_WORDS.sub(" ", part)))
    while True:
        stripped = _strip_change_verb(_TRAILING_CUE.sub("", part))
        stripped = _strip_period(stripped)
        stripped = _LEADING_JUNK.sub("", stripped)
        if stripped == part:
            break
        part = stripped
    part = " ".join(part.split()).strip(" -–:;,.=+/")
    return part if _LETTER.search(part) else ""


# tone marks only (grave, acute, hook, tilde, dot below): tằng and tăng, giám and giảm read alike
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_TONELESS = {
    ord(ch): unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", ch) if c not in _TONES))
    for ch in "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
}
_CHANGE_WORDS = frozenset({"tăng", "giam"})


def toneless(text: str) -> str:
    """Lower case without tone marks: a typo in a tone (`tằng 0,85%`) still reads as the verb."""
    return text.lower().translate(_TONELESS)


def _strip_change_verb(part: str) -> str:
    words = part.rstrip().rsplit(None, 1)
    if words and toneless(words[-1]) in _CHANGE_WORDS:
        return words[0] if len(words) == 2 else ""
    return part


def _is_change(tail: str) -> bool:
    if lower_like_patterns(tail.rstrip()).endswith(_CHANGE_VERB_ENDS) and _CHANGE_VERB.search(tail):
        return True
    last = tail.rsplit(None, 1)[-1:]  # the last word, if any
    return bool(last) and toneless(last[0]) in _CHANGE_WORDS


_CHANGE_VERB_ENDS = ("tăng", "giảm", "vượt", "hụt", "thêm", "khoảng", "trên", "hơn", "gần")  # what _CHANGE_VERB ends with


def _strip_period(part: str) -> str:
    for m in _PERIOD.finditer(part):
        if not part[: m.start()].strip() or not part[m.end() :].strip(" ,"):
            part = part[: m.start()] + part[m.end() :]
    return part


def _is_proper_name(phrase: str) -> bool:
    """`Trà Vinh`, `TP.HCM và Quảng Ninh`: capitalised words (not an abbreviation like TTCN - XD)."""
    if phrase[:1].islower() and not phrase.startswith("và"):
        return False  # a first word in lower case (most phrases): no need to look at the others
    words = [w for w in phrase.replace(",", " ").split() if w != "và"]
    return len(words) >= 2 and all(w[:1].isupper() for w in words) and any(c.islower() for c in phrase)


# --- role ---------------------------------------------------------------------------------------


def _assign_role(q: Quantity, lead: str, follow: str, section_role: str | None) -> int:
    """Set role and compared_to; return how many characters after the quantity its cue took (`KH`, `so với cùng kỳ`)."""
    consumed = 0
    role = None
    m = _FOLLOW.match(follow) if lower_like_patterns(follow.lstrip()).startswith(_FOLLOW_STARTS) else None
    tail = _tail(lead)
    low = lower_like_patterns(lead)
    if m is not None:
        consumed = m.end()
        if m.group("plan"):
            q.compared_to = _compared(m.group("plan"))
            role = "result" if q.kind == "percent" or not _is_change(tail) else "other"
        elif m.group("ck"):
            q.compared_to = _SAME_PERIOD.sub("cùng kỳ", _compared(m.group("ck")))
            role = "change"
        else:
            other = _compared(m.group("other"))
            q.compared_to = other
            if _PLANNED.match(other):
                role = "result" if q.kind == "percent" or not _is_change(tail) else "other"
            elif _PERIOD_WORDS.match(other):
                role = "change"
    if _holds_any(low, _STRONG_TARGET_WORDS) and _STRONG_TARGET.search(lead):
        role = "target"
    elif role is None:
        plan, scope = _plan_word(lead, low)
        if plan is not None and not _RESULT_VERB.search(scope, plan.end()):
            role = "target"
        elif _is_change(tail):
            role = "change"
        elif lower_like_patterns(lead.rstrip()).endswith(_STRUCTURE_ENDS) and _STRUCTURE_BEFORE.search(lead):
            role = "other"
        else:
            role = "result"
    if section_role == "target" and role != "other":
        role = "target"
    q.role = role
    return consumed


# a word every match of a pattern holds (lower_like_patterns): a lead holding none needs no scan (most hold none)
_STRONG_TARGET_WORDS = ("phấn", "mục", "dự", "định", "chỉ")
_PLAN_WORDS = ("kh", "kế", "tiêu", "toán")  # of _WEAK_TARGET and _PLAN_WORD


def _holds_any(low: str, words: tuple[str, ...]) -> bool:
    """Whether the lower-cased text holds one of the words (`in` is ten times faster than a scan)."""
    for word in words:
        if word in low:
            return True
    return False


def _plan_word(lead: str, low: str) -> tuple[re.Match | None, str]:
    """The last plan word before the number and the text it stands in, where a result verb after it makes it no target.

    A plan word anywhere before (`Kế hoạch năm 2025: tổng vốn ... 1.200 tỷ`); `chỉ tiêu`, also
    a plain indicator (`Một số chỉ tiêu năm 2021: ...`), only in the number's own clause.
    """
    if not _holds_any(low, _PLAN_WORDS):
        return None, lead
    clause = _last_clause(lead)
    in_clause = list(_WEAK_TARGET.finditer(clause))
    if in_clause:
        return in_clause[-1], clause
    in_lead = list(_PLAN_WORD.finditer(lead))
    return (in_lead[-1] if in_lead else None), lead


def _last_clause(lead: str) -> str:
    """The lead after its last `:` or `,`, unless nothing but cues stands there (`Kế hoạch năm 2023: 500 tỷ`)."""
    cut = max(lead.rfind(":"), lead.rfind(","))
    rest = lead[cut + 1 :]
    return rest if cut < 0 or _clean(rest) else lead


def _tail(lead: str) -> str:
    """The words right before the number, without approximations (`tăng khoảng`, `đạt trên`)."""
    lead = lead.rstrip()
    if not lower_like_patterns(lead).endswith(_APPROXIMATE_WORDS):  # nothing to take off (most leads): no scan
        return lead
    return _APPROXIMATELY.sub("", lead)


_APPROXIMATE_WORDS = ("khoảng", "trên", "hơn", "gần", "dưới", "xỉ")  # what _APPROXIMATELY ends with


def _compared(text: str) -> str:
    text = " ".join(text.split())
    text = _SO_VOI.sub("", text)
    if text.upper() == "CK":
        return "cùng kỳ"
    if text.upper() == "KH":
        return "kế hoạch"
    return text


# --- period and pairs ---------------------------------------------------------------------------


def _period(text: str, q: Quantity, sentence_start: int, follow: str) -> tuple[str | None, int | None]:
    """The period the sentence states for the quantity: the nearest before it, else one right after it."""
    before = _periods_in(text, sentence_start, q.start)
    found = before[-1].group(0) if before else None
    if found is None:
        clause = _CLAUSE_END.split(follow, maxsplit=1)[0]
        after = _periods_in(clause, 0, len(clause))
        found = after[0].group(0) if after else None
    if found is None:
        return None, None
    found = " ".join(found.split())
    years = _YEAR.findall(found)
    return found, int(years[-1]) if years else None


def _periods_in(text: str, start: int, end: int) -> list[re.Match]:
    """The periods text[start:end] states, but not those it compares to (`so với năm 2021`)."""
    if not _holds_any(lower_like_patterns(text[start:end]), _PERIOD_WORDS_IN):  # most clauses name none: no slow scan
        return []
    return [m for m in _PERIOD.finditer(text, start, end) if not _compares(text, m.start())]


_PERIOD_WORDS_IN = ("tháng", "quý", "năm", "đoạn", "độ", "vụ")  # a word every match of _PERIOD holds (lower_like_patterns)
_BARE_PERIOD = re.compile(r"(?i)(?<![\d.,/])(?:\d{1,2}\s+tháng(?:\s+(?:đầu|cuối)\s+năm)?(?:\s+\d{4})?|(?:19|20)\d\d)(?![\d.,/])")


def period_of(text: str) -> tuple[str | None, int | None]:
    """The period a table header or a label names: `Kế hoạch năm 2023`, `Ước TH 6 tháng`, `Sơ bộ 2021` -> 2021."""
    m = _PERIOD.search(text) or _BARE_PERIOD.search(text)
    if m is None:
        return None, None
    found = " ".join(m.group(0).split())
    years = _YEAR.findall(found)
    return found, int(years[-1]) if years else None


def _compares(text: str, pos: int) -> bool:
    """The period stands in a comparison (`so với năm 2021`, `cùng kỳ năm 2020`): it is compared_to, not the period."""
    return bool(_COMPARING.search(text, max(0, pos - 16), pos))


def _pair(text: str, prev: Quantity, q: Quantity, after_prev: int) -> None:
    """A result and its plan written together share a pair_id: the result's start.

    `after_prev`: where the text after the previous quantity's own cue starts
    (`tăng 12,5% so với cùng kỳ (KH tăng 8-9%)`: the plan is of the 12,5%).
    """
    if prev.kind in ("rank",) or q.kind in ("rank",):
        return
    if PAIR_CUE.fullmatch(text, prev.end, q.start) or PAIR_CUE.fullmatch(text, after_prev, q.start):
        result, target = prev, q
    elif prev.role == "target" and _RESULT_AFTER_PLAN.fullmatch(text, prev.end, q.start):
        result, target = q, prev
    else:
        return
    if result.role != "change" or result.compared_to is None:  # a growth against a stated period stays a change
        result.role = "result"
    target.role = "target"
    target.compared_to = None
    result.pair_id = target.pair_id = result.start
    if not target.measure:
        target.measure = result.measure
