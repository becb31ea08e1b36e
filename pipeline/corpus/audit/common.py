"""What several rules share: how a citation is named in a message, edit distance, gazetteer facts as evidence."""
from __future__ import annotations

import csv
from functools import cache

import gazetteer
from pipeline.corpus.audit import Place
from pipeline.corpus.records import Citation

def label(ref: Citation) -> str:
    """How a message names the cited document: its code, the code a short form stands for, a law's name, else the text."""
    if ref.cited_code:
        return ref.cited_code
    if ref.cite_kind == "law" and ref.name:
        return f"{ref.doc_type or 'Luật'} {ref.name}"
    return ref.surface


def at(ref: Citation, note: str) -> Place:
    """A citation as evidence for a finding elsewhere."""
    return Place(ref.doc_id, ref.start, ref.end, ref.sentence, note)


def one_edit(a: str, b: str) -> bool:
    """Damerau distance 1, with Đ/D counted as one substitution (NQ-HDND for NQ-HĐND, NĐ-PC for NĐ-CP)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def replace_last(code: str, old: str, new: str) -> str:
    at_ = code.rfind(old)
    return code[:at_] + new + code[at_ + len(old) :] if at_ >= 0 else code


# --- gazetteer facts as evidence: the file and line an auditor opens ------------------------------


def fact(file: str, column: str, value: str, note: str) -> Place | None:
    """The row of gazetteer/data/`file` whose `column` is `value`, as evidence (None when there is none)."""
    found = _rows_by(file, column).get(value)
    if found is None:
        return None
    line, text = found
    return Place(None, None, None, text, note, source_path=f"gazetteer/data/{file}", line=line)


@cache
def _rows_by(file: str, column: str) -> dict[str, tuple[int, str]]:
    """value of `column` -> (line in the file, the row as written); the first row wins."""
    out: dict[str, tuple[int, str]] = {}
    raw = gazetteer.data_file(file).read_text(encoding="utf-8").splitlines()
    for i, row in enumerate(csv.DictReader(raw)):
        out.setdefault((row.get(column) or "").strip(), (i + 2, raw[i + 1]))
    return out


def known_fact(known: gazetteer.KnownDocument, note: str = "known document") -> Place:
    return fact("known_documents.csv", "code", known.code, note) or Place(None, None, None, known.code, note)


def body_fact(body: gazetteer.Body, note: str) -> Place:
    return Place(None, None, None, f"{body.body}: {body.source}", note, source_path="gazetteer/data/bodies.csv", line=body.line)
