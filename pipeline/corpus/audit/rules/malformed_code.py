"""malformed_code: a code whose form is wrong.

- an issuer part one edit from a known one (`NQ-HDND`, `NĐ-PC`): the fix suggested is a
  code that exists, in the gazetteer (issuer_codes.csv, bodies.csv for bodies of the past:
  `TCCP` is known) or used by several reports of the corpus;
- a normative code without its year (`09/TT-BKHCN`);
- a party code written state-style (`02/KH-TW`).

Letter case says nothing (headings in capitals write `QĐ-TTG`), and a part that spells
the initials of the type words before it is a type, not an issuer (`Báo cáo thẩm định
số 18/BCTĐ-STP`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import regex as re

import gazetteer
from extractors.codes import NORMATIVE_TYPES, issuer_base, parse_code
from pipeline.corpus.audit import Context, finding, rule
from pipeline.corpus.audit.common import fact, one_edit, replace_last
from pipeline.corpus.records import Citation
from pipeline.store.tables import scan

PARTY_ISSUERS = {c.code for c in gazetteer.issuer_codes().values() if c.system == "party" and c.code not in ("BCĐ",)}


@dataclass(slots=True)
class IssuerUsage:
    """The issuer codes a corpus uses, and up to two reports that use each."""

    reports_of: dict[str, set[str]] = field(default_factory=dict)
    _fixes: set[str] | None = None

    @classmethod
    def build(cls, staging: Path, registry: pa.Table) -> IssuerUsage:
        return cls.of(_coded(t) for t in scan(staging, "references", ["doc_id", "cite_kind", "code"]))

    @classmethod
    def of(cls, batches: Iterable[Iterable[tuple[str, str]]]) -> IssuerUsage:
        """From the (doc_id, code) of the citations written with a full code."""
        usage = cls()
        for pairs in batches:
            for doc_id, code in pairs:
                parts = parse_code(code) if code else None  # as Citation.parts
                if parts and parts.issuer_code:
                    seen = usage.reports_of.setdefault(parts.issuer_code, set())
                    if len(seen) < 2:
                        seen.add(doc_id)
        return usage

    def in_reports(self, issuer: str) -> int:
        """In how many reports the code is used (counted up to 2)."""
        return len(self.reports_of.get(issuer, ()))

    def likely_fixes(self) -> set[str]:
        """Issuer codes a malformed one may stand for: the gazetteer's, and those used by several reports."""
        if self._fixes is None:
            shared = {c for c, docs in self.reports_of.items() if len(docs) >= 2}
            in_use = shared | {issuer_base(c) for c in self.reports_of}
            # a short code is one edit from many others: there, only a code the corpus itself uses is a likely fix
            self._fixes = {c for c in gazetteer.issuer_codes() if len(c) >= 4 or c in in_use} | shared
        return self._fixes


def _coded(table: pa.Table) -> Iterable[tuple[str, str]]:
    """(doc_id, code) of the citations written with a full code: chosen as Arrow data, no records made."""
    coded = table.filter(pc.equal(table.column("cite_kind"), "code"))
    return zip(coded.column("doc_id").to_pylist(), coded.column("code").to_pylist())


@rule("malformed_code", index=IssuerUsage)
def malformed_code(refs: list[Citation], context: Context) -> list[dict]:
    usage: IssuerUsage = context.index("malformed_code") or IssuerUsage()
    out = []
    for ref in refs:
        parts = ref.parts
        if parts is None:
            continue
        found = _unknown_issuer(ref, usage)
        if found is None and parts.system == "state" and parts.type_code in NORMATIVE_TYPES and parts.year is None:
            found = _without_year(ref, context)
        elif found is None and parts.system == "state" and parts.family == "administrative" and issuer_base(parts.issuer_code or "") in PARTY_ISSUERS:
            expected = f"{parts.number}-{parts.type_code}/{parts.issuer_code}"
            found = finding(
                ref, "malformed_code", "warning", ref.code, expected,
                f"{ref.code} is a party document (/{parts.issuer_code}) written in the state style; party codes read {expected}.",
                confidence=0.75,
            )
        if found:
            out.append(found)
    return out


def _unknown_issuer(ref: Citation, usage: IssuerUsage) -> dict | None:
    """An issuer part no body has, one edit from exactly one that exists."""
    issuer = ref.parts.issuer_code or ""
    base = issuer_base(issuer)
    if not issuer or gazetteer.issuer_code_known(base) or usage.in_reports(issuer) >= 2 or _spells_type(base, ref):
        return None
    known = usage.likely_fixes()
    if base in known:
        return None
    near = sorted(k for k in known if one_edit(base, k))
    if len(near) != 1:
        return None
    fixed = replace_last(ref.code, issuer, near[0] + issuer[len(base):])
    evidence = fact("issuer_codes.csv", "code", near[0], f"{near[0]} is a known issuer code")
    return finding(
        ref, "malformed_code", "warning", ref.code, fixed,
        f"The issuer part {issuer} of {ref.code} is the code of no known body; {near[0]} is one edit away.",
        evidence=[evidence] if evidence else [], confidence=0.7,
    )


def _without_year(ref: Citation, context: Context) -> dict:
    parts = ref.parts
    entry = context.registry.get(ref.doc_key or "")
    year = (entry.year if entry else None) or (ref.issued_date.year if ref.issued_date else None)
    expected = f"{parts.number}/{year}/{ref.code.split('/', 1)[1]}" if year else None
    return finding(
        ref, "malformed_code", "warning", ref.code, expected,
        f"{ref.code} is a {gazetteer.type_name(parts.type_code, 'state')}, a normative document whose code carries its year.",
        confidence=0.8,
    )


def _spells_type(part: str, ref: Citation) -> bool:
    """The part is the initials of the words before the code (`Báo cáo thẩm định số 18/BCTĐ-STP`): a type, not an issuer."""
    sentence = ref.sentence or ""
    at_ = sentence.find(ref.surface)
    before = sentence[:at_] if at_ >= 0 else ""
    words = [w for w in re.findall(r"\p{L}+", before + " " + ref.surface.split(ref.code or "\0")[0]) if w.lower() != "số"]
    initials = "".join(w[0] for w in words[-len(part):]).upper() if len(words) >= len(part) >= 2 else ""
    return part.upper().replace("Đ", "D") == initials.replace("Đ", "D")
