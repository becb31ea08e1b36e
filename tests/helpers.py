"""Helpers for the tests: repository paths, case tables, the shared material beside the repo."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CASES = Path(__file__).resolve().parent / "cases"


def load_cases(name: str) -> list[dict]:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


def shared(*parts: str) -> Path:
    """A path under ../shared; the test is skipped when the shared material is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared beside the repository)")
    return path
