"""How citations in a sentence relate to each other and to the report.

Reports chain documents in one breath: "Kế hoạch số 198/KH-UBND ... về việc
triển khai thực hiện Nghị quyết số 03/NQ-CP ... của Chính phủ và Chương trình
số 93-CTr/TU ... của Ban Thường vụ Tỉnh ủy thực hiện Nghị quyết số 57-NQ/TW".
For every citation we find its head (the citation whose trích yếu it stands
in) and the relation the connecting words state:

    triển khai, thực hiện, cụ thể hóa, hướng dẫn thi hành  -> implements
    sửa đổi, bổ sung, thay thế, bãi bỏ                   -> amends
    căn cứ, theo (quy định tại)                           -> based_on

A citation coordinated with the previous one ("A của X và B") shares A's head
and relation. A citation with no head relates to the report itself: it
implements what a clause opens with "Thực hiện ..." and is based on what
follows "Căn cứ"/"theo"; otherwise the report merely mentions it.
"""
from __future__ import annotations

from bisect import bisect_right

import regex as re

from extractors.models import Reference

_VERBS = [
    ("amends", r"sửa đổi,?\s+bổ sung|sửa đổi|bổ sung|thay thế|bãi bỏ|điều chỉnh"),
    ("implements", r"triển khai(?:\s+thực hiện)?|thực hiện|cụ thể hóa|cụ thể hoá|hướng dẫn(?:\s+thi hành|\s+thực hiện)?"),
]
_VERB_RE = re.compile(
    "|".join(f"(?P<{name}>(?<![\\p{{L}}]){alt}(?![\\p{{L}}]))" for name, alt in _VERBS), re.IGNORECASE
)
# "theo", "căn cứ" tie a citation to what stands right before it, never across words
_BASED_ON = re.compile(r"(?i)(?<![\p{L}])(?<!tiếp\s)(?:căn cứ(?:\s+vào)?|theo(?:\s+quy định tại)?|tại)\s*$")
# what may stand between two coordinated citations: the first one's issuer, then "và" or a comma
_COORDINATED = re.compile(r"\s*(?:(?:của|do)\s+[^,;.:()]{1,80}?)?\s*(?:,\s*và|,|và|cùng)\s*")
_REACH = 60  # a verb must stand this close before the citation it governs
# a new block starts a clause too, after its bullet (`- Thực hiện ...`)
_BULLET = r"(?:\s*[-+•]\s*)?"
_CLAUSE_BREAK = re.compile(rf"(?:[.;:!?]\s+|\n){_BULLET}")
_TEXT_START = re.compile(_BULLET)  # the text's start opens a clause too


def link(text: str, refs: list[Reference], offset: int = 0) -> None:
    """Set `relation` and `head_start` on the citations of one block (spans shifted by `offset`).

    Linear in the block: clause starts are found once, and only the trích yếu spans still
    open at a citation (a few hundred characters each) are searched for its head.
    """
    refs = sorted(refs, key=lambda r: r.start)
    clause_starts = _clause_starts(text)
    open_spans: list[tuple[int, int, int]] = []  # (index of the citation, start, end) of subjects not yet passed
    heads: list[Reference | None] = []
    for i, ref in enumerate(refs):
        b = ref.start - offset
        head, relation = None, None
        prev = refs[i - 1] if i else None
        open_spans = [s for s in open_spans if s[2] > b]
        if prev is not None and prev.cite_kind != "standard" and _COORDINATED.fullmatch(text[prev.end - offset : b]):
            head, relation = heads[i - 1], prev.relation  # "A của X và B": B stands where A stands
        else:
            for j, lo, hi in reversed(open_spans):  # the nearest earlier citation whose trích yếu holds this one
                if lo <= b < hi:
                    relation = _relation_before(text[lo:b])
                    if relation is not None and refs[j].code != ref.code:
                        head = refs[j]
                    break
        if head is None and relation is None:
            relation = _report_relation(text, b, clause_starts)
        ref.relation = relation or "mentions"
        ref.head_start = head.start if head is not None else None
        heads.append(head)
        lo, hi = _subject_span(text, ref, offset)
        if hi > lo:
            open_spans.append((i, lo, hi))


def _clause_starts(text: str) -> list[int]:
    """Where clauses start: the text's start and each break, after a bullet.

    What `(?:^|break)bullet` finds left to right: `^` matches only at the start, so the breaks
    are searched on their own, from where the start's match ends (at the start itself when it
    is empty: a break may begin there). With `^` among the alternatives the regex module tried
    every position in turn, three times slower.
    """
    first = _TEXT_START.match(text).end()
    return [first, *(m.end() for m in _CLAUSE_BREAK.finditer(text, first))]


def _subject_span(text: str, ref: Reference, offset: int) -> tuple[int, int]:
    if not ref.subject:
        return (0, 0)
    # the subject follows the citation closely (an issuer at most between): look only there
    end = ref.end - offset
    at = text.find(ref.subject, end, end + 400 + len(ref.subject))
    return (at, at + len(ref.subject)) if at >= 0 else (0, 0)


def _relation_before(words: str) -> str | None:
    """The relation the words just before a citation state (None: they state none)."""
    if _BASED_ON.search(words):
        return "based_on"
    last = None
    for m in _VERB_RE.finditer(words[-_REACH:]):
        last = m
    return last.lastgroup if last else None


def _report_relation(text: str, start: int, clause_starts: list[int]) -> str | None:
    """How the report relates to a citation that has no head in its sentence."""
    i = bisect_right(clause_starts, start)
    clause_start = clause_starts[i - 1] if i else 0
    opening = text[clause_start:start].strip().lower()
    if opening.startswith(("thực hiện", "triển khai")):
        return "implements"
    if opening.startswith("căn cứ") or _BASED_ON.search(text[max(clause_start, start - 30) : start]):
        return "based_on"
    return None
