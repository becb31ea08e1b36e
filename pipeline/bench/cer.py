"""Character error rate: how far an OCR reading is from the text it should have read.

CER = edit distance (insertions, deletions, substitutions) / length of the
reference, both with their whitespace collapsed (line breaks are layout, not
characters read). The distance is Myers' bit-parallel algorithm (Hyyrö's
formulation for Levenshtein distance) on Python's big integers: one pass over
the reading with a handful of operations on integers as wide as the reference,
so whole pages compare in milliseconds without a dependency.
"""
from __future__ import annotations

import unicodedata


def normalized(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def edit_distance(a: str, b: str, anywhere: bool = False) -> int:
    """Levenshtein distance between a and b; `anywhere`: between a and the part of b closest to it
    (a footnote's text against a whole page's reading, wherever the reading put it)."""
    if not a:
        return 0 if anywhere else len(b)
    if not b:
        return len(a)
    m = len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(a):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    best = m
    for ch in b:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & mask) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        # the first row: the cost of skipping b's characters so far (free when matching anywhere)
        ph = ((ph << 1) | (0 if anywhere else 1)) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        best = min(best, score)
    return best if anywhere else score


def cer(reference: str, reading: str) -> float:
    ref, got = normalized(reference), normalized(reading)
    return edit_distance(ref, got) / max(1, len(ref))
