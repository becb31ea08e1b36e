"""issuer_mismatch: the stated issuer cannot issue that code (a /BCĐ plan said to be the central steering committee's).

A joint code (`58/2012/TTLT-BGDĐT-BLĐTBXH`) has several issuers: the stated
issuer must be able to issue one of them.
"""
from __future__ import annotations

import gazetteer
from extractors.codes import issuer_base
from extractors.references import issuer_can_issue
from pipeline.corpus.audit import Context, finding, rule
from pipeline.corpus.audit.common import fact
from pipeline.corpus.records import Citation


@rule("issuer_mismatch")
def issuer_mismatch(refs: list[Citation], context: Context) -> list[dict]:
    out = []
    for ref in refs:
        parts = ref.parts
        if not (parts and ref.issuer and parts.issuer_code):
            continue
        issuers = [parts.issuer_code, *_joint_issuers(parts.unit)]
        if any(issuer_can_issue(ref.issuer, code) for code in issuers):
            continue
        body = gazetteer.issuer_codes().get(issuer_base(parts.issuer_code))
        name = body.body if body else parts.issuer_code
        evidence = fact("issuer_codes.csv", "code", issuer_base(parts.issuer_code), f"/{parts.issuer_code} is {name}")
        out.append(
            finding(
                ref, "issuer_mismatch", "error", ref.issuer, name,
                f"{ref.code} is a document of {name} (/{parts.issuer_code}), but the text attributes it to {ref.issuer}.",
                evidence=[evidence] if evidence else [], confidence=0.85,
            )
        )
    return out


def _joint_issuers(unit: str | None) -> list[str]:
    """The further issuers of a joint code: the parts after the first that are issuer codes (BLĐTBXH, BTC)."""
    return [p for p in (unit or "").split("-") if p and issuer_base(p) in gazetteer.issuer_codes()]
