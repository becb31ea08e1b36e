"""date_impossible: a date the cited document cannot have.

Dated in the future, after the report that cites it, in another year than its
normative code says, after the day it took effect, or on a day its issuer did not
exist (a document of the Ministry of Information and Communications dated after
its merger on 1/3/2025; of a district body after 1/7/2025: gazetteer/data/bodies.csv).
"""
from __future__ import annotations

import datetime as dt

import gazetteer
from extractors.codes import issuer_base
from pipeline.corpus.audit import Context, finding, rule
from pipeline.corpus.audit.common import body_fact
from pipeline.corpus.records import Citation


@rule("date_impossible")
def date_impossible(refs: list[Citation], context: Context) -> list[dict]:
    out = []
    for ref in refs:
        if ref.issued_date is not None:
            found = _impossible(ref, context)
            if found:
                out.append(found)
    return out


def _impossible(ref: Citation, context: Context) -> dict | None:
    date, today = ref.issued_date, context.today
    report = context.reports.get(ref.doc_id)
    report_date = report.report_date if report else None
    parts, in_force = ref.parts, ref.in_force_date
    if date > today:
        return finding(ref, "date_impossible", "error", str(date), f"on or before {today}", f"{ref.surface} is dated in the future.",
                       confidence=0.9)
    if report_date and date > report_date:
        return finding(ref, "date_impossible", "error", str(date), f"on or before {report_date}",
                       f"{ref.surface} is dated after the report that cites it ({report_date:%d/%m/%Y}).", confidence=0.85)
    if parts and parts.year and parts.year != date.year:
        return finding(ref, "date_impossible", "error", str(date), f"a date in {parts.year}",
                       f"The code {ref.code} says {parts.year} but the citation dates it {date:%d/%m/%Y}.", confidence=0.9)
    if in_force and in_force < date:
        return finding(ref, "date_impossible", "error", str(date), f"on or before {in_force}",
                       f"{ref.surface} would have taken effect ({in_force:%d/%m/%Y}) before it was issued.", confidence=0.9)
    return _issuer_absent(ref, date)


def _issuer_absent(ref: Citation, date: dt.date) -> dict | None:
    """The issuer (by its code, else by the name the text gives) did not exist on that date."""
    parts = ref.parts
    body = gazetteer.body_of_code(issuer_base(parts.issuer_code)) if parts and parts.issuer_code else None
    if body is None and ref.issuer:
        body = gazetteer.body_named(ref.issuer)
    if body is None or body.existed_on(date):
        return None
    if body.valid_until and date > body.valid_until:
        when, bound = f"ceased to exist after {body.valid_until:%d/%m/%Y}", f"on or before {body.valid_until}"
    else:
        when, bound = f"existed only from {body.valid_from:%d/%m/%Y}", f"on or after {body.valid_from}"
    return finding(
        ref, "date_impossible", "warning", str(date), bound,
        f"{ref.surface} is dated {date:%d/%m/%Y}, but its issuer ({body.body}) {when}.",
        evidence=[body_fact(body, f"{body.body}: {when}")], confidence=0.7,
    )
