"""Plain-text reports: decode the bytes, then lay the text out into blocks.

Decoding tries, in order: a byte-order mark (UTF-8, UTF-16, UTF-32), strict
UTF-8, UTF-16 without BOM (recognized by its NUL pattern), UTF-8 with a few
bad bytes (a stray Windows quote, a character cut by a careless copy: each
bad byte becomes U+FFFD and `documents.bad_bytes` counts them), then
Windows-1258 and the other single-byte code pages charset-normalizer
proposes, keeping the candidate that reads most like Vietnamese. Binary data
and empty files are refused with an error a user can act on.
"""
from __future__ import annotations

import codecs
import threading
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
    text, encoding, bad_bytes = decode_counting(data)
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
    ing = Ingested(source_format="txt", blocks=blocks, layout=layout, encoding=encoding, encoding_repaired=repaired, bad_bytes=bad_bytes)
    if bad_bytes:
        ing.notes.append(f"{bad_bytes} bytes that are not UTF-8 were replaced by U+FFFD")
    return ing


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to str, with the name of the encoding used."""
    text, encoding, _ = decode_counting(data)
    return text, encoding


def decode_counting(data: bytes) -> tuple[str, str, int]:
    """Bytes to str, with the name of the encoding used and the number of bad bytes replaced."""
    if not data:
        raise IngestError("empty_file", "The file is empty (0 bytes).")
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name, 0
            except UnicodeDecodeError as exc:
                raise IngestError("bad_encoding", f"The file starts with a {name} byte-order mark but is not valid {name}: {exc}.") from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        return (*utf16, 0)
    if b"\x00" in data[:65536] or _control_share(data[:65536]) > 0.05:
        raise IngestError(
            "binary_file",
            "The file looks binary, not text. If it is a PDF or Word file, give it the .pdf/.docx extension; "
            "otherwise remove it from the input.",
        )
    try:
        return data.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly[0], "utf-8", mostly[1]
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


# control bytes other than tab, line feed, form feed and carriage return: few in any text
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _control_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    controls = len(sample) - len(sample.translate(None, _CONTROLS))  # in C: a loop in Python was a tenth of reading a text file
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
    return text, name, 0


# UTF-8 with bad bytes: at most one bad byte in a hundred, and ten well-formed
# multi-byte characters for each (a single-byte code page's letters are bad
# UTF-8 nearly every time, so its text fails one test or the other)
BAD_SHARE = 0.01
EVIDENCE = 10


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """UTF-8 with its bad bytes replaced by U+FFFD, and their number; None when it is not UTF-8.

    One pass of the C decoder; the error handler counts (and gives up past the
    share allowed), so a file of many bad bytes costs no more than a clean one.
    """
    _tally.bad = _tally.runs = 0
    _tally.most = max(16, int(len(data) * BAD_SHARE))
    try:
        text = data.decode("utf-8", _COUNT_BAD)
    except _TooBad:
        return None
    bad, runs = _tally.bad, _tally.runs
    extra = len(data) - len(text) - (bad - runs)  # bytes beyond one per character: the multi-byte letters' weight
    if extra < EVIDENCE * bad:
        return None
    return text, bad


class _TooBad(Exception):
    pass


_tally = threading.local()  # per thread: Dask runs files in threads
_COUNT_BAD = "baocao-count-bad"


def _count_bad(exc: UnicodeDecodeError) -> tuple[str, int]:
    _tally.bad += exc.end - exc.start
    _tally.runs += 1
    if _tally.bad > _tally.most:
        raise _TooBad
    return "\ufffd", exc.end


codecs.register_error(_COUNT_BAD, _count_bad)
