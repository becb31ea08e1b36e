"""date_conflict: one document, different dates.

Against the gazetteer's known date (an error, with the gazetteer's line as
evidence); within one report (an error: the report contradicts itself, whichever
date is right; both places are given); against the date most of the corpus cites
(a warning, with places citing that date).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from extractors.codes import known_document
from pipeline.corpus.audit import Context, Place, finding, rule
from pipeline.corpus.audit.common import at, known_fact, label
from pipeline.corpus.records import Citation, records
from pipeline.store.tables import scan

PLACES_PER_DATE = 2  # evidence enough to check: a reader opens one or two places, not every one


@dataclass(slots=True)
class DatePlaces:
    """For each cited document the corpus gives several dates: a few places citing each date."""

    places: dict[str, dict[dt.date, list[Place]]] = field(default_factory=dict)

    @classmethod
    def build(cls, staging: Path, registry: pa.Table) -> DatePlaces:
        varied = registry.filter(pc.greater(pc.list_value_length(registry.column("date_variants")), 1))
        wanted = set(varied.column("doc_key").to_pylist())
        index = cls()
        columns = ["doc_id", "start", "end", "doc_key", "issued_date", "sentence"]
        keys = pa.array(sorted(wanted), pa.string())
        for table in scan(staging, "references", columns) if wanted else ():
            # the citations of those documents only, chosen as Arrow data: their sentences are long
            for ref in records(table.filter(pc.is_in(table.column("doc_key"), value_set=keys)), Citation):
                if ref.doc_key in wanted and ref.issued_date:
                    seen = index.places.setdefault(ref.doc_key, {}).setdefault(ref.issued_date, [])
                    if len(seen) < PLACES_PER_DATE:
                        seen.append(at(ref, f"cited {ref.issued_date:%d/%m/%Y}"))
        return index

    def citing(self, doc_key: str, date: dt.date, besides: Citation) -> list[Place]:
        return [p for p in self.places.get(doc_key, {}).get(date, []) if (p.doc_id, p.start) != (besides.doc_id, besides.start)]


@rule("date_conflict", index=DatePlaces)
def date_conflict(refs: list[Citation], context: Context) -> list[dict]:
    """A citation whose date differs from its document's known date, or from the one cited most."""
    out = []
    by_doc: dict[str, list[Citation]] = defaultdict(list)
    for ref in refs:
        if ref.doc_key and ref.issued_date:
            by_doc[ref.doc_key].append(ref)
    for key, cited in by_doc.items():
        entry = context.registry.get(key)
        known = entry.known_date if entry else None
        # the dates the whole corpus gives the document, not only these reports
        variants = {v["date"] for v in entry.date_variants} if entry and entry.date_variants else {r.issued_date for r in cited}
        if len(variants) < 2 and (known is None or variants == {known}):
            continue
        in_report: dict[str, list[Citation]] = defaultdict(list)  # grouped once: a scan per citation was quadratic
        for ref in cited:
            in_report[ref.doc_id].append(ref)
        for ref in cited:
            if known is not None and ref.issued_date != known:
                out.append(_against_known(ref, known))
            elif known is None and entry is not None and entry.issued_date is not None:
                found = _against_others(ref, in_report[ref.doc_id], entry.issued_date, context)
                if found:
                    out.append(found)
    return out


def _against_known(ref: Citation, known: dt.date) -> dict:
    fact = known_document(ref.cited_code or "")
    evidence = [known_fact(fact, f"dated {known:%d/%m/%Y}")] if fact else []
    return finding(
        ref, "date_conflict", "error", str(ref.issued_date), str(known),
        f"{label(ref)} is dated {known:%d/%m/%Y} (gazetteer of known documents); this citation says {ref.issued_date:%d/%m/%Y}.",
        evidence=evidence, confidence=0.95,
    )


def _against_others(ref: Citation, same_report: list[Citation], consensus: dt.date, context: Context) -> dict | None:
    """Another date in the same report (whichever is right), else the corpus's most cited date."""
    name, date = label(ref), ref.issued_date
    if date == consensus:  # the place citing the other date carries the finding (and this place as evidence)
        return None
    here = [r for r in same_report if r.issued_date != date]
    if here:
        other = next((r for r in here if r.issued_date == consensus), here[0])
        return finding(
            ref, "date_conflict", "error", str(date), str(other.issued_date),
            f"{name} is dated {other.issued_date:%d/%m/%Y} elsewhere in this report and {date:%d/%m/%Y} here: "
            "one of the two is wrong.",
            evidence=[at(r, f"cited {r.issued_date:%d/%m/%Y}") for r in here[:PLACES_PER_DATE]], confidence=0.9,
        )
    index: DatePlaces | None = context.index("date_conflict")
    evidence = index.citing(ref.doc_key, consensus, ref) if index else []
    return finding(
        ref, "date_conflict", "warning", str(date), str(consensus),
        f"{name} is dated {consensus:%d/%m/%Y} in most citations of the corpus; this citation says {date:%d/%m/%Y}.",
        evidence=evidence, confidence=0.7,
    )
