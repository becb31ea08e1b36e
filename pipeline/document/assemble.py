"""Assemble a document's text from its blocks.

Each block is normalized (pipeline.text), its footnote sentinels are
taken out and remembered as offsets, and the blocks are joined with newlines
into `Document.text`. Every block then knows its span, and every footnote
block the offset of the marker that refers to it; an OCR'd block, where each
word it was read from stands, with Tesseract's confidence in it.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable

from pipeline.models import Block
from pipeline.text import MARKER_RE, marker_number, normalize_block


def assemble(blocks: list[Block]) -> tuple[str, list[Block]]:
    parts: list[str] = []
    kept: list[Block] = []
    anchors: dict[int, int] = {}
    pos = 0
    for block in blocks:
        text = normalize_block(block.text)
        markers: list[tuple[int, int]] = []
        if MARKER_RE.search(text):
            pieces: list[str] = []
            last = 0
            length = 0
            for m in MARKER_RE.finditer(text):
                piece = text[last : m.start()]
                pieces.append(piece)
                length += len(piece)
                markers.append((marker_number(m.group(0)), length))
                last = m.end()
            pieces.append(text[last:])
            text = "".join(pieces).strip()
        if not text:
            continue
        block.text = text
        block.markers = markers
        block.start, block.end = pos, pos + len(text)
        if block.ocr_words:
            _place_words(block)
        for number, offset in markers:
            anchors.setdefault(number, block.start + min(offset, len(text)))
        parts.append(text)
        kept.append(block)
        pos = block.end + 1
    for block in kept:
        if block.kind == "footnote" and block.footnote is not None:
            block.anchor = anchors.get(block.footnote)
    return "\n".join(parts), kept


_SLACK = 24  # characters a word may stand past where the one before it ended (specks dropped, spaces)


def _place_words(block: Block) -> None:
    """Where each OCR'd word stands in the document's text (`ocr_spans`), and the block's mean confidence.

    The words are found in order in the block's normalized text; one that layout
    changed past recognition keeps its weight in the mean but gets no span.
    """
    text = block.text
    cursor = 0
    spans = []
    weight = total = 0.0
    for word, conf in block.ocr_words:
        w = MARKER_RE.sub("", normalize_block(word))
        weight += len(w)
        total += len(w) * conf
        # near where the last one ended: a word layout dropped (a footnote's number) must not send the search ahead
        at = text.find(w, cursor, cursor + len(w) + _SLACK) if w else -1
        if at >= 0:
            spans.append((block.start + at, block.start + at + len(w), conf))
            cursor = at + len(w)
    block.ocr_spans = spans
    block.ocr_conf = round(total / weight, 1) if weight else None


def ocr_confidence(blocks: list[Block]) -> Callable[[int, int], float | None] | None:
    """conf(start, end): the lowest confidence of the OCR'd words overlapping that span of the text
    (None where no OCR'd word stands); None when the document has no OCR'd text."""
    spans = sorted(span for b in blocks for span in b.ocr_spans)
    if not spans:
        return None
    starts = [s for s, _, _ in spans]

    def conf(start: int, end: int) -> float | None:
        # words overlapping [start, end): from the one holding `start` (words do not overlap) to the last starting before `end`
        lo, hi = max(0, bisect_right(starts, start) - 1), bisect_left(starts, end)
        hits = [c for _, e, c in spans[lo:hi] if e > start]
        return min(hits) if hits else None

    return conf
