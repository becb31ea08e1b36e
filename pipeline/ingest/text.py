"""Plain-text reports: decode the bytes, then lay the text out into blocks.

Decoding tries, in order: a byte-order mark (UTF-8, UTF-16, UTF-32), strict
UTF-8, UTF-16 without BOM (recognized by its NUL pattern), then Windows-1258
and the other single-byte code pages charset-normalizer proposes, keeping the
candidate that reads most like Vietnamese. Binary data and empty files are
refused with an error a user can act on.
"""
from __future__ import annotations

import codecs
import unicodedata

from pipeline.ingest import IngestError, Ingested, legacy
from pipeline.ingest.layout import lay_out
from pipeline.text import VIETNAMESE_LETTERS, clean_chars

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text(data: bytes) -> Ingested:
    text, encoding = decode(data)
    repaired = False
    if not encoding.startswith("utf"):
        # a legacy font's bytes (TCVN3, VNI) read as Windows-1252 show the letters the font drew over
        latin = data.decode("cp1252", errors="replace")
        legacy_encoding = legacy.detect(latin)
        if legacy_encoding:
            text, encoding, repaired = legacy.repair(latin, legacy_encoding), legacy_encoding, True
    text = clean_chars(text)
    if not text.strip():
        raise IngestError("empty_text", "The file contains no text (only whitespace).")
    blocks, layout = lay_out(text)
    return Ingested(source_format="txt", blocks=blocks, layout=layout, encoding=encoding, encoding_repaired=repaired)


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to str, with the name of the encoding used."""
    if not data:
        raise IngestError("empty_file", "The file is empty (0 bytes).")
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise IngestError("bad_encoding", f"The file starts with a {name} byte-order mark but is not valid {name}: {exc}.") from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16
    if b"\x00" in data[:65536] or _control_share(data[:65536]) > 0.05:
        raise IngestError(
            "binary_file",
            "The file looks binary, not text. If it is a PDF or Word file, give it the .pdf/.docx extension; "
            "otherwise remove it from the input.",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = _best_single_byte(data)
    if best is None:
        raise IngestError(
            "unknown_encoding",
            "The text encoding could not be recognized (not UTF-8, UTF-16 or Windows-1258); "
            "re-save the file as UTF-8.",
        )
    return best


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / len(sample[0::2])
    odd_nul = sample[1::2].count(0) / len(sample[1::2])
    for name, ok in (("utf-16-le", odd_nul > 0.3 and even_nul < 0.05), ("utf-16-be", even_nul > 0.3 and odd_nul < 0.05)):
        if ok:
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                return None
    return None


def _control_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(sample)


def _vietnamese_score(text: str) -> float:
    letters = [c for c in unicodedata.normalize("NFC", text[:20000]) if c.isalpha()]
    if not letters:
        return 0.0
    return sum(c in VIETNAMESE_LETTERS for c in letters) / len(letters)


def _best_single_byte(data: bytes) -> tuple[str, str] | None:
    candidates = ["cp1258"]
    try:
        from charset_normalizer import from_bytes

        guess = from_bytes(data[:200000]).best()
        if guess is not None and guess.encoding not in candidates:
            candidates.append(guess.encoding)
    except Exception:  # the detector is a hint only; its failure must not fail the file
        pass
    scored = []
    for name in candidates:
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((_vietnamese_score(text), name, text))
    if not scored:
        return None
    score, name, text = max(scored)
    return text, name
