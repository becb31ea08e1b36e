"""The notebooks run top to bottom, on the corpus dataset and on the hand-made one (every table filled)."""
from __future__ import annotations

import io
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.helpers import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == ["01_overview.ipynb", "02_nq57_audit.ipynb", "03_indicators.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name}: clear the outputs before committing"


def _execute(path: Path, dataset: Path, monkeypatch) -> nbformat.NotebookNode:
    # the kernel inherits the environment: this is how the notebook finds the dataset, and this repository's baocao
    monkeypatch.setenv("BAOCAO_DATASET", str(dataset))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws the figures
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _figures(nb) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))


def _text(nb) -> str:
    return "\n".join(
        out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
        for cell in nb.cells
        for out in cell.get("outputs", [])
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_on_the_corpus_dataset(path: Path, default_dataset: Path, monkeypatch):
    nb = _execute(path, default_dataset, monkeypatch)  # raises CellExecutionError when a cell fails
    assert _figures(nb) >= 4
    if path.stem.startswith("02"):
        assert "02-KH/BCĐTW" in _text(nb)  # the date conflict the corpus holds
    if path.stem.startswith("03"):
        _the_readme_figure_is_this_one(nb)


def _the_readme_figure_is_this_one(nb) -> None:
    """docs/indicators.png is the notebook's figure on the sample corpus, made by scripts/notebook_figure.py."""
    import importlib.util

    from PIL import Image, ImageChops

    spec = importlib.util.spec_from_file_location("notebook_figure", ROOT / "scripts" / "notebook_figure.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    drawn = Image.open(io.BytesIO(script.tagged_png(nb)))
    committed = ROOT / "docs" / "indicators.png"
    assert committed.exists() and "docs/indicators.png" in (ROOT / "README.md").read_text(encoding="utf-8")
    stale = "docs/indicators.png is out of date: python scripts/notebook_figure.py"
    assert Image.open(committed).size == drawn.size, stale
    diff = ImageChops.difference(Image.open(committed).convert("L"), drawn.convert("L"))
    assert sum(i * n for i, n in enumerate(diff.histogram())) / (drawn.size[0] * drawn.size[1]) < 2, stale


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_where_every_table_is_filled(path: Path, synthetic_dataset: Path, monkeypatch):
    nb = _execute(path, synthetic_dataset, monkeypatch)
    text = _text(nb)
    assert "No findings" not in text and "no citation_edges" not in text and "no cited_documents" not in text
    assert "No quantities" not in text and "has a known period" not in text
    assert _figures(nb) >= (6 if path.stem.startswith("02") else 5)


def test_default_dataset_path_is_where_baocao_run_writes():
    # run from notebooks/, the parameter cell's default must reach outputs/dataset
    nb = nbformat.read(ROOT / "notebooks" / "01_overview.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert '"../outputs/dataset"' in params.source
    assert os.path.normpath(ROOT / "notebooks" / "../outputs/dataset") == str(ROOT / "outputs" / "dataset")
