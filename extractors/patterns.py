"""Pattern pieces the extractors build from word lists.

The regex module tries every branch of a flat alternation (`ubnd|uỷ ban|...`) at
every position it scans; the same words as a trie (`u(?:bnd|ỷ ban)`) share their
prefixes, so a position that cannot start any word costs one character test.
On the agencies' 68 first words that made a scan 1.8x faster.
"""
from __future__ import annotations

import regex as re


def trie(words, space: str | None = None) -> str:
    """An alternation matching exactly what `|`.join(longest first) of `words` matches, as a trie.

    At each node the longer continuations come first and ending there is the last
    choice, so the longest word wins as in a longest-first alternation. `space`:
    what a space in a word matches (e.g. `\\s+`); else a literal space.
    """
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(root, space)


def _emit(node: dict, space: str | None) -> str:
    branches = [(space if space and ch == " " else re.escape(ch)) + _emit(child, space)
                for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in node else body
