"""Text normalization: what every block goes through before extraction.

Two steps, because layout analysis needs clean characters but must see the
raw line breaks and spacing:

- `clean_chars` right after decoding: NFC, look-alike letters (Ð U+00D0 for
  Đ), invisible characters, line-break variants.
- `normalize_block` on each block once layout is known: whitespace runs to
  one space. Codes the source broke (`02 KH/BCĐTW`, `173- KH/TU`) are left as
  written: the citation extractor puts them back together and says so on the
  citation (extractors.codes.find_codes), so the text never claims what the
  source did not print.

Footnote markers travel through normalization as private-use sentinels
(see `MARKER_BASE`), so their positions survive every rewrite.
"""
from __future__ import annotations

import re as simple_re
import unicodedata

import regex as re

# A footnote marker is carried in block text as chr(MARKER_BASE + n).
# the letters only Vietnamese uses: how decoders tell real text from mojibake
VIETNAMESE_LETTERS = frozenset("ăâđêôơưĂÂĐÊÔƠƯ") | {chr(c) for c in range(0x1EA0, 0x1EFA)}

MARKER_BASE = 0xF0000
MARKER_RE = re.compile(r"[\U000F0000-\U000FFFFD]")

_CHAR_FIXES = str.maketrans(
    {
        "\u00d0": "Đ",  # Latin capital ETH typed for Đ
        "\u00f0": "đ",
        "\u0189": "Đ",  # African D
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2028": "\n",
        "\u2029": "\n",
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        # direction marks and invisible operators: Word and web pages leave them inside codes
        "\u200e": None,
        "\u200f": None,
        "\u061c": None,  # Arabic letter mark, a bidi control like the two above
        "\u202a": None,
        "\u202b": None,
        "\u202c": None,
        "\u202d": None,
        "\u202e": None,
        "\u2061": None,
        "\u2062": None,
        "\u2063": None,
        "\u2064": None,
        "\u2066": None,
        "\u2067": None,
        "\u2068": None,
        "\u2069": None,
        "\u180e": None,
        "\ufeff": None,  # BOM inside text
        "\u00ad": None,  # soft hyphen
    }
)


# the characters _CHAR_FIXES changes, found by the standard library's engine: replacing only
# where one stands is what str.translate does, without its dictionary look-up per character
# (a tenth of a text report's reading)
_FIXED = simple_re.compile("[" + simple_re.escape("".join(map(chr, _CHAR_FIXES))) + "]")
_FIXES = {chr(c): fixed or "" for c, fixed in _CHAR_FIXES.items()}


def clean_chars(text: str) -> str:
    """NFC, look-alike letters and invisible characters; line breaks to \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _FIXED.sub(lambda m: _FIXES[m.group()], text)
    return unicodedata.normalize("NFC", text)


def marker(n: int) -> str:
    return chr(MARKER_BASE + n)


def marker_number(ch: str) -> int:
    return ord(ch) - MARKER_BASE


_SPACES = simple_re.compile(r"[ \t\u3000]+")  # a plain class: the standard engine is twice as fast on it


def normalize_block(text: str) -> str:
    """One block's text: whitespace runs collapsed, stripped."""
    text = text.replace("\n", " ")
    if "  " in text or "\t" in text or "\u3000" in text:  # else every run is one space already: most blocks
        text = _SPACES.sub(" ", text)
    return text.strip()
