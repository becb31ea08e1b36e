"""baocao as a spaCy pipeline component (the optional extra `baocao[spacy]`).

    import spacy
    import baocao.nlp                              # registers the factory (installed, the entry point does it too)

    nlp = baocao.nlp.blank()                       # a blank Vietnamese pipeline that needs no pyvi, with "baocao" added
    # or: nlp = spacy.blank("vi", config=baocao.nlp.VI_CONFIG); nlp.add_pipe("baocao")
    doc = nlp("Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị, 18/20 nhiệm vụ đã hoàn thành.")
    doc.spans["citations"]                         # [Nghị quyết số 57-NQ/TW ngày 22/12/2024]; span.label_ = Nghị quyết
    doc.spans["citations"][0]._.baocao["code"]     # '57-NQ/TW' (every parsed field of the citation)
    doc.spans["quantities"]                        # [18/20 nhiệm vụ]; span.label_ = ratio
    doc.ents                                       # (Bộ Chính trị,): label_ = the body's kind (party), kb_id_ its full name
    spacy.displacy.render(doc, style="span", options={"spans_key": "citations"})

The component runs baocao's own extractors (rules and the gazetteer, nothing
downloaded) on the doc's text, one block per line, and maps their character
spans onto the doc's tokens (a span's edges widen to the tokens they fall in).
spaCy's Vietnamese tokenizer wants pyvi for word segmentation; baocao does not
need words, so VI_CONFIG turns it off (it then splits on spaces), and `blank()`
also takes punctuation off the ends of tokens.
The text should be NFC (`unicodedata.normalize("NFC", text)`), as baocao's own
documents are: the offsets are those of the doc's text, so the component does
not normalise it for you.
"""
from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.document.extract import extract
from pipeline.models import Block, DocResult, Document

VI_CONFIG = {"nlp": {"tokenizer": {"use_pyvi": False}}}
KEYS = ("citations", "quantities")  # doc.spans keys; agencies are doc.ents

if not Span.has_extension("baocao"):
    Span.set_extension("baocao", default=None)  # the parsed fields of what the span is


class BaocaoComponent:
    """Sets doc.spans["citations"], doc.spans["quantities"] and the agencies as doc.ents."""

    def __init__(self, nlp: Language, name: str, agencies_as_ents: bool = True):
        self.name = name
        self.agencies_as_ents = agencies_as_ents

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        if not unicodedata.is_normalized("NFC", text):
            raise ValueError("baocao reads NFC text: pass unicodedata.normalize('NFC', text) to the pipeline.")
        found = find(text.replace("\u00d0", "\u0110"))  # Ð typed for Đ: one character for one, offsets kept
        doc.spans["citations"] = _spans(doc, found.get("references") or [], lambda r: r.doc_type or r.cite_kind)
        doc.spans["quantities"] = _spans(doc, found.get("quantities") or [], lambda q: q.kind)
        agencies = _spans(doc, found.get("agencies") or [], lambda a: (a.kind or a.level or "agency"), kb=lambda a: a.canonical)
        doc.spans["agencies"] = agencies
        if self.agencies_as_ents:
            doc.ents = filter_spans(list(doc.ents) + agencies)
        return doc


def find(text: str) -> dict[str, Any]:
    """What baocao's extractors find in a text: {"references": [...], "quantities": [...], "agencies": [...], ...}."""
    blocks, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            blocks.append(Block("body", line, start=offset, end=offset + len(line)))
        offset += len(line) + 1
    document = Document(doc_id="spacy", source_path="<spacy>", source_format="txt", text=text, blocks=blocks, layout="paragraphs")
    result = DocResult(source_path="<spacy>", document=document)
    extract(document, result)
    return result.found


def _spans(doc: Doc, entities: list, label, kb=None) -> list[Span]:
    out = []
    for e in entities:
        span = doc.char_span(e.start, e.end, label=label(e), kb_id=kb(e) if kb else "", alignment_mode="expand")
        if span is not None:
            span._.baocao = {f.name: getattr(e, f.name) for f in dataclasses.fields(e)}
            out.append(span)
    return out


@Language.factory("baocao", default_config={"agencies_as_ents": True})
def make_baocao(nlp: Language, name: str, agencies_as_ents: bool) -> BaocaoComponent:
    return BaocaoComponent(nlp, name, agencies_as_ents)


def blank() -> Language:
    """A blank Vietnamese pipeline (no pyvi, nothing downloaded) with the baocao component.

    Its tokenizer splits on spaces and takes punctuation off the ends of tokens
    (spaCy's own prefix and suffix rules), so `Bộ Chính trị,` gives the entity
    without its comma; codes and dates (`57-NQ/TW`, `22/12/2024`) stay one token.
    """
    import spacy
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_prefix_regex, compile_suffix_regex

    nlp = spacy.blank("vi", config=VI_CONFIG)
    defaults = nlp.Defaults
    nlp.tokenizer = Tokenizer(nlp.vocab, prefix_search=compile_prefix_regex(defaults.prefixes).search,
                              suffix_search=compile_suffix_regex(defaults.suffixes).search)
    nlp.add_pipe("baocao")
    return nlp
