"""PDF, DOCX and DOC ingestion: the same report gives the same citations in every format; hostile files fail cleanly.

The PDF and DOCX fixtures are made here from the gold seed reports
(pipeline.bench.render: python-docx with a real footnotes part, printed to PDF
by LibreOffice), never committed as binaries.
"""
from __future__ import annotations

import collections
import io
import shutil
import time
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.bench.render import many_to_pdf, read_text_report, to_docx
from pipeline.cli import app
from pipeline.discover import InputFile
from pipeline.reports.eval import evaluate, totals
from pipeline.ingest import IngestError, ingest
from pipeline.ingest.doc import soffice
from pipeline.ingest.pdf import ocr_available
from pipeline.document import Limits, process_file
from tests.helpers import ROOT, shared

runner = CliRunner()
GOLD = shared("gold")
GOLD_REPORTS = sorted({p.name.split(".")[0] for p in GOLD.glob("*.references.jsonl")})
needs_libreoffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (libreoffice-writer-nogui) is not installed")
FIELDS = ("code", "issued_date", "doc_type", "type_code", "number", "year", "issuer_code", "system", "cite_kind", "issuer")


@pytest.fixture(scope="session")
def formats(tmp_path_factory) -> dict[str, Path]:
    """The gold reports as text, DOCX and PDF, each run into its own dataset."""
    root = tmp_path_factory.mktemp("formats")
    folders = {name: root / name for name in ("txt", "docx", "pdf")}
    for folder in folders.values():
        folder.mkdir()
    to_print = []
    for stem in GOLD_REPORTS:
        src = ROOT / "corpus" / f"{stem}.txt"
        shutil.copy(src, folders["txt"] / src.name)
        doc = read_text_report(src)
        to_docx(doc, folders["docx"] / f"{stem}.docx")
        to_print.append((doc, folders["pdf"] / f"{stem}.pdf"))
    if soffice() is not None:
        many_to_pdf(to_print)
    datasets = {}
    for name, folder in folders.items():
        if any(folder.iterdir()):
            out = root / f"ds-{name}"
            result = runner.invoke(app, ["run", str(folder), "-o", str(out)])
            assert result.exit_code == 0, result.output
            datasets[name] = out
    return datasets


def _citations(dataset: Path) -> dict[str, collections.Counter]:
    out: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in pq.read_table(dataset / "references").to_pylist():
        out[Path(r["source_path"]).stem][tuple(r[f] for f in FIELDS)] += 1
    return out


def _f1(dataset: Path) -> float:
    return totals(evaluate(GOLD, dataset)["references"])["all"].f1


def test_docx_gives_the_text_versions_citations_field_by_field(formats):
    text, docx = _citations(formats["txt"]), _citations(formats["docx"])
    assert set(text) == set(docx) == set(GOLD_REPORTS)
    for stem in text:
        assert docx[stem] == text[stem], stem
    assert abs(_f1(formats["docx"]) - _f1(formats["txt"])) <= 0.01


@needs_libreoffice
def test_pdf_gives_the_text_versions_citations(formats):
    text, pdf = _citations(formats["txt"]), _citations(formats["pdf"])
    for stem in text:
        assert pdf[stem] == text[stem], stem
    assert abs(_f1(formats["pdf"]) - _f1(formats["txt"])) <= 0.01


@needs_libreoffice
def test_pdf_layout_footnotes_markers_and_page_headers(formats):
    blocks = pq.read_table(formats["pdf"] / "blocks").to_pylist()
    text_blocks = pq.read_table(formats["txt"] / "blocks").to_pylist()
    footnotes = [b for b in blocks if b["kind"] == "footnote"]
    expected = [b for b in text_blocks if b["kind"] == "footnote"]
    assert len(footnotes) >= 0.9 * len(expected)
    assert sum(b["anchor"] is not None for b in footnotes) >= 0.9 * len(footnotes)  # markers found in the text
    assert {b["kind"] for b in blocks} >= {"body", "footnote", "header"}  # the page-number header
    assert all(b["page"] for b in blocks)
    refs = pq.read_table(formats["pdf"] / "references").to_pylist()
    in_footnotes = collections.Counter(r["in_footnote"] for r in refs)
    in_text_footnotes = collections.Counter(r["in_footnote"] for r in pq.read_table(formats["txt"] / "references").to_pylist())
    assert in_footnotes[True] >= 0.9 * in_text_footnotes[True]


def _docx(document_xml: str, footnotes_xml: str | None = None, prolog: str = "") -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", f'<?xml version="1.0"?>{prolog}<w:document xmlns:w="{w}"><w:body>{document_xml}</w:body></w:document>')
        if footnotes_xml is not None:
            z.writestr("word/_rels/document.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       '<Relationship Id="f1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>')
            z.writestr("word/footnotes.xml", f'<?xml version="1.0"?><w:footnotes xmlns:w="{w}">{footnotes_xml}</w:footnotes>')
    return buf.getvalue()


def test_docx_footnotes_are_numbered_by_first_reference_not_by_xml_id():
    body = (
        '<w:p><w:r><w:t xml:space="preserve">Thực hiện Nghị quyết số 57-NQ/TW</w:t></w:r><w:r><w:footnoteReference w:id="7"/></w:r>'
        '<w:r><w:t xml:space="preserve"> và Kế hoạch số 02-KH/BCĐTW</w:t></w:r><w:r><w:footnoteReference w:id="3"/></w:r></w:p>'
        '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>STT</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Văn bản</w:t></w:r></w:p></w:tc></w:tr>'
        '<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Quyết định số 1977/QĐ-UBND</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
    )
    notes = (
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="3"><w:p><w:r><w:t>Ngày 19/6/2025 của Ban Chỉ đạo Trung ương.</w:t></w:r></w:p></w:footnote>'
        '<w:footnote w:id="7"><w:p><w:r><w:t>Ngày 22/12/2024 của Bộ Chính trị.</w:t></w:r></w:p></w:footnote>'
    )
    from pipeline.document.assemble import assemble

    ing = ingest(Path("x.docx"), _docx(body, notes))
    text, blocks = assemble(ing.blocks)
    notes_by_number = {b.footnote: b for b in blocks if b.kind == "footnote"}
    assert notes_by_number[1].text.startswith("Ngày 22/12/2024")  # id 7, referenced first
    assert notes_by_number[2].text.startswith("Ngày 19/6/2025")
    assert text[: notes_by_number[1].anchor].endswith("57-NQ/TW")
    assert text[: notes_by_number[2].anchor].endswith("02-KH/BCĐTW")
    cells = [(b.table, b.row, b.col, b.text) for b in blocks if b.kind == "table_cell"]
    assert (0, 1, 1, "Quyết định số 1977/QĐ-UBND") in cells and len(cells) == 4


def _hostile(tmp: Path) -> dict[str, tuple[bytes, str | None]]:
    """name -> (bytes, expected error type, or None when the file must be read)."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    def pdf(encrypt=None) -> bytes:
        buf = io.BytesIO()
        c = canvas.Canvas(buf, encrypt=encrypt)
        c.drawString(72, 720, "Ke hoach so 198/KH-UBND ngay 28/03/2025")
        c.showPage()
        c.save()
        return buf.getvalue()

    good = pdf()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<" + b" " * (120 * 1024 * 1024) + b"/>")
    laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    ) + "]>"
    entity_bomb = _docx("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", prolog=laughs)
    tcvn3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam. B¸o c¸o kÕt qu¶ thùc hiÖn NghÞ quyÕt sè 57-NQ/TW ngµy 22/12/2024 cña Bé ChÝnh trÞ.\n"
    utf16 = "Báo cáo kết quả thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị.\n"
    return {
        "encrypted.pdf": (pdf(StandardEncryption("secret", canPrint=0)), "encrypted_pdf"),
        "truncated.pdf": (good[: len(good) // 3], "corrupt_file"),
        "empty.pdf": (b"", "empty_file"),
        "random.pdf": (bytes(range(256)) * 40, "corrupt_file"),
        "random.docx": (bytes(range(256)) * 40, "corrupt_file"),
        "bomb.docx": (bomb.getvalue(), "zip_bomb"),
        "entities.docx": (entity_bomb, "xml_entities"),
        "tcvn3.txt": (tcvn3.encode("cp1252"), None),
        "utf16.txt": (utf16.encode("utf-16"), None),
    }


def test_hostile_inputs_give_the_right_error_or_the_repaired_text(tmp_path: Path):
    for name, (data, error_type) in _hostile(tmp_path).items():
        path = tmp_path / name
        path.write_bytes(data)
        started = time.perf_counter()
        res = process_file(InputFile(path, name))
        assert time.perf_counter() - started < 20, name
        if error_type is None:
            assert res.document is not None, (name, res.errors)
            assert "57-NQ/TW" in [r.code for r in res.entities("references")], name
            assert "Bộ Chính trị" in res.document.text, name
        else:
            assert res.document is None and [e.error_type for e in res.errors] == [error_type], (name, res.errors)
            assert len(res.errors[0].message) > 20
    tcvn = process_file(InputFile(tmp_path / "tcvn3.txt", "tcvn3.txt")).document
    assert tcvn.encoding_repaired and tcvn.text.startswith("Cộng hoà xã hội chủ nghĩa Việt Nam")


def test_legacy_fonts_are_repaired_in_docx_too():
    body = '<w:p><w:r><w:t>B¸o c¸o kÕt qu¶ thùc hiÖn NghÞ quyÕt sè 57-NQ/TW cña Bé ChÝnh trÞ vÒ ®ét ph¸ ph¸t triÓn khoa häc</w:t></w:r></w:p>'
    ing = ingest(Path("old.docx"), _docx(body))
    assert ing.encoding_repaired
    assert ing.blocks[0].text.startswith("Báo cáo kết quả thực hiện Nghị quyết số 57-NQ/TW của Bộ Chính trị")


def test_unicode_text_is_never_converted():
    text = "Cộng hòa xã hội chủ nghĩa Việt Nam. Báo cáo số 12/BC-UBND về kết quả thực hiện Nghị quyết 57."
    ing = ingest(Path("a.txt"), text.encode("utf-8"))
    assert not ing.encoding_repaired


@pytest.mark.skipif(not ocr_available(), reason="Tesseract with its Vietnamese model is not installed")
def test_a_scanned_page_is_read_by_ocr(tmp_path: Path):
    from PIL import Image, ImageDraw, ImageFont

    font_file = next(iter(Path("/usr/share/fonts").rglob("DejaVuSans.ttf")), None)
    if font_file is None:
        pytest.skip("no DejaVu font to draw the scan with (fonts-dejavu-core)")
    img = Image.new("L", (2480, 1200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(font_file), 44)
    for i, line in enumerate(["ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "Thực hiện Kế hoạch số 198/KH-UBND ngày 28/03/2025", "của Ủy ban nhân dân tỉnh về chuyển đổi số."]):
        draw.text((200, 200 + 90 * i), line, font=font, fill=0)
    path = tmp_path / "scan.pdf"
    img.save(path, "PDF", resolution=300)
    res = process_file(InputFile(path, "scan.pdf"))
    assert res.document is not None, res.errors
    assert res.document.ocr_pages == 1 and all(b.ocr for b in res.document.blocks)
    assert "198/KH-UBND" in [r.code for r in res.entities("references")]


def test_without_ocr_a_scan_says_how_to_enable_it(tmp_path: Path, monkeypatch):
    from PIL import Image

    from pipeline.ingest import pdf

    monkeypatch.setattr(pdf, "ocr_available", lambda: False)
    path = tmp_path / "scan.pdf"
    Image.new("L", (600, 800), 255).save(path, "PDF")
    res = process_file(InputFile(path, "scan.pdf"))
    assert [e.error_type for e in res.errors] == ["no_text_layer"]
    assert "tesseract-ocr-vie" in res.errors[0].message


@needs_libreoffice
def test_legacy_doc_reads_like_its_docx():
    extra = shared("corpus-extra")
    doc = extra / "vbplus__30_2020_ND_CP_Phuluc2.doc"
    docx = extra / "vbplus__30_2020_ND_CP_Phuluc2.docx"
    if not doc.exists():
        pytest.skip("../shared/corpus-extra is not there")
    a, b = process_file(InputFile(doc, doc.name)), process_file(InputFile(docx, docx.name))
    assert a.document.source_format == "doc"
    assert [r.code for r in a.entities("references")] == [r.code for r in b.entities("references")]
    assert a.document.text == b.document.text


def test_without_libreoffice_a_doc_says_how_to_enable_it(monkeypatch):
    from pipeline.ingest import doc

    monkeypatch.setattr(doc, "soffice", lambda: None)
    with pytest.raises(IngestError) as err:
        ingest(Path("old.doc"), b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert err.value.error_type == "converter_missing" and "libreoffice-writer-nogui" in err.value.message
