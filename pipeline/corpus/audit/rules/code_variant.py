"""code_variant: the same number, type and date cited under two codes in the corpus.

`2361/QĐ-TTTT` in one report and `2361/QĐ-BTTTT ngày 31/12/2024` in another:
two documents of one number, type and day whose codes are one edit apart, one of
them with an issuer part no body has, are one document with a typo. The citation
with the unknown issuer is flagged; the other code, with its places, is the fix.
Two known issuers (BTC and BTP) may both have issued a decision 12 that day: no
finding then.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

import gazetteer
from extractors.codes import compare_key, issuer_base, parse_code, type_of
from pipeline.corpus.audit import Context, Place, finding, rule
from pipeline.corpus.audit.common import one_edit
from pipeline.corpus.records import Citation, records
from pipeline.store.tables import scan

Key = tuple[str, str, dt.date]  # number without leading zeros, document type, date


@dataclass(slots=True)
class Written:
    code: str
    citations: int = 0
    places: list[Place] = field(default_factory=list)  # the first two; quotes filled in when located


@dataclass(slots=True)
class CodesByDate:
    """Every dated code of the corpus under its number, type and date, with how often and where it is cited."""

    codes: dict[Key, dict[str, Written]] = field(default_factory=dict)

    @classmethod
    def build(cls, staging: Path, registry: pa.Table) -> CodesByDate:
        index = cls()
        for table in scan(staging, "references", ["doc_id", "start", "end", "cite_kind", "code", "issued_date"]):
            # only a dated code has a key (key_of): the others are left out as Arrow data
            dated = pc.and_(pc.equal(table.column("cite_kind"), "code"), pc.is_valid(table.column("issued_date")))
            for ref in records(table.filter(pc.and_(dated, pc.is_valid(table.column("code")))), Citation):
                key = key_of(ref)
                if key:
                    written = index.codes.setdefault(key, {}).setdefault(compare_key(ref.code), Written(ref.code))
                    written.citations += 1
                    if len(written.places) < 2:
                        written.places.append(Place(ref.doc_id, ref.start, ref.end, None, f"cited as {ref.code}"))
        return index


def key_of(ref: Citation) -> Key | None:
    parts = ref.parts
    if parts is None or ref.issued_date is None or not parts.number:
        return None
    kind = type_of(parts) or ref.doc_type
    return (parts.number.lstrip("0") or "0", kind, ref.issued_date) if kind else None


@rule("code_variant", index=CodesByDate)
def code_variant(refs: list[Citation], context: Context) -> list[dict]:
    index: CodesByDate | None = context.index("code_variant")
    out = []
    for ref in refs:
        key = key_of(ref) if index else None
        codes = index.codes.get(key, {}) if key else {}
        if len(codes) < 2 or _issuer_known(ref.code):
            continue
        mine = compare_key(ref.code)
        others = [w for k, w in codes.items() if k != mine and one_edit(mine, k) and _issuer_known(w.code)]
        if len(others) != 1:
            continue
        other = others[0]
        out.append(
            finding(
                ref, "code_variant", "warning", ref.code, other.code,
                f"{ref.code} ({ref.issued_date:%d/%m/%Y}) is cited elsewhere as {other.code}, of the same number, type "
                f"and date ({other.citations} citation{'s' if other.citations > 1 else ''}); the issuer part of {ref.code} "
                "is the code of no known body: likely a typo.",
                evidence=other.places, confidence=0.8,
            )
        )
    return out


def _issuer_known(code: str) -> bool:
    parts = parse_code(code)
    return bool(parts and parts.issuer_code and gazetteer.issuer_code_known(issuer_base(parts.issuer_code)))
