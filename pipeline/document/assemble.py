"""Assemble a document's text from its blocks.

Each block is normalized (pipeline.text), its footnote sentinels are
taken out and remembered as offsets, and the blocks are joined with newlines
into `Document.text`. Every block then knows its span, and every footnote
block the offset of the marker that refers to it.
"""
from __future__ import annotations

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
        for number, offset in markers:
            anchors.setdefault(number, block.start + min(offset, len(text)))
        parts.append(text)
        kept.append(block)
        pos = block.end + 1
    for block in kept:
        if block.kind == "footnote" and block.footnote is not None:
            block.anchor = anchors.get(block.footnote)
    return "\n".join(parts), kept
