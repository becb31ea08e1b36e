"""Precision first: how much of a finding the text really carries.

A rule sees the citation as extracted; what the source printed may be something
else. Each `Doubt` below is a way the extracted text can differ from what the
source says, with the rules it undermines and how much (a factor on the rule's
confidence). A finding whose confidence falls below SET_ASIDE is kept as `info`
with the reason in `caveat` (an auditor can still see it; it is not counted as a
source error); one that keeps enough confidence keeps its severity and still
says what lowered it. One place gets one finding per suggested fix: a second
rule suggesting the same fix adds its evidence to the first.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex as re

from pipeline.corpus.audit.locate import Spot

SET_ASIDE = 0.5
# rules about the form of a code: a code the ingest put back together cannot carry them
CODE_FORM_RULES = frozenset({"malformed_code", "code_variant", "type_code_mismatch", "issuer_mismatch"})
# rules about dates: a date the ingest put back together cannot carry them
DATE_RULES = frozenset({"date_conflict", "date_impossible", "superseded_reference"})
UNKNOWN_OCR_CONFIDENCE = 0.45  # OCR'd text without a confidence cannot carry a finding alone

# ocr_confusion: a code OCR misread, read as its likeliest reading (extractors.misread): its form is ours too
_CODE_REPAIRS = ("split_code", "lost_hyphen", "space_in_code", "dash_variant", "lost_slash", "repaired", "ocr_confusion")
_LINK = re.compile(r"(?i)https?:|www\.|%[0-9a-f]{2}|\.aspx|\.html?\b|[?&][a-z]+=")
_BLANK = re.compile(r"…|\.{4,}|_{3,}|(?i:ngày\s*[.…]+\s*tháng)")
_LETTERS = re.compile(r"\p{L}")


@dataclass(frozen=True, slots=True)
class Doubt:
    name: str
    rules: frozenset[str] | None  # the rules it undermines (None: all)
    applies: Callable[[dict, Spot | None], float | None]  # the factor on the confidence, or None when it does not apply
    why: Callable[[dict, Spot | None], str]


def _ocr(f: dict, spot: Spot | None) -> float | None:
    if spot is None or not spot.ocr:
        return None
    return spot.ocr_conf if spot.ocr_conf is not None else UNKNOWN_OCR_CONFIDENCE


def _ocr_why(f: dict, spot: Spot | None) -> str:
    conf = f" (OCR confidence {spot.ocr_conf:.2f})" if spot and spot.ocr_conf is not None else " with no confidence recorded"
    return f"read by OCR from a scan{conf}: the characters may be misread"


def _repaired_code(f: dict, spot: Spot | None) -> float | None:
    reasons = (f["_repair"] or "").split(",")
    return 0.3 if f["_repair"] and any(r in _CODE_REPAIRS for r in reasons) else None


def _repaired_code_why(f: dict) -> str:
    if "ocr_confusion" in f["_repair"]:
        return f"OCR misread this code ({f['_repair']}) and the ingest took it for its likeliest reading: its form is ours"
    return f"the source broke this code ({f['_repair']}) and the ingest put it back together: its form is ours"


def _repaired_date(f: dict, spot: Spot | None) -> float | None:
    return 0.3 if f["_repair"] and "split_date" in f["_repair"] else None


def _capitals(f: dict, spot: Spot | None) -> float | None:
    """A heading set in capitals writes every code in capitals: a difference of letter case is no error there."""
    if spot is None or not f["found"] or not f["expected"] or f["found"] == f["expected"]:
        return None
    letters = _LETTERS.findall(spot.line_text)
    caps = len(letters) >= 10 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)
    return 0.1 if (caps or spot.kind == "heading") and f["found"].upper() == f["expected"].upper() else None


def _link(f: dict, spot: Spot | None) -> float | None:
    return 0.1 if spot is not None and _LINK.search(spot.token) else None


def _blank_form(f: dict, spot: Spot | None) -> float | None:
    return 0.3 if spot is not None and _BLANK.search(spot.line_text) else None


DOUBTS = (
    Doubt("ocr", None, _ocr, _ocr_why),
    Doubt("repaired_code", CODE_FORM_RULES, _repaired_code, lambda f, s: _repaired_code_why(f)),
    Doubt("repaired_date", DATE_RULES, _repaired_date, lambda f, s: "the source broke this date and the ingest put it back together"),
    Doubt("capitals", CODE_FORM_RULES, _capitals, lambda f, s: "in a heading set in capitals: letter case says nothing"),
    Doubt("link", None, _link, lambda f, s: "inside a web link, not a citation the text makes"),
    Doubt("blank_form", None, _blank_form, lambda f, s: "in a blank form (dotted placeholders): a model, not a citation"),
)


def weigh(findings: list[dict]) -> list[dict]:
    """Confidence, severity and caveat of every finding; one finding per place and fix."""
    out: dict[tuple, dict] = {}
    for f in findings:
        spot = f.pop("_spot", None)
        confidence, reasons = f["confidence"], []
        for doubt in DOUBTS:
            factor = doubt.applies(f, spot) if doubt.rules is None or f["rule"] in doubt.rules else None
            if factor is not None:
                confidence *= factor
                reasons.append(doubt.why(f, spot))
        f.pop("_repair", None)
        f["confidence"] = round(confidence, 3)
        f["caveat"] = None
        if reasons:
            set_aside = confidence < SET_ASIDE
            f["caveat"] = ("set aside: " if set_aside else "") + "; ".join(reasons)
            if set_aside:  # a note now: it says what was read, and claims no error of the source
                f["severity"] = "info"
                f["message"] = f"Not counted as an error of the source ({'; '.join(reasons)}). As read: {f['message']}"
        key = (f["doc_id"], f["start"], f["end"], f["expected"] or f["rule"])
        out[key] = _merge(out[key], f) if key in out else f
    return list(out.values())


def _merge(first: dict, second: dict) -> dict:
    """Two rules found the same fix at one place: the surer one, with both rules' evidence."""
    kept, other = (second, first) if second["confidence"] > first["confidence"] else (first, second)
    kept["evidence"] = kept["evidence"] + [e for e in other["evidence"] if e not in kept["evidence"]]
    return kept
