"""Session fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT


@pytest.fixture(scope="session")
def corpus_dataset(tmp_path_factory) -> Path:
    """The dataset `baocao run` writes for corpus/, built once per test session."""
    from pipeline.run import run

    out = tmp_path_factory.mktemp("run") / "dataset"
    summary = run([ROOT / "corpus"], out)
    assert summary.failed == 0
    return out
