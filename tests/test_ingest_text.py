"""Decoding text files: encodings that work, and inputs refused with a clear error."""
from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import pytest

from pipeline.discover import InputFile
from pipeline.ingest import IngestError
from pipeline.ingest.text import decode
from pipeline.document import Limits, process_file

SAMPLE = "Quyết định số 418/QĐ-UBND ngày 25/03/2025 của Ủy ban nhân dân tỉnh Đắk Nông về việc ủy quyền."
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: letters with their tone mark as a combining character."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + "".join(c for c in parts if c in _TONES))
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(
    "data,encoding",
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("utf-16"), "utf-16"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (cp1258(SAMPLE), "cp1258"),
    ],
)
def test_encodings(data, encoding):
    text, used = decode(data)
    assert used == encoding
    assert unicodedata.normalize("NFC", text) == SAMPLE


@pytest.mark.parametrize(
    "data,error_type",
    [
        (b"", "empty_file"),
        (bytes(range(256)) * 40, "binary_file"),
        (b"\x00\x01\x02\x03binary\x00\x00" * 100, "binary_file"),
    ],
)
def test_refused(data, error_type):
    with pytest.raises(IngestError) as info:
        decode(data)
    assert info.value.error_type == error_type
    assert len(info.value.message) > 20


@pytest.mark.parametrize(
    "name,data,error_type",
    [
        ("empty.txt", b"", "empty_file"),
        ("blank.txt", b"   \n\n\t \n", "empty_text"),
        ("random.txt", bytes(range(256)) * 40, "binary_file"),
        ("photo.jpg", b"\xff\xd8\xff\xe0JFIF", "unsupported_format"),
    ],
)
def test_bad_files_become_error_rows(tmp_path: Path, name, data, error_type):
    path = tmp_path / name
    path.write_bytes(data)
    res = process_file(InputFile(path, name))
    assert res.document is None
    assert [e.error_type for e in res.errors] == [error_type]
    assert res.errors[0].stage == "ingest"


def test_pdf_named_txt_is_sniffed_as_pdf(tmp_path: Path):
    path = tmp_path / "report.txt"
    path.write_bytes(b"%PDF-1.4\n%garbage")
    res = process_file(InputFile(path, "report.txt"))
    assert res.document is None and res.errors  # handled by the PDF reader, not decoded as text


def test_too_large(tmp_path: Path):
    path = tmp_path / "big.txt"
    path.write_bytes(SAMPLE.encode() * 100)
    res = process_file(InputFile(path, "big.txt"), Limits(max_bytes=1000))
    assert [e.error_type for e in res.errors] == ["too_large"]


def test_vanished_and_unreadable(tmp_path: Path):
    res = process_file(InputFile(tmp_path / "gone.txt", "gone.txt"))
    assert [e.error_type for e in res.errors] == ["vanished"]
    folder = tmp_path / "x.txt"
    folder.mkdir()
    res = process_file(InputFile(folder, "x.txt"))
    assert [e.error_type for e in res.errors] == ["not_a_file"]
