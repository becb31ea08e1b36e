"""baocao as a spaCy component (extra `baocao[spacy]`): spans and entities on a blank Vietnamese pipeline, and displaCy."""
from __future__ import annotations

import unicodedata

import pytest

from tests.helpers import ROOT

spacy = pytest.importorskip("spacy", reason="spaCy is an optional extra: pip install -e '.[spacy]'")

from baocao import nlp as bnlp  # noqa: E402  (after the skip: the module needs spaCy)

TEXT = (
    "Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị, đến nay đã hoàn thành 18/20 nhiệm vụ, "
    "đạt 90%.\nUBND tỉnh Quảng Ngãi ban hành Kế hoạch số 198/KH-UBND ngày 28/3/2025 với kinh phí 308 tỷ đồng."
)


def test_spans_and_entities():
    doc = bnlp.blank()(TEXT)
    citations = doc.spans["citations"]
    assert [s.text for s in citations] == ["Nghị quyết số 57-NQ/TW ngày 22/12/2024", "Kế hoạch số 198/KH-UBND ngày 28/3/2025"]
    assert [s.label_ for s in citations] == ["Nghị quyết", "Kế hoạch"]
    assert citations[0]._.baocao["code"] == "57-NQ/TW" and str(citations[0]._.baocao["issued_date"]) == "2024-12-22"
    quantities = {s.text: s.label_ for s in doc.spans["quantities"]}
    assert quantities["18/20 nhiệm vụ"] == "ratio" and quantities["90%"] == "percent" and quantities["308 tỷ đồng"] == "money"
    assert doc.spans["quantities"][0]._.baocao["value"] == 18
    ents = {e.text: (e.label_, e.kb_id_) for e in doc.ents}
    assert ents["Bộ Chính trị"] == ("party", "Bộ Chính trị")
    assert ents["UBND tỉnh Quảng Ngãi"] == ("government", "Ủy ban nhân dân tỉnh Quảng Ngãi")


def test_add_pipe_on_a_blank_vietnamese_pipeline_and_displacy():
    nlp = spacy.blank("vi", config=bnlp.VI_CONFIG)  # spaCy's own Vietnamese tokenizer, without pyvi
    nlp.add_pipe("baocao", config={"agencies_as_ents": False})
    doc = nlp(TEXT)
    assert "57-NQ/TW" in [s._.baocao["code"] for s in doc.spans["citations"]] and not doc.ents
    page = spacy.displacy.render(doc, style="span", options={"spans_key": "citations"}, page=True)
    assert "57-NQ/TW" in page and "Nghị quyết" in page
    ents = spacy.displacy.render(bnlp.blank()(TEXT), style="ent")
    assert "Bộ Chính trị" in ents and "party" in ents


def test_the_component_finds_what_the_pipeline_finds():
    text = (ROOT / "corpus" / "002_8056d9e22a67d95b.txt").read_text(encoding="utf-8")
    text = unicodedata.normalize("NFC", text)
    doc = bnlp.blank()(text)
    found = bnlp.find(text)["references"]
    assert len(doc.spans["citations"]) == len(found) > 20
    assert all(s.start_char <= r.start and s.end_char >= r.end for s, r in zip(doc.spans["citations"], found))


def test_text_must_be_nfc():
    with pytest.raises(ValueError, match="NFC"):
        bnlp.blank()(unicodedata.normalize("NFD", TEXT))
