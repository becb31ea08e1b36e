"""Legacy Vietnamese font encodings (TCVN3/ABC, VNI-Windows): detected and converted to Unicode.

Before Unicode, Vietnamese documents were typed in fonts (.VnTime, VNI-Times)
that drew Vietnamese letters in place of Latin-1 ones, so their text reads as
`Céng hoµ x· héi` once the font is gone. viparse holds the conversion tables
and a detector that scores each candidate conversion against a model of
Vietnamese letters; we only decide when to ask it.
"""
from __future__ import annotations

import re
import unicodedata

from viparse.normalize.detector import detect_encoding_by_content
from viparse.normalize.encodings import AUTO_DETECT_CHARMAPS, get_charmap
from viparse.normalize.tables import convert

from pipeline.text import VIETNAMESE_LETTERS

SAMPLE_CHARS = 20000
# Latin-1 letters and signs that legacy fonts reuse for Vietnamese letters
_LEGACY_SIGNS = set("µ¸¶·¹¨»¾¼½Æ©ÇÊËÌÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßãåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ¢£¤¥§«¬®°±²³´")
# a plain set of characters: the standard engine counts them four times faster than the regex module
# (every report in any format is sampled)
_VIETNAMESE_RE = re.compile("[" + re.escape("".join(sorted(VIETNAMESE_LETTERS))) + "]")
_LEGACY_RE = re.compile("[" + re.escape("".join(sorted(_LEGACY_SIGNS))) + "]")


def detect(text: str) -> str | None:
    """The legacy encoding of `text` (tcvn3, vni, ...) or None when it reads as Unicode already."""
    sample = unicodedata.normalize("NFC", text[:SAMPLE_CHARS])
    letters = sum(map(str.isalpha, sample))  # \p{L}
    if letters < 20:
        return None
    # letters only Unicode Vietnamese has: text with many of them is already Unicode
    if len(_VIETNAMESE_RE.findall(sample)) > 0.02 * letters:
        return None
    if len(_LEGACY_RE.findall(sample)) < 0.01 * letters:
        return None
    return detect_encoding_by_content(sample, AUTO_DETECT_CHARMAPS).encoding


def repair(text: str, encoding: str) -> str:
    return convert(text, get_charmap(encoding))
