"""Text normalization: what every block goes through before extraction.

Two steps, because layout analysis needs clean characters but must see the
raw line breaks and spacing:

- `clean_chars` right after decoding: NFC, look-alike letters (Ð U+00D0 for
  Đ), invisible characters, line-break variants.
- `normalize_block` on each block once layout is known: whitespace runs to
  one space, and stray spaces inside document codes repaired
  (`02 KH/BCĐTW` -> `02-KH/BCĐTW`, `173- KH/TU` -> `173-KH/TU`).

Footnote markers travel through normalization as private-use sentinels
(see `MARKER_BASE`), so their positions survive every rewrite.
"""
from __future__ import annotations

import unicodedata

import regex as re

import gazetteer

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
        "\ufeff": None,  # BOM inside text
        "\u00ad": None,  # soft hyphen
    }
)


def clean_chars(text: str) -> str:
    """NFC, look-alike letters and invisible characters; line breaks to \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_CHAR_FIXES)
    return unicodedata.normalize("NFC", text)


def marker(n: int) -> str:
    return chr(MARKER_BASE + n)


def marker_number(ch: str) -> int:
    return ord(ch) - MARKER_BASE


_TYPES = "|".join(sorted(gazetteer.type_codes(), key=len, reverse=True))
_SEG = r"\p{Lu}[\p{L}\d&]*"
_CODE_HEAD = rf"\d{{1,5}}[a-z]?/(?:(?:19|20)\d\d/)?{_SEG}"

_SPACES = re.compile(r"[ \t\u3000]+")
_CODE_REPAIRS = [
    # 1977 /QĐ-UBND, 04 /2022/QĐ-UBND -> no space before the slash
    (re.compile(rf"(?<=(?<![\d/])\d{{1,5}})\s+/\s*(?=(?:(?:19|20)\d\d/)?{_SEG}[-/]\p{{Lu}})"), "/"),
    # 4510/ KH-UBND -> no space after the slash
    (re.compile(rf"(?<=(?<![\d/])\d{{1,5}}/(?:(?:19|20)\d\d/)?)\s+(?={_SEG}[-/]\p{{Lu}})"), ""),
    # 173- KH/TU, 02 - KH/BCĐ -> 173-KH/TU (party codes)
    (re.compile(rf"(?<=(?<![\d/.,])\d{{1,5}})\s*-\s+(?=(?:{_TYPES})/\p{{Lu}})"), "-"),
    # 02 KH/BCĐTW -> 02-KH/BCĐTW (hyphen lost)
    (re.compile(rf"(?<=(?<![\d/.,])\d{{1,5}})\s+(?=(?:{_TYPES})/\p{{Lu}}[\p{{L}}\d&]*(?![\p{{L}}\d/]))"), "-"),
    # 0962/QĐ- UBND, 12/QĐ -UBND -> 0962/QĐ-UBND
    (re.compile(rf"(?<={_CODE_HEAD})(?:\s+-\s*|-\s+)(?=\p{{Lu}})"), "-"),
    # en/em dash inside a code: 41/NQ–HĐBCQG
    (re.compile(rf"(?<={_CODE_HEAD})[–—](?=\p{{Lu}})"), "-"),
]


# where any of the repairs could apply (each needs one of these, in order); most blocks have
# none: bullets (`- Tổ chức`) and ranges (`2021 - 2025`) do not count
_MAY_NEED_REPAIR = re.compile(
    rf"\d\s+/|/\s+\p{{Lu}}|\d\s*-\s+(?:{_TYPES})/|\d\s+(?:{_TYPES})/|/\p{{Lu}}[\p{{L}}\d&]*(?:\s+-\s*|-\s+|[–—])\p{{Lu}}"
)


def normalize_block(text: str) -> str:
    """One block's text: whitespace runs collapsed, codes repaired, stripped."""
    text = _SPACES.sub(" ", text.replace("\n", " "))
    if _MAY_NEED_REPAIR.search(text):
        for pattern, repl in _CODE_REPAIRS:
            text = pattern.sub(repl, text)
    return text.strip()
