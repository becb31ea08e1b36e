"""quantity_inconsistent: a ratio and its percentage disagree (18/20 = 90%), a part larger
than its whole, listed parts adding up to more.

A ratio is a part of a whole only when it counts things: `33/31,5 ha`, `41.250
tấn/40.000` and `971/876 = 110,8%` are results against a plan (a measured unit,
the text's own share above 100%, `vượt`/`so với KH` beside it), which may well
exceed it.
"""
from __future__ import annotations

from collections import defaultdict
from itertools import islice

import pyarrow as pa
import pyarrow.compute as pc
import regex as re

import gazetteer
from pipeline.corpus.audit import Context, finding, rule
from pipeline.corpus.records import Figure

RULE = "quantity_inconsistent"

_CLAUSE_END = re.compile(r"[;.]\s|$")
_PARTS_OPEN = re.compile(r"(?i)\s*[(:,]?\s*(?P<word>gồm|bao gồm|trong đó(?:\s+có)?)\b\s*:?")


# what a sentence must hold for _PARTS_OPEN to open a list in it (the same engine and flags)
_LIST_WORDS = re.compile(r"(?i)gồm|trong đó")


def may_flag(table: pa.Table) -> pa.Table:
    """The figures of the sentences this rule may flag, chosen as Arrow data: a sentence with a ratio
    of a whole, or with a count and the words that open a list of its parts. A sentence is kept whole
    (the rule reads each figure's neighbours); keeping more is harmless, the rule decides.
    """
    kind, sentence = table.column("kind"), pc.fill_null(table.column("sentence"), "")
    listing = pa.array([s for s in pc.unique(sentence).to_pylist() if _LIST_WORDS.search(s)], pa.string())
    flagged = pc.or_(
        pc.and_(pc.equal(kind, "ratio"), pc.not_equal(pc.fill_null(table.column("total"), 0.0), 0.0)),
        pc.and_(pc.equal(kind, "count"), pc.is_in(sentence, value_set=listing)),
    )
    # a sentence is known by its report and text (a collision keeps more, never less)
    key = pc.binary_join_element_wise(pc.fill_null(table.column("doc_id"), ""), sentence, "\x1f")
    return table.filter(pc.is_in(key, value_set=pc.unique(key.filter(flagged))))


@rule("quantity_inconsistent", table="quantities", select=may_flag)
def quantity_inconsistent(quantities: list[Figure], context: Context) -> list[dict]:
    out = []
    by_sentence: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for q in quantities:
        by_sentence[(q.doc_id, q.sentence or "")].append(q)
    for (doc_id, sentence), qs in by_sentence.items():
        qs.sort(key=lambda q: q.start)
        for i, q in enumerate(qs):
            if q.kind == "ratio" and q.total:
                pct = _stated_share(q, qs[max(0, i - 2) : i] + qs[i + 1 : i + 3], sentence)
                share = 100 * q.value / q.total
                agrees = pct is not None and abs(share - pct.value) <= 0.6
                if q.value > q.total and not agrees and not _against_plan(q, sentence):
                    out.append(finding(q, RULE, "error", f"{q.value:g}/{q.total:g}", f"at most {q.total:g}",
                                       f"{q.surface}: the part is larger than the whole.", confidence=0.8))
                if pct is not None and not agrees:
                    out.append(finding(pct, RULE, "warning", f"{pct.value:g}%", f"{share:.2f}%",
                                       f"{q.surface} is {share:.2f}%, but the text says {pct.surface}.", confidence=0.75))
            elif q.kind == "count" and sentence:
                out.extend(_parts_exceed(q, qs, i + 1, sentence))
    return out


_PLAN_WORDS = re.compile(r"(?i)\b(?:vượt|so với\s+(?:KH|kế hoạch)|kế hoạch|KH(?!&))\b")


def _against_plan(ratio: Figure, sentence: str) -> bool:
    """A result against its plan rather than a part of a whole: a measured unit, or plan words beside it."""
    unit = gazetteer.units().get((ratio.unit or "").lower())
    if unit is not None and unit[1] in ("measure", "money"):
        return True
    at = sentence.find(ratio.surface)
    near = sentence[max(0, at - 40) : at + len(ratio.surface) + 40] if at >= 0 else ""
    return bool(_PLAN_WORDS.search(near))


def _stated_share(ratio: Figure, near: list[Figure], sentence: str) -> Figure | None:
    """The percentage stated with a ratio: in the same clause, close before or after it.

    `18/20 nhiệm vụ, đạt tỷ lệ 90%`, `100% nhiệm vụ hoàn thành (16/16 nhiệm vụ)`; not a
    percentage of another clause (`10/10 thôn lõm sóng; cáp quang phủ hơn 97%`).
    """
    for p in near:
        if p.kind != "percent":
            continue
        a, b = sorted((p, ratio), key=lambda q: q.start)
        gap = b.start - a.end
        if gap > 60:
            continue
        i, j = sentence.find(a.surface), sentence.rfind(b.surface)
        if i < 0 or j < 0 or ";" in sentence[i:j] or "\n" in sentence[i:j]:
            continue
        return p
    return None


def _parts_exceed(whole: Figure, figures: list[Figure], after: int, sentence: str) -> list[dict]:
    """`23 nhiệm vụ, gồm: 01 ..., 02 ..., 18 ...`: the listed parts (among `figures[after:]`) must not add up to more.

    The list opens right after the whole (`97 nhiệm vụ (trong đó có 90 ...; 07 ...)`)
    and ends with its bracket, else at the end of the clause.
    """
    at = sentence.find(whole.surface)
    # matched in place first: the pattern looks at nothing before its start, so it matches
    # there as on the rest cut off; most counts open no list, and the cut copied the sentence
    if at < 0 or _PARTS_OPEN.match(sentence, at + len(whole.surface)) is None:
        return []
    rest = sentence[at + len(whole.surface) :]
    opener = _PARTS_OPEN.match(rest)
    close = rest.find(")", opener.end()) if "(" in opener.group(0) else -1
    if close < 0:
        stop = _CLAUSE_END.search(rest[opener.end() :])
        close = opener.end() + stop.start()
    listing = rest[opener.end() : close]
    parts, cursor = [], 0
    for q in islice(figures, after, None):  # not a copy of the rest per count: a table's sentence holds dozens
        found = listing.find(q.surface, cursor)
        if q.kind != "count" or found < 0:
            break
        parts.append(q)
        cursor = found + len(q.surface)
    total = sum(q.value for q in parts)
    if len(parts) >= 2 and total > whole.value:
        listed = " + ".join(f"{q.value:g}" for q in parts)
        return [finding(whole, RULE, "warning", f"{listed} = {total:g}", f"at most {whole.value:g}",
                        f"{whole.surface} {opener.group('word')} parts adding up to {total:g}, more than the whole.",
                        confidence=0.75)]
    return []
