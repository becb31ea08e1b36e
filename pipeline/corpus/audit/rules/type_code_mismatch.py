"""type_code_mismatch: the type word disagrees with the code (`Quyết định số 327/KH-UBND`)."""
from __future__ import annotations

import gazetteer
from extractors.codes import parse_code
from pipeline.corpus.audit import Context, finding, rule
from pipeline.corpus.audit.common import fact
from pipeline.corpus.records import Citation


@rule("type_code_mismatch")
def type_code_mismatch(refs: list[Citation], context: Context) -> list[dict]:
    out = []
    for ref in refs:
        if not ref.type_conflict:
            continue
        parts = parse_code(ref.code or "")
        implied = gazetteer.type_name(parts.type_code, parts.system) if parts and parts.type_code else None
        evidence = fact("type_codes.csv", "code", parts.type_code, f"{parts.type_code} is the code of a {implied}") if parts else None
        out.append(
            finding(
                ref, "type_code_mismatch", "error", ref.type_word or ref.doc_type, implied,
                f"The text calls {ref.code} a {ref.doc_type}, but its code is that of a {implied}.",
                evidence=[evidence] if evidence else [], confidence=0.9,
            )
        )
    return out
