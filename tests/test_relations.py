"""Relations between citations in a sentence (tests/cases/relations.yaml)."""
from __future__ import annotations

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from extractors.references import find_references
from extractors.relations import _clause_starts, link
from tests.helpers import load_cases

CASES = load_cases("relations.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    refs = find_references(case["text"], offset=7)
    link(case["text"], refs, offset=7)
    by_start = {r.start: r for r in refs}
    got = {r.code: [r.relation, by_start[r.head_start].code if r.head_start is not None else None] for r in refs}
    assert got == case["expect"]


@given(st.text(alphabet=".;:!?-+•\n \t\x1cab", max_size=40))
def test_clause_starts_are_those_of_the_one_pattern(text):
    one = regex.compile(r"(?:^|[.;:!?]\s+|\n)(?:\s*[-+•]\s*)?")
    assert _clause_starts(text) == [m.end() for m in one.finditer(text)]
