"""Which tracked indicator a measure phrase names (`tỷ lệ hồ sơ trực tuyến toàn trình` -> online dossiers)."""
from __future__ import annotations

from functools import cache, lru_cache

import regex as re

from gazetteer import fold, indicators


@cache
def _spellings() -> dict[str, str]:
    return {fold(s): ind.name for ind in indicators() for s in ind.spellings}


@cache
def _indicator_re() -> re.Pattern:
    """Every spelling as a whole-word alternation over folded text, longest first."""
    alternatives = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in sorted(_spellings(), key=len, reverse=True))
    return re.compile(rf"(?<![\p{{L}}\d])(?:{alternatives})(?![\p{{L}}\d])")


def indicator_of(phrase: str | None) -> str | None:
    """The indicator whose longest spelling the phrase contains, if any."""
    return _indicator_of(phrase) if phrase else None


@lru_cache(maxsize=1 << 14)
def _indicator_of(phrase: str) -> str | None:
    """Measures repeat (every figure of a row, every report of a kind): each phrase is matched once per process."""
    found = [m.group(0) for m in _indicator_re().finditer(fold(phrase))]
    if not found:
        return None
    return _spellings().get(" ".join(max(found, key=len).split()))
