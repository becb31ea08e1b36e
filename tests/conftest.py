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


@pytest.fixture(scope="session")
def default_dataset(tmp_path_factory) -> Path:
    """The dataset as the README makes it: `baocao run` in the repository, so source paths read corpus/...."""
    import os

    from pipeline.run import run

    out = tmp_path_factory.mktemp("default") / "dataset"
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        summary = run([Path("corpus")], out)
    finally:
        os.chdir(here)
    assert summary.failed == 0
    return out


@pytest.fixture(scope="session")
def synthetic_dataset(tmp_path_factory) -> Path:
    """A hand-made dataset with every table filled (tests/synthetic.py)."""
    from tests import synthetic

    return synthetic.write(tmp_path_factory.mktemp("synthetic") / "dataset")
