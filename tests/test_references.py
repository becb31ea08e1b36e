"""Citation extraction, case by case from tests/cases/references.yaml."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.references import _ANY_CASE_STOPS, _ISSUER_STOPS, _matches_at, _patterns, _starts, _starts_stop, find_references
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
