"""The Parquet schema of every table, declared once (DATASET.md is the contract).

Each column carries its meaning; the writer, the data dictionary and the
contract test all read this module. Changing a contract column means bumping
SCHEMA_VERSION.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

SCHEMA_VERSION = "1.4"  # 1.1: the document's own record; 1.2: figures (measure, role, ...), agencies.kind, references.repaired, in_force_date, one documents row per doc_id; 1.3: findings located, quoted and weighed, cited_documents.held_by_doc_id, documents.bad_bytes; 1.4: OCR confidence (ocr_conf on documents, blocks, references, quantities, agencies; blocks.ocr_page_conf)


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: pa.DataType
    meaning: str
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    # derived once: the writer asks for them for every chunk of rows it converts
    schema: pa.Schema = field(init=False, repr=False, compare=False)
    names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schema", pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns]))
        object.__setattr__(self, "names", tuple(c.name for c in self.columns))


def _c(name: str, type_: pa.DataType, meaning: str, nullable: bool = True) -> Column:
    return Column(name, type_, meaning, nullable)


S, I32, I64, F64, B, D = pa.string(), pa.int32(), pa.int64(), pa.float64(), pa.bool_(), pa.date32()

_WHERE = (
    _c("doc_id", S, "id of the document (first 16 hex chars of the sha256 of the file)", False),
    _c("source_path", S, "path of the input file as given / relative to the input root", False),
    _c("start", I64, "start offset (characters) in documents.text", False),
    _c("end", I64, "end offset (characters, exclusive) in documents.text", False),
    _c("surface", S, "the text as it stands in documents.text[start:end]", False),
)
_CONTEXT = (
    _c("in_footnote", B, "the mention stands in a footnote body", False),
    _c("page", I32, "page number (1-based) where known"),
    _c("sentence", S, "the sentence around the mention"),
    _c("ocr_conf", F64, "found in OCR'd text: Tesseract's confidence in the least sure word of it (0-100); null in born-digital text"),
)

DOCUMENTS = Table(
    "documents",
    "one row per input file that was read",
    (
        _c("doc_id", S, "stable id: first 16 hex chars of the sha256 of the file's bytes", False),
        _c("source_path", S, "path of the input file as given / relative to the input root", False),
        _c("source_format", S, "pdf, docx, doc, txt, ...", False),
        _c("text", S, "the whole normalized text (blocks joined by newlines); all offsets index it", False),
        _c("n_pages", I32, "number of pages (PDF)"),
        _c("title", S, "the document's abstract (trích yếu) under its type name or after V/v (`V/v` left out), else a web page's headline"),
        _c("issuing_agency", S, "canonical name of the body that wrote it: the letterhead's lowest body, null when the gazetteer does not know it"),
        _c("province", S, "the document's province, by its name after the July 2025 merger; null for central bodies and texts that never say"),
        _c("province_as_written", S, "the province as the document names it (letterhead, place-and-date line, title, else most of its mentions)"),
        _c("report_date", D, "the document's own date, from its place-and-date line (same value as issued_date)"),
        _c("period_start", D, "first day of the period the document reports on or plans for, as its title states it"),
        _c("period_end", D, "last day of that period (`đến năm 2030`: only the end)"),
        _c("issued_date", D, "the document's own date from its place-and-date line: an alias of report_date, kept under both names"),
        _c("own_code", S, "its own number and code from its `Số:` line (215/KH-UBND); null when the number is blank or there is none"),
        _c("doc_type", S, "its own type: the type name under the letterhead (Kế hoạch, Quyết định, Báo cáo, ...), else the code's, Công văn for a letter; Bài viết for a news item"),
        _c("place", S, "the place of its place-and-date line (Hải Phòng, Hà Nội)"),
        _c("issuer_line", S, "the letterhead's bodies as written, superior first: `UBND TỈNH HẢI DƯƠNG / SỞ KHOA HỌC VÀ CÔNG NGHỆ`"),
        _c("signer_title", S, "the signer's authority and title as written, lines joined by ` / `: `KT. CHỦ TỊCH / PHÓ CHỦ TỊCH`"),
        _c("signer_name", S, "the signer's name"),
        _c("recipients", pa.list_(S), "the bodies listed under `Nơi nhận:`, in order (the archive line `Lưu: ...` left out)"),
        _c("encoding_repaired", B, "a legacy font encoding (TCVN3, VNI) was converted", False),
        _c("ocr_pages", I32, "pages whose text came from OCR"),
        _c("ocr_conf", F64, "OCR'd documents: Tesseract's mean confidence in the words it read (0-100, weighted by length); null for born-digital text"),
        _c("sha256", S, "sha256 of the file's bytes", False),
        _c("size_bytes", I64, "size of the file", False),
        _c("encoding", S, "text encoding of the input (text files)"),
        _c("bad_bytes", I32, "text files: bytes that were not valid in their encoding, each replaced by U+FFFD (0: none); null for other formats"),
        _c("layout", S, "how the text was laid out: paragraphs (one per line), wrapped (PDF-extracted lines), pdf, docx"),
        _c("n_blocks", I32, "number of blocks", False),
        _c("n_references", I32, "number of citations found", False),
        _c("pipeline_version", S, "version of baocao that produced the row", False),
    ),
)

BLOCKS = Table(
    "blocks",
    "the layout: paragraphs, footnotes, table cells, running lines",
    (
        _c("doc_id", S, "document id", False),
        _c("block_id", I32, "position of the block in the document (0-based)", False),
        _c("kind", S, "heading, body, footnote, table_cell, header, footer", False),
        _c("page", I32, "page number (1-based) where known"),
        _c("start", I64, "start offset in documents.text", False),
        _c("end", I64, "end offset in documents.text", False),
        _c("ocr", B, "the block's text came from OCR", False),
        _c("ocr_conf", F64, "OCR'd blocks: Tesseract's mean confidence in the block's words (0-100, weighted by length)"),
        _c("ocr_page_conf", F64, "OCR'd blocks: Tesseract's mean confidence in the words of the block's page"),
        _c("footnote", I32, "footnote blocks: the number shown in the document"),
        _c("anchor", I64, "footnote blocks: offset in documents.text where its marker stands"),
        _c("table_index", I32, "table cells: which table (0-based)"),
        _c("row", I32, "table cells: row (0-based)"),
        _c("col", I32, "table cells: column (0-based)"),
    ),
)

REFERENCES = Table(
    "references",
    "one row per citation occurrence",
    (
        *_WHERE,
        _c("doc_type", S, "canonical Vietnamese type name (from the type word, else from the code)"),
        _c("type_word", S, "the type word as written (Kế hoạch hành động, Nghị Quyết)"),
        _c("cite_kind", S, "code (a document code), short (Nghị quyết 57), law (a law by name), standard (QCVN, TCVN, ISO), anaphora (Kế hoạch nêu trên)", False),
        _c("type_code", S, "type part of the code: NQ, QĐ, KH, CTr, TT, NĐ, ..."),
        _c("number", S, "number as written, leading zeros kept"),
        _c("year", I32, "year inside the code (05/2025/NQ-HĐND -> 2025); for laws and standards, their year"),
        _c("code", S, "the full code, whitespace removed, as printed (put back together when `repaired`)"),
        _c("issuer_code", S, "issuer part of the code: TW, CP, TTg, UBND, BCĐTW, ..."),
        _c("system", S, "party (number-TYPE/ISSUER) or state (number/TYPE-ISSUER)"),
        _c("issued_date", D, "the date the citation states"),
        _c("in_force_date", D, "the date the sentence says the document took effect (có hiệu lực từ ngày ...), right after it"),
        _c("issuer", S, "the issuing body as written"),
        _c("issuer_canonical", S, "the issuing body's resolved full name"),
        _c("subject", S, "the trích yếu that follows (về ...)"),
        _c("name", S, "laws cited by name: the law's name (Chuyển giao công nghệ)"),
        _c("is_short_form", B, "a short form without a code (Nghị quyết 57, NQ57, Đề án 06)", False),
        _c("resolved_code", S, "short forms: the full code they stand for, when known"),
        _c("resolved_by", S, "how resolved_code / issuer_canonical were found (report, corpus, gazetteer, stated, code) or why not"),
        _c("type_conflict", B, "the written type word disagrees with the code's type", False),
        _c("repaired", B, "the code or date was put back together where the source broke it, or read as OCR most likely misread it (see repair_reason)", False),
        _c("repair_reason", S, "why: split_code (95/2016/N Đ-CP), lost_hyphen (61/2018/NĐCP), space_in_code (100 - KL/TW), dash_variant (41/NQ–HĐBCQG), lost_slash (2436QĐ-UBND), split_date (16/7/20 21); in OCR'd text only, ocr_confusion (a letter OCR took for another: NQ-GP read as NQ-CP, QD as QĐ); comma-separated when several"),
        _c("doc_key", S, "the cited document in the registry (cited_documents.doc_key)"),
        _c("relation", S, "how the sentence ties it to its head: implements, amends, based_on, mentions", False),
        _c("head_start", I64, "start of the citation that governs this one in its sentence (null: the report itself)"),
        *_CONTEXT,
    ),
)

QUANTITIES = Table(
    "quantities",
    "one row per stated quantity",
    (
        *_WHERE,
        _c("kind", S, "count, ratio, percent, money, measure, rank", False),
        _c("value", F64, "decoded value (1.808.680 -> 1808680, 308 tỷ đồng -> 3.08e11)", False),
        _c("total", F64, "denominator of a ratio or rank (18/20, 04/63)"),
        _c("unit", S, "head of the counted noun or the unit, lower-case; a rate carries what it is per (tạ/ha, đồng/năm)"),
        _c("subject", S, "the counted noun phrase"),
        _c("measure", S, "what the number measures, as written nearby (thu ngân sách, tỷ lệ hồ sơ trực tuyến toàn trình)"),
        _c("role", S, "result (achieved or estimated), target (plan, goal), change (against another period), other"),
        _c("compared_to", S, "what a change or a share is against: cùng kỳ, năm 2021, kế hoạch, dự toán huyện giao"),
        _c("low", F64, "ranges (6-7%, 48-50 triệu đồng): the lower bound, as value"),
        _c("high", F64, "ranges: the upper bound"),
        _c("per", S, "rates: what the unit is per (ha in tạ/ha, người/năm in lần/người/năm)"),
        _c("period", S, "the period stated for it, as written: năm 2023, 6 tháng đầu năm 2021, a table column's Kế hoạch 2023"),
        _c("year", I32, "the year of that period"),
        _c("pair_id", I64, "a result and its target written together (410 tỷ đồng/KH 380 tỷ đồng) share it: the result's start"),
        _c("indicator", S, "the tracked indicator the measure names (gazetteer/data/indicators.csv): Thu ngân sách nhà nước, Chỉ số chuyển đổi số (DTI), ..."),
        _c("value_unsure", B, "the number's separator could be read the other way (1.100, 24,023) and the document does not settle it", False),
        *_CONTEXT,
    ),
)

AGENCIES = Table(
    "agencies",
    "one row per mention of a government or party body",
    (
        *_WHERE,
        _c("canonical", S, "full expanded name, province made explicit where the report makes it clear", False),
        _c("level", S, "central, province, district, commune", False),
        _c("province", S, "province of a local body"),
        _c("kind", S, "party, legislature, government, ministry, ministry_unit, department, steering, mass_org, judicial, armed_forces"),
        _c("in_footnote", B, "the mention stands in a footnote body", False),
        _c("page", I32, "page number (1-based) where known"),
        _c("ocr_conf", F64, "found in OCR'd text: Tesseract's confidence in the least sure word of it (0-100); null in born-digital text"),
    ),
)

# where a finding is checked against: a citation elsewhere in the corpus, or a gazetteer fact
EVIDENCE = pa.struct([
    pa.field("doc_id", S), pa.field("source_path", S), pa.field("page", I32), pa.field("line", I32),
    pa.field("start", I64), pa.field("end", I64), pa.field("quote", S), pa.field("note", S),
])

FINDINGS = Table(
    "findings",
    "what the citation audit flags, each located, quoted and weighed",
    (
        _c("doc_id", S, "document id"),
        _c("source_path", S, "path of the report's input file, as in documents.source_path", False),
        _c("page", I32, "page number (1-based) where the cited text stands, where known (PDF)"),
        _c("line", I32, "line of documents.text where the span starts (1-based: the newlines before it, plus one). "
           "documents.text holds one block per line: a paragraph, heading, table cell or footnote, so in PDF and "
           "wrapped text a line is a paragraph, not a printed line; with `page` and `quote` it says where to look"),
        _c("start", I64, "start of the span the finding is about (a citation, a quantity) in documents.text"),
        _c("end", I64, "end of that span"),
        _c("surface", S, "the span's text as it stands in documents.text (what the quote highlights)"),
        _c("rule", S, "type_code_mismatch, date_conflict, date_impossible, malformed_code, issuer_mismatch, "
           "issuer_conflict, code_variant, superseded_reference, quantity_inconsistent", False),
        _c("severity", S, "error (wrong on its face), warning (probably wrong: check), info (a note, or a candidate "
           "set aside because the text cannot carry it: see caveat)", False),
        _c("code", S, "the cited code concerned"),
        _c("found", S, "what the text says"),
        _c("expected", S, "what it should say (a suggested code is one the gazetteer or the corpus has)"),
        _c("message", S, "a sentence a reader understands", False),
        _c("quote", S, "the sentence the finding rests on, as documents.text has it", False),
        _c("evidence", pa.list_(EVIDENCE), "what it is checked against: the other citations (each with doc_id, "
           "source_path, page, line, span and sentence) or the gazetteer fact (its file and line under gazetteer/data)"),
        _c("confidence", F64, "how sure the audit is that the source is wrong, 0-1: the rule's certainty times what the "
           "text's origin allows (OCR, repaired codes, headings, links, blank forms); below 0.5 the finding is set aside as info", False),
        _c("origin", S, "where the flagged text came from: text (as the source has it), ocr (read from a scan), "
           "repaired (a code or date the ingest put back together)", False),
        _c("caveat", S, "why the confidence was lowered or the finding set aside, when it was"),
    ),
)

ERRORS = Table(
    "errors",
    "one row per input that could not be read, or per stage that failed",
    (
        _c("source_path", S, "path of the input", False),
        _c("stage", S, "discover, ingest, extract, write, ...", False),
        _c("error_type", S, "encrypted_pdf, corrupt_file, unsupported_format, timeout, too_large, ...", False),
        _c("message", S, "what is wrong and what the user can do", False),
        _c("doc_id", S, "document id when the file was read"),
    ),
)

DATE_VARIANT = pa.struct([pa.field("date", D), pa.field("mentions", I32)])

CITED_DOCUMENTS = Table(
    "cited_documents",
    "the registry: one row per distinct document cited anywhere in the corpus",
    (
        _c("doc_key", S, "stable id of the cited document (same code, issuer scope and year -> same key)", False),
        _c("code", S, "its code as most often written (or the law's name for laws cited by name)"),
        _c("cite_kind", S, "code, law or standard", False),
        _c("doc_type", S, "document type (from the code, else the most common type word)"),
        _c("type_code", S, "type part of the code"),
        _c("number", S, "number as written"),
        _c("year", I32, "year of the document (in the code, or of its consensus date)"),
        _c("issuer_code", S, "issuer part of the code"),
        _c("issuer", S, "the issuing body's full name, most common resolution"),
        _c("province", S, "province of a local issuer (UBND, HĐND, Tỉnh ủy, Sở ...), null for central bodies"),
        _c("issued_date", D, "consensus date: the known date when the gazetteer has it, else the one cited most"),
        _c("known_date", D, "the document's date according to the gazetteer of known documents"),
        _c("date_variants", pa.list_(DATE_VARIANT), "every date it is cited with, and how many times"),
        _c("subject", S, "the most complete trích yếu seen"),
        _c("mentions", I32, "citations of it (short forms resolved to it included)", False),
        _c("reports", I32, "reports citing it", False),
        _c("citing_doc_ids", pa.list_(S), "doc_id of every report citing it"),
        _c("first_report_date", D, "date of the earliest report citing it"),
        _c("last_report_date", D, "date of the latest report citing it"),
        _c("nq57_family", B, "57-NQ/TW itself or a document that implements it, directly or through others", False),
        _c("held_by_doc_id", S, "the corpus document that is this one (documents.own_code is its code, and its date or its issuer agrees; a local code only in its province, a year only its own); null when the archive lacks it"),
    ),
)

CITATION_EDGES = Table(
    "citation_edges",
    "the citation graph: report -> cited document for every citation, and cited -> cited where the text states it",
    (
        _c("source_kind", S, "report (a report of the corpus) or document (a cited document)", False),
        _c("source", S, "doc_id of the report, or doc_key of the cited document", False),
        _c("source_code", S, "code of the source document (null for reports)"),
        _c("target", S, "doc_key of the cited document", False),
        _c("target_code", S, "code of the cited document"),
        _c("relation", S, "implements, amends, based_on, mentions", False),
        _c("doc_id", S, "the report whose text states the edge (null for gazetteer facts)"),
        _c("start", I64, "start of the span stating it in documents.text"),
        _c("end", I64, "end of that span"),
        _c("evidence", S, "the sentence stating it"),
        _c("origin", S, "text (stated in a report) or gazetteer (a known fact)", False),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (DOCUMENTS, BLOCKS, REFERENCES, QUANTITIES, AGENCIES, FINDINGS, ERRORS, CITED_DOCUMENTS, CITATION_EDGES)
}
