"""issuer_conflict: a known document attributed to another body than the one that issued it.

The gazetteer's known documents (known_documents.csv) say who issued each:
57-NQ/TW is the Politburo's (Bộ Chính trị). A text that names another body able
to issue party codes (`Ban Chấp hành Trung ương`) gets a warning with the
gazetteer's line; a body that cannot issue the code at all is issuer_mismatch's.
A citation that names no issuer says nothing wrong: its issuer_canonical comes
from the gazetteer. Only a code written in full with a central body after it
is taken at its word: after a short form (`Đề án 06 của Sở ...`) or with a local
body, `của ...` is far more often the owner of another thing in the sentence.
"""
from __future__ import annotations

import gazetteer
from extractors.codes import known_document
from extractors.references import issuer_can_issue, issuer_codes_named
from pipeline.corpus.audit import Context, finding, rule
from pipeline.corpus.audit.common import known_fact
from pipeline.corpus.records import Citation

# a minister or the Prime Minister signs for their body: `Bộ trưởng Bộ Y tế` is Bộ Y tế
_TITLES = ("bộ trưởng ", "chủ nhiệm ", "tổng bí thư ", "trưởng ")


@rule("issuer_conflict")
def issuer_conflict(refs: list[Citation], context: Context) -> list[dict]:
    out = []
    for ref in refs:
        known = known_document(ref.code) if ref.issuer and ref.code and ref.cite_kind == "code" else None
        if known is None or not _central(ref.issuer) or _same_body(ref.issuer_canonical or ref.issuer, known.issuer):
            continue
        parts = ref.parts
        if parts and parts.issuer_code and not issuer_can_issue(ref.issuer, parts.issuer_code):
            continue
        out.append(
            finding(
                ref, "issuer_conflict", "warning", ref.issuer, known.issuer,
                f"{known.code} was issued by {known.issuer} (gazetteer of known documents); the text attributes it to {ref.issuer}.",
                evidence=[known_fact(known, f"issued by {known.issuer}")], confidence=0.8,
            )
        )
    return out


def _central(issuer: str) -> bool:
    codes = gazetteer.issuer_codes()
    return any(codes[c].level == "central" for c in issuer_codes_named(issuer) if c in codes)


def _same_body(stated: str, known: str) -> bool:
    a, b = _body(stated), _body(known)
    return a == b or a.startswith(b) or b.startswith(a)


def _body(name: str) -> str:
    folded = gazetteer.fold(" ".join(name.split()))
    for title in _TITLES:
        if folded.startswith(title) and len(folded) > len(title) + 3:
            return folded[len(title):]
    return folded
