"""What compressed content may expand to: a DOCX's zip parts, a PDF's Flate streams.

A bomb is a small file that expands enormously (1.5 MB of deflated blanks
is 1.5 GB). Two rules, because neither alone tells a bomb from a long
report: an absolute limit on what one file's parts may expand to, so memory
stays bounded, and by default a part that expands more than BOMB_RATIO times
is trusted only up to RATIO_FLOOR (Word's XML expands 5 to 20 times: a 9 MB
report with 80 MB of XML is 8.8; a scanned page's image a few times, a white
one a few hundred, but to a few MB). `--max-unpacked BYTES` replaces both
with the number the user gives.
"""
from __future__ import annotations

import re
import zlib

DEFAULT_MAX_UNPACKED = 512 * 1024 * 1024
BOMB_RATIO = 100
RATIO_FLOOR = 32 * 1024 * 1024
CHUNK = 1 << 20  # output inflated at a time
STEP = 1 << 16  # input fed at a time
MAX_DEFLATE_RATIO = 1032  # deflate's limit: one 258-byte match per 2 bits
_MAX_LAYERS = 3  # a stream deflated twice over is a bomb of bombs: each layer is inflated and counted


def allowance(compressed: int, remaining: int, max_unpacked: int | None) -> int:
    """What a part of `compressed` bytes may expand to, with `remaining` bytes left of the file's budget."""
    if max_unpacked is not None:
        return remaining
    return min(remaining, max(RATIO_FLOOR, BOMB_RATIO * compressed))


def budget(max_unpacked: int | None) -> int:
    return DEFAULT_MAX_UNPACKED if max_unpacked is None else max_unpacked


def rule_text(compressed: int | None, max_unpacked: int | None, whole: str) -> str:
    """The limit a bomb broke, as the errors message states it."""
    limit = budget(max_unpacked)
    if max_unpacked is not None:
        return f"beyond {limit:,} bytes ({whole}, the limit --max-unpacked set)"
    of = f"its {compressed:,} compressed bytes" if compressed is not None else "its compressed size"
    return f"more than {BOMB_RATIO} times {of} or beyond {limit:,} bytes ({whole})"


HOW_TO_ALLOW = "If the file is genuine, read it with --max-unpacked BYTES (the most its compressed parts may expand to)."

_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b(?!.*\bobj\b)", re.S)  # in the stream's own dictionary
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)(?!\d)")  # a direct length, not `5 0 R`


def flate_bomb(data: bytes, max_unpacked: int | None) -> tuple[int, int] | None:
    """The first Flate stream of a PDF that expands beyond its allowance: (offset, bytes it reached), else None.

    Every `stream` keyword whose data starts with a zlib header is inflated a
    chunk at a time and the output thrown away, so the check itself holds no
    more than a chunk; a stream is given up at its allowance. Not inflated:
    streams too short to reach their allowance even at deflate's greatest
    ratio (most of them; their extent taken as pdfium takes it), and images
    (pdfium inflates those a row at a time, never more rows than they
    declare). Streams another filter encodes (DCT, an encrypted file's) do not
    start with a zlib header; the worker's memory limit stays the last guard
    for those.
    """
    limit = budget(max_unpacked)
    pos = 0
    while (m := _STREAM.search(data, pos)) is not None:
        start = m.end()
        head = data[max(0, m.start() - 1024) : m.start()]  # the stream's dictionary, and what precedes it
        if not _zlib_header(data, start) or _IMAGE.search(head):
            pos = start
            continue
        length = _extent(data, head, start)
        if length is not None and length * MAX_DEFLATE_RATIO <= allowance(length, limit, max_unpacked) and not _deflated_twice(data, start):
            pos = start + length  # too short to expand beyond its allowance: not worth inflating
            continue
        consumed, reached, over = _inflate_counting(data, start, limit, max_unpacked)
        if over:
            return start, reached
        pos = start + max(consumed, 1)
    return None


def _extent(data: bytes, head: bytes, start: int) -> int | None:
    """How far pdfium may read the stream at `start`: its direct /Length or up to the first `endstream`,
    whichever is longer (a /Length that misses `endstream` sends pdfium looking for it); None when
    the /Length is an indirect object or not in sight (not worth resolving: the stream is inflated)."""
    dictionary = head[head.rfind(b" obj") + 1 :] if b" obj" in head else b""
    length = _LENGTH.search(dictionary)
    if length is None and b"/Length" in dictionary:
        return None
    end = data.find(b"endstream", start)
    searched = (end if end >= 0 else len(data)) - start
    return max(searched, int(length.group(1))) if length else searched if dictionary else None


def _deflated_twice(data: bytes, start: int) -> bool:
    """Whether the stream's inflated data starts as deflate data again (inflating its first bytes tells)."""
    try:
        head = zlib.decompressobj().decompress(data[start : start + 256], 2)
    except zlib.error:
        return False
    return _zlib_header(head, 0)


def _zlib_header(data: bytes, at: int) -> bool:
    if at + 2 > len(data):
        return False
    cmf, flg = data[at], data[at + 1]
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf * 256 + flg) % 31 == 0


class _Bomb(Exception):
    def __init__(self, reached: int):
        self.reached = reached


class _Layer:
    """One deflate layer of a stream; the first output it gives tells whether another layer is inside."""

    def __init__(self) -> None:
        self.inflater = zlib.decompressobj()
        self.produced = 0
        self.looked_inside = False
        self.dead = False


def _inflate_counting(data: bytes, start: int, limit: int, max_unpacked: int | None) -> tuple[int, int, bool]:
    """Inflate the stream at `start` (and the layers inside it), counting: (input consumed, most output, over)."""
    layers = [_Layer()]
    pos = start
    try:
        while pos < len(data) and not layers[0].inflater.eof:
            chunk = data[pos : pos + STEP]
            pos += len(chunk)
            most = allowance(pos - start, limit, max_unpacked)
            _feed(layers, 0, chunk, most)
    except _Bomb as bomb:
        return pos - start, bomb.reached, True
    except zlib.error:  # not (or no more) deflate data: pdfium judges the rest
        pass
    consumed = pos - start - len(layers[0].inflater.unused_data)
    return consumed, max(layer.produced for layer in layers), False


def _feed(layers: list[_Layer], depth: int, piece: bytes, most: int) -> None:
    """Inflate `piece` through layer `depth` and those inside it, a bounded piece at a time, keeping nothing."""
    layer = layers[depth]
    while piece and not layer.dead and not layer.inflater.eof:  # after its end zlib hands the tail back, forever
        try:
            got = layer.inflater.decompress(piece, CHUNK)
        except zlib.error:
            if depth == 0:
                raise
            layer.dead = True  # the inner data only looked like deflate
            return
        piece = layer.inflater.unconsumed_tail
        if not got:
            continue
        layer.produced += len(got)
        if layer.produced > most:
            raise _Bomb(layer.produced)
        if not layer.looked_inside:
            layer.looked_inside = True
            if depth + 1 == len(layers) < _MAX_LAYERS and _zlib_header(got, 0):
                layers.append(_Layer())
        if depth + 1 < len(layers):
            _feed(layers, depth + 1, got, most)
