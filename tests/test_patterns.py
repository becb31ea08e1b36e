"""extractors.patterns: a trie of words matches what the longest-first alternation of the same words matches."""
from __future__ import annotations

import re as std_re

import regex as re
from hypothesis import given
from hypothesis import strategies as st

from extractors.patterns import trie

# few letters, so that words share prefixes and texts hold them often
WORDS = st.lists(st.text(alphabet="abđ ", min_size=1, max_size=6).map(str.strip).filter(bool), min_size=1, max_size=8)
TEXTS = st.text(alphabet="abđ \n", max_size=40)


def _flat(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


@given(WORDS, TEXTS)
def test_a_trie_finds_what_the_longest_first_alternation_finds(words, text):
    for engine in (re, std_re):
        flat = engine.compile(f"(?:{_flat(words)})(?![a])")
        shaped = engine.compile(trie(words, space=r"\s+") + "(?![a])")
        assert [m.span() for m in shaped.finditer(text)] == [m.span() for m in flat.finditer(text)]


def test_a_trie_of_one_word_is_the_word():
    assert trie(["ubnd"]) == "ubnd"
    assert re.fullmatch(trie(["sở", "sở kh&cn"]), "sở kh&cn")
