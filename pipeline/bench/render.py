"""Render a report (a Document read from its text version) as a real DOCX and PDF.

Used by the cross-format tests and the benchmark corpus: the same report in
another format must give the same citations. The DOCX has real footnotes (a
footnotes part, references where the markers stood), a real table, a
page-number header and justified A4 paragraphs; the PDF is that DOCX printed by
LibreOffice, so footnotes sit under a separator rule in smaller type at the
page bottom, markers are superscript and codes wrap at line ends like in any
office-made PDF. python-docx has no footnote API, so the footnotes part is
written here.
"""
from __future__ import annotations

import copy
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline.ingest.doc import soffice
from pipeline.models import Block, Document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def _footnotes_xml(notes: list[tuple[int, str]]) -> bytes:
    parts = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W}">',
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>',
    ]
    for xml_id, text in notes:
        parts.append(
            f'<w:footnote w:id="{xml_id}"><w:p><w:pPr><w:jc w:val="both"/></w:pPr>'
            '<w:r><w:rPr><w:vertAlign w:val="superscript"/><w:sz w:val="20"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:rPr><w:sz w:val="20"/></w:rPr><w:t xml:space="preserve"> {escape(text)}</w:t></w:r></w:p></w:footnote>'
        )
    parts.append("</w:footnotes>")
    return "".join(parts).encode("utf-8")


def to_docx(doc: Document, path: Path) -> None:
    """The report as a Word document with real footnotes, tables and a page-number header."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.shared import Cm, Pt

    out = docx.Document()
    section = out.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    style = out.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header._p.append(parse_xml(  # a PAGE field: the page number on every page
        f'<w:fldSimple xmlns:w="{W}" w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'
    ))
    notes = {b.footnote: b.text for b in doc.blocks if b.kind == "footnote" and b.footnote is not None}
    used: list[tuple[int, str]] = []
    blocks = [b for b in doc.blocks if b.kind in ("heading", "body", "table_cell")]
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "table_cell":
            cells = [blocks[i]]
            while i + 1 < len(blocks) and blocks[i + 1].kind == "table_cell" and blocks[i + 1].table == block.table:
                i += 1
                cells.append(blocks[i])
            _table(out, cells, doc, notes, used)
        else:
            para = out.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER if block.kind == "heading" else WD_ALIGN_PARAGRAPH.JUSTIFY
            _runs(para, doc, block, notes, used, bold=block.kind == "heading")
        i += 1
    if used:
        part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, _footnotes_xml(used), out.part.package)
        out.part.relate_to(part, FOOTNOTES_RT)
    out.save(str(path))


def _runs(para, doc: Document, block: Block, notes: dict[int, str], used: list, bold: bool = False) -> None:
    """The block's text with a footnote reference wherever a footnote is anchored in it."""
    from docx.oxml import parse_xml

    anchors = sorted(
        (b.anchor - block.start, b.footnote)
        for b in doc.blocks
        if b.kind == "footnote" and b.anchor is not None and block.start <= b.anchor <= block.end and b.footnote in notes
    )
    text = doc.text[block.start : block.end]
    last = 0
    for offset, number in anchors:
        para.add_run(text[last:offset]).bold = bold
        xml_id = len(used) + 1
        used.append((xml_id, notes[number]))
        para._p.append(parse_xml(
            f'<w:r xmlns:w="{W}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="{xml_id}"/></w:r>'
        ))
        last = offset
    para.add_run(text[last:]).bold = bold


def _table(out, cells: list[Block], doc: Document, notes: dict[int, str], used: list) -> None:
    rows = max(c.row or 0 for c in cells) + 1
    cols = max(c.col or 0 for c in cells) + 1
    table = out.add_table(rows=rows, cols=cols)
    table.style = "Table Grid"
    for c in cells:
        cell = table.cell(c.row or 0, c.col or 0)
        _runs(cell.paragraphs[0], doc, c, notes, used)


def to_pdf(doc: Document, path: Path, timeout: float = 180) -> None:
    """The report as a PDF: its DOCX printed by LibreOffice (real footnotes, justified A4 pages)."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is needed to print the PDF: apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory(prefix="baocao-render-") as tmp:
        work = Path(tmp)
        src = work / (path.stem + ".docx")
        to_docx(doc, src)
        subprocess.run(
            [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(work), str(src)],
            check=True, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
        path.write_bytes((work / (path.stem + ".pdf")).read_bytes())


def many_to_pdf(docs: list[tuple[Document, Path]], timeout: float = 600) -> None:
    """Several reports in one LibreOffice start (it costs seconds; printing costs less)."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is needed to print the PDF: apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory(prefix="baocao-render-") as tmp:
        work = Path(tmp)
        sources = []
        for n, (doc, _) in enumerate(docs):
            src = work / f"r{n}.docx"
            to_docx(doc, src)
            sources.append(str(src))
        subprocess.run(
            [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(work), *sources],
            check=True, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
        for n, (_, path) in enumerate(docs):
            path.write_bytes((work / f"r{n}.pdf").read_bytes())


def read_text_report(path: Path) -> Document:
    """A text report read the way `baocao run` reads it (the source of a rendering)."""
    from pipeline.document.assemble import assemble
    from pipeline.ingest import ingest

    ing = ingest(path, path.read_bytes())
    text, blocks = assemble(ing.blocks)
    return Document(doc_id="", source_path=str(path), source_format="txt", text=text, blocks=copy.deepcopy(blocks))
