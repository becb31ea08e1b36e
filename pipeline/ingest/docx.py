"""DOCX: body paragraphs and tables in order, real footnotes and endnotes, headers and footers.

The package is read as a zip of XML parts, not through python-docx: python-docx
has no footnote API and would parse parts we do not need. Every part is read
with limits first (zip bombs) and parsed without entities, DTDs or network
access (entity bombs, external entities).

Footnotes are numbered by the order their references appear in the body, as
Word shows them; their XML ids are arbitrary. The reference position becomes a
marker sentinel in the paragraph text, so assembly knows where each footnote
is referenced.
"""
from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

from pipeline.ingest import IngestError, Ingested, bombs
from pipeline.ingest.layout import heading_or_body
from pipeline.models import Block
from pipeline.text import marker

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

_CHUNK = 1 << 20


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_P, _T, _TAB, _BR, _CR, _TBL, _TR, _TC = (_w(t) for t in ("p", "t", "tab", "br", "cr", "tbl", "tr", "tc"))
_FN_REF, _EN_REF, _SDT, _SDT_CONTENT = _w("footnoteReference"), _w("endnoteReference"), _w("sdt"), _w("sdtContent")
_DEL, _NOBREAK_HYPHEN = _w("del"), _w("noBreakHyphen")
_TR_PR, _TC_PR, _GRID_BEFORE, _GRID_SPAN = _w("trPr"), _w("tcPr"), _w("gridBefore"), _w("gridSpan")


class SafeZip:
    """A zip archive whose members are read only within pipeline.ingest.bombs' limits (counted as they inflate)."""

    def __init__(self, data: bytes, what: str = "DOCX", max_unpacked: int | None = None):
        self.what = what
        self.max_unpacked = max_unpacked
        self.budget = bombs.budget(max_unpacked)
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            self.names = {i.filename: i for i in self.zf.infolist()}
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise IngestError("corrupt_file", f"The {what} file is not a readable zip package ({exc}); it may be truncated or not a {what}.") from exc
        self.read_total = 0

    def read(self, name: str) -> bytes | None:
        info = self.names.get(name)
        if info is None:
            return None
        allowance = bombs.allowance(info.compress_size, self.budget - self.read_total, self.max_unpacked)
        if info.file_size > allowance:  # the header says so: refused before anything is inflated
            raise self._bomb(name, info.compress_size)
        chunks, size = [], 0
        try:
            with self.zf.open(info) as fh:
                while chunk := fh.read(min(_CHUNK, allowance + 1 - size)):  # the header's sizes can lie
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > allowance:
                        raise self._bomb(name, info.compress_size)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise IngestError("corrupt_file", f"The {self.what} part {name} cannot be read ({exc}).") from exc
        self.read_total += size
        return b"".join(chunks)

    def _bomb(self, name: str, compressed: int) -> IngestError:
        rule = bombs.rule_text(compressed, self.max_unpacked, f"all the parts of the {self.what} together")
        return IngestError("zip_bomb", f"The {self.what} part {name} expands {rule}: refused as a likely zip bomb. {bombs.HOW_TO_ALLOW}")


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)


def parse_xml(data: bytes, name: str) -> etree._Element:
    if b"<!ENTITY" in data[:65536] or b"<!DOCTYPE" in data[:65536]:
        # OOXML parts never declare a DTD; one that does is an entity bomb or an XXE attempt
        raise IngestError("xml_entities", f"The part {name} declares a DTD or entities, which Word never writes; refused as hostile.")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise IngestError("corrupt_file", f"The part {name} is not well-formed XML ({exc}).") from exc


def _relationships(z: SafeZip, part: str) -> dict[str, tuple[str, str]]:
    """rId -> (type suffix, target part name) for a part."""
    folder, base = posixpath.split(part)
    data = z.read(posixpath.join(folder, "_rels", base + ".rels"))
    if data is None:
        return {}
    rels = {}
    for rel in parse_xml(data, base + ".rels").iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        rels[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], target)
    return rels


def _main_part(z: SafeZip) -> str:
    for _, (kind, target) in _relationships(z, "").items():
        if kind == "officeDocument":
            return target
    if "word/document.xml" in z.names:
        return "word/document.xml"
    raise IngestError("corrupt_file", "The package has no main document part; it is not a Word document.")


class _Notes:
    """Footnote/endnote texts by XML id, numbered in order of first reference."""

    def __init__(self, root: etree._Element | None, tag: str):
        self.text: dict[str, str] = {}
        if root is not None:
            for note in root.iter(_w(tag)):
                if note.get(_w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                paras = [_para_text(p, None) for p in note.iter(_P)]
                self.text[note.get(_w("id"), "")] = " ".join(t.strip() for t in paras if t.strip())


def _para_text(p: etree._Element, on_ref) -> str:
    """A paragraph's visible text; footnote references call `on_ref(element)` for their sentinel."""
    out: list[str] = []
    for el in p.iter():
        tag = el.tag
        if tag == _T:
            if not _inside_deleted(el, p):
                out.append(el.text or "")
        elif tag == _TAB:
            out.append("\t")
        elif tag in (_BR, _CR):
            out.append(" ")
        elif tag == _NOBREAK_HYPHEN:
            out.append("-")
        elif tag in (_FN_REF, _EN_REF) and on_ref is not None:
            out.append(on_ref(el))
    return "".join(out)


def _inside_deleted(el: etree._Element, stop: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == _DEL:
            return True
        parent = parent.getparent()
    return False


def _style(p: etree._Element) -> str:
    ppr = p.find(_w("pPr"))
    style = ppr.find(_w("pStyle")) if ppr is not None else None
    return (style.get(_w("val")) or "").lower() if style is not None else ""


def _body_items(body: etree._Element):
    """Paragraphs and tables of the body in order, looking inside content controls."""
    for child in body:
        if child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _body_items(content)
        elif child.tag in (_P, _TBL):
            yield child


def read_docx(data: bytes, *, max_unpacked: int | None = None) -> Ingested:
    z = SafeZip(data, max_unpacked=max_unpacked)
    main = _main_part(z)
    doc_xml = z.read(main)
    if doc_xml is None:
        raise IngestError("corrupt_file", f"The package lists {main} but does not contain it.")
    root = parse_xml(doc_xml, main)
    body = root.find(_w("body"))
    if body is None:
        raise IngestError("corrupt_file", "The Word document has no body.")
    rels = _relationships(z, main)
    parts = {kind: target for kind, target in rels.values() if kind in ("footnotes", "endnotes")}
    foot = _Notes(_load(z, parts.get("footnotes")), "footnote")
    end = _Notes(_load(z, parts.get("endnotes")), "endnote")
    # endnotes follow the footnotes in one numbering: the text model has one footnote sequence
    notes_seen: list[tuple[_Notes, str]] = []

    def on_ref(el: etree._Element) -> str:
        notes = foot if el.tag == _FN_REF else end
        nid = el.get(_w("id"), "")
        if nid not in notes.text:
            return ""
        if (notes, nid) not in notes_seen:
            notes_seen.append((notes, nid))
        return marker(notes_seen.index((notes, nid)) + 1)

    blocks: list[Block] = []
    table_index = 0
    for item in _body_items(body):
        if item.tag == _P:
            text = _para_text(item, on_ref).replace("\t", " ")
            if not text.strip():
                continue
            style = _style(item)
            kind = "heading" if style.startswith(("heading", "title", "subtitle")) else heading_or_body(text)
            blocks.append(Block(kind, text))
        else:
            blocks.extend(_table_blocks(item, table_index, on_ref))
            table_index += 1
    for n, (notes, nid) in enumerate(notes_seen, start=1):
        blocks.append(Block("footnote", notes.text[nid], footnote=n))
    for kind, target in rels.values():
        if kind in ("header", "footer"):
            part = _load(z, target)
            if part is not None:
                text = " ".join(t for p in part.iter(_P) if (t := _para_text(p, None).strip()))
                if text and all(b.text != text or b.kind != kind for b in blocks):
                    blocks.append(Block(kind, text))
    return Ingested("docx", blocks, layout="docx")


def _load(z: SafeZip, part: str | None) -> etree._Element | None:
    if not part:
        return None
    data = z.read(part)
    return parse_xml(data, part) if data is not None else None


def _table_blocks(tbl: etree._Element, index: int, on_ref) -> list[Block]:
    """A table's cells, each at the grid column it starts in.

    A cell spanning columns (`w:gridSpan`, a header over `Kế hoạch` and `Thực
    hiện`) moves the cells after it along, and a row may start further in
    (`w:gridBefore`): counting cells instead would put a figure under the wrong header.
    """
    blocks = []
    for r, tr in enumerate(tbl.iterchildren(_TR)):
        c = _grid_value(tr.find(_TR_PR), _GRID_BEFORE, 0)
        for tc in tr.iterchildren(_TC):
            # a nested table's text belongs to its cell
            text = " ".join(t.strip() for p in tc.iter(_P) if (t := _para_text(p, on_ref).replace("\t", " ").strip()))
            if text:
                blocks.append(Block("table_cell", text, table=index, row=r, col=c))
            c += _grid_value(tc.find(_TC_PR), _GRID_SPAN, 1)
    return blocks


def _grid_value(props: etree._Element | None, tag: str, default: int) -> int:
    """A row's gridBefore or a cell's gridSpan (its w:val); `default` when absent or unreadable."""
    el = props.find(tag) if props is not None else None
    try:
        return max(int(el.get(_w("val"))), 0) if el is not None else default
    except (TypeError, ValueError):
        return default
