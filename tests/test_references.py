"""Citation extraction, case by case from tests/cases/references.yaml."""
from __future__ import annotations

import sys

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

import gazetteer
from extractors.references import (
    _ANAPHORA_WORDS,
    _ANY_CASE_STOPS,
    _ANY_SPACE,
    _SENT_BREAK,
    _GLUED_TYPES,
    _ISSUER_STOPS,
    _LAW_WORDS,
    _STANDARD_TYPES,
    _URL,
    _URL_STARTS,
    _literal_starts,
    _matches_at,
    _occurrences,
    _patterns,
    _starts,
    _starts_stop,
    _words_before,
    find_references,
    sentence_around,
)
from tests.helpers import load_cases

CASES = load_cases("references.yaml")
FIELDS = {
    "surface": "surface",
    "doc_type": "doc_type",
    "code": "code",
    "number": "number",
    "date": "issued_date",
    "issuer": "issuer",
    "short": "is_short_form",
    "kind": "cite_kind",
    "conflict": "type_conflict",
    "name": "name",
    "subject": "subject",
    "repaired": "repaired",
    "reason": "repair_reason",
}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    refs = find_references(case["text"])
    got = [
        {key: getattr(r, attr) for key, attr in FIELDS.items()} for r in refs
    ]
    assert len(refs) == len(case["expect"]), [g["surface"] for g in got]
    for ref, g, want in zip(refs, got, case["expect"]):
        for key, value in want.items():
            assert g[key] == value, (g["surface"], key)
        assert case["text"][ref.start : ref.end] == ref.surface


def test_offsets_are_shifted():
    text = "theo Kế hoạch số 198/KH-UBND ngày 28/03/2025."
    (ref,) = find_references(text, offset=100)
    assert (ref.start, ref.end) == (105, 100 + text.index("."))
    assert ref.sentence == text


def test_sentence_is_the_one_around():
    text = "Câu đầu tiên. Thực hiện Kế hoạch số 198/KH-UBND của UBND tỉnh. Câu sau."
    (ref,) = find_references(text)
    assert ref.sentence == "Thực hiện Kế hoạch số 198/KH-UBND của UBND tỉnh."


# --- the faster scans find what the plain scans find -----------------------------------

_PIECES = [
    "Nghị quyết", "NGHỊ QUYẾT", "nghị quyết liên tịch", "Thông báo kết luận", "kết luận", "Kế hoạch", "Quy chế phối hợp",
    "Chương trình", "Đề án", "số", "SỐ", "ſố", "İ", "57", "06", "2025", "12a", "/", "-", "%", "năm", "về", "của",
    " ", " ", "  ", "\n", "\u00a0", "\x1c", ",", "x",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_short_forms_scan_only_where_a_type_word_starts(pieces):
    p = _patterns()
    text = "".join(pieces)
    starts = _starts(p["short_starts"], text)
    for name in ("short", "short_so"):
        want = [(m.span(), m.groupdict()) for m in p[name].finditer(text)]
        assert [(m.span(), m.groupdict()) for m in _matches_at(p[name], text, starts)] == want


@given(st.lists(st.sampled_from([*_ISSUER_STOPS, "VỀ VIỆC", "Ban Hành", "V/V", "Về", "x", "a", " ", ",", "İ", "1"]), max_size=4))
def test_issuer_stops_as_the_plain_loop_finds_them(pieces):
    text = "".join(pieces)

    def plain(pos):
        head = text[pos : pos + 16]
        for stop in _ISSUER_STOPS:
            hay = head.lower() if stop in _ANY_CASE_STOPS else head
            if hay.startswith(stop) and (len(hay) == len(stop) or not hay[len(stop)].isalpha()):
                return True
        return False

    assert [_starts_stop(text, i) for i in range(len(text))] == [plain(i) for i in range(len(text))]


_LITERAL_PIECES = ["nêu trên", "NÊU TRÊN", "Nói trên", "đã nêu", "Đã nêu trên đây", "vừa", "nêu", " ", "  ", "trên", "ſ", "İ",
                   "HTTP://", "https://x", "Www.", "www", ".vn", "\n", "=", "%E1", "x"]


@given(st.lists(st.sampled_from(_LITERAL_PIECES), max_size=12))
def test_literal_starts_find_every_match(pieces):
    text = "".join(pieces)
    tail = _patterns()["anaphora_tail"]
    want = [m.span() for m in tail.finditer(text, overlapped=True)]
    assert [m.span() for m in _matches_at(tail, text, _literal_starts(_ANAPHORA_WORDS, text), overlapped=True)] == want
    assert [m.span() for m in _matches_at(_URL, text, _literal_starts(_URL_STARTS, text))] == [m.span() for m in _URL.finditer(text)]


def test_lower_case_stands_in_for_ignoring_case():
    """The scans above find starts in the lower-cased text: every character the regex module's (?i)
    equates with a letter of the words they look for lower-cases to it, but İ (it changes the
    text's length) and ſ (read as s), for which they fall back to the plain scan."""
    words = [w for d in gazetteer.doc_types().values() for w in (d.name, *d.variants)]
    letters = {ch for w in [*words, *_ANAPHORA_WORDS, *_URL_STARTS, "số"] for ch in w.lower() if not ch.isspace()}
    cased = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).lower() != chr(c) or chr(c).upper() != chr(c)]
    for x in letters:
        same = regex.compile(f"(?i){regex.escape(x)}")
        assert all(c.lower() == x for c in cased if same.fullmatch(c) and c not in "İſ"), x


_CASED_PIECES = [*_LAW_WORDS, *_GLUED_TYPES, *_STANDARD_TYPES, "ISO/IEC", "TCVN ISO", "Bộ", "bộ", "57", "9001:2015", ":2009/BKHCN",
                 " ", "\n", "x", "X", "-", "/"]


@given(st.lists(st.sampled_from(_CASED_PIECES), max_size=14))
def test_occurrences_find_every_match(pieces):
    text = "".join(pieces)
    p = _patterns()
    for name, words in (("law", _LAW_WORDS), ("glued_short", _GLUED_TYPES), ("standard", tuple(_STANDARD_TYPES))):
        want = [m.span() for m in p[name].finditer(text)]
        assert [m.span() for m in _matches_at(p[name], text, _occurrences(words, text))] == want, name


def test_any_space_is_whitespace_to_python_or_the_regex_module():
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    spaces = {c for c in every if c.isspace()} | set(regex.findall(r"\s", every))
    assert set(regex.findall(_ANY_SPACE, every)) == spaces


@given(st.text(alphabet="ab \n\t\x1c\u00a0\u2003.", max_size=20), st.integers(0, 20), st.integers(0, 5))
def test_words_before_as_a_loop_over_the_characters(text, pos, words):
    pos = min(pos, len(text))

    def space(ch):
        return ch.isspace() or regex.match(r"\s", ch) is not None

    i = pos
    for _ in range(words):
        while i > 0 and space(text[i - 1]):
            i -= 1
        while i > 0 and not space(text[i - 1]):
            i -= 1
    assert _words_before(text, pos, words) == i


@given(st.text(alphabet="aB1 .!?…\n-“(", max_size=40), st.integers(0, 40), st.integers(0, 10), st.integers(1, 12))
def test_sentence_starts_after_the_last_break_the_forward_scan_finds(text, start, length, reach):
    start = min(start, len(text))
    end = min(len(text), start + length)
    lo = max(0, start - reach)
    s = lo
    for m in _SENT_BREAK.finditer(text, lo, start):
        s = m.end()
    m = _SENT_BREAK.search(text, end, min(len(text), end + reach))
    assert sentence_around(text, start, end, reach) == text[s : m.end() if m else min(len(text), end + reach)].strip()
