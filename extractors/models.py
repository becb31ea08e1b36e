"""The entities extractors find in a document's text: citations, quantities, agencies.

Every entity carries its span (`start`, `end`) into the normalized text it was
found in. Extractors create them without knowing which file they came from;
the pipeline adds `doc_id`/`source_path` when it turns them into rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CodeParts:
    """A document code (số ký hiệu) taken apart."""

    code: str  # as printed, whitespace removed
    number: str
    year: int | None
    type_code: str | None  # canonical type code: NQ, QĐ, KH, CTr, ...
    issuer_code: str | None  # first issuer segment: TW, CP, UBND, BCĐTW, ...
    unit: str | None  # what follows the issuer: KGVX in 04010/UBND-KGVX
    system: str  # "party" (57-NQ/TW) or "state" (198/KH-UBND)
    family: str  # party | normative | administrative | letter | legacy


@dataclass(slots=True)
class Reference:
    start: int
    end: int
    surface: str
    doc_type: str | None
    cite_kind: str  # code | short | law | standard
    type_word: str | None = None  # the type word as written ("Kế hoạch hành động")
    type_code: str | None = None
    number: str | None = None
    year: int | None = None
    code: str | None = None
    issuer_code: str | None = None
    system: str | None = None
    issued_date: dt.date | None = None
    in_force_date: dt.date | None = None  # `có hiệu lực từ ngày ...` right after it
    issuer: str | None = None
    issuer_canonical: str | None = None
    subject: str | None = None
    name: str | None = None  # laws cited by name: "Chuyển giao công nghệ"
    is_short_form: bool = False
    resolved_code: str | None = None
    resolved_by: str | None = None  # how resolved_code / issuer_canonical were found, or why not
    type_conflict: bool = False
    # the code or date differs from the text because the source broke it and it was put
    # back together (split_code, lost_hyphen, space_in_code, dash_variant, lost_slash, split_date)
    repaired: bool = False
    repair_reason: str | None = None
    # what governs this citation in its sentence: the citation starting at head_start
    # (None: the report itself) and how ("Kế hoạch X triển khai thực hiện Nghị quyết Y":
    # Y's head is X, relation implements)
    relation: str = "mentions"
    head_start: int | None = None
    in_footnote: bool = False
    page: int | None = None
    sentence: str = ""
    ocr_conf: float | None = None  # OCR'd text: Tesseract's confidence in its least sure word (set by the pipeline)


@dataclass(slots=True)
class Quantity:
    start: int
    end: int
    surface: str
    kind: str  # count | ratio | percent | money | measure | rank
    value: float
    total: float | None = None
    unit: str | None = None
    subject: str | None = None
    # what the number measures and what it is (extractors/roles.py)
    measure: str | None = None  # the noun phrase it quantifies, as written: "thu ngân sách"
    role: str | None = None  # result | target | change | other
    compared_to: str | None = None  # what a change or a share is measured against: "cùng kỳ", "năm 2021", "kế hoạch"
    low: float | None = None  # ranges (6-7%): both bounds; value is the lower one
    high: float | None = None
    per: str | None = None  # rates: what the unit is per (tạ/ha -> "ha", triệu đồng/người/năm -> "người/năm")
    period: str | None = None  # the period stated for it, as written: "năm 2023", "6 tháng đầu năm 2021"
    year: int | None = None  # the year of that period
    pair_id: int | None = None  # a result and its target written together share it (the result's start)
    indicator: str | None = None  # the tracked indicator its measure names (gazetteer/data/indicators.csv)
    value_unsure: bool = False  # `1.100`, `24,023`: the separator could be read the other way
    in_footnote: bool = False
    page: int | None = None
    sentence: str = ""
    ocr_conf: float | None = None  # OCR'd text: Tesseract's confidence in its least sure word (set by the pipeline)


@dataclass(slots=True)
class Agency:
    start: int
    end: int
    surface: str
    canonical: str
    level: str  # central | province | district | commune
    province: str | None = None
    kind: str | None = None  # party | legislature | government | ministry | ministry_unit | department | steering | mass_org | judicial | armed_forces
    in_footnote: bool = False
    page: int | None = None
    ocr_conf: float | None = None  # OCR'd text: Tesseract's confidence in its least sure word (set by the pipeline)
