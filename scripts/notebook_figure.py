"""Save the figure of a notebook's tagged cell as a PNG: the README's picture of the indicators notebook.

    python scripts/notebook_figure.py [-d DATASET] [-o docs/indicators.png]

runs notebooks/03_indicators.ipynb on the dataset (default: outputs/dataset,
which `baocao run` writes from corpus/) and writes the figure of its cell
tagged `readme-figure`. tests/test_notebooks.py checks that the committed
picture is the one this gives for the sample corpus.
"""
from __future__ import annotations

import argparse
import base64
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "03_indicators.ipynb"
TAG = "readme-figure"


def tagged_png(nb, tag: str = TAG) -> bytes:
    """The first figure an executed notebook drew in the cell with this tag."""
    for cell in nb.cells:
        if tag in cell.metadata.get("tags", []):
            for out in cell.get("outputs", []):
                if "image/png" in out.get("data", {}):
                    return base64.b64decode(out["data"]["image/png"])
    raise LookupError(f"no figure in a cell tagged {tag!r}")


def run(dataset: Path, notebook: Path = NOTEBOOK):
    import nbformat
    from nbclient import NotebookClient

    env = {"BAOCAO_DATASET": str(dataset.resolve()), "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits them: this repository's baocao, the dataset chosen
    try:
        nb = nbformat.read(notebook, as_version=4)
        NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}).execute()
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return nb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--dataset", type=Path, default=ROOT / "outputs" / "dataset")
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "docs" / "indicators.png")
    args = parser.parse_args()
    args.out.write_bytes(tagged_png(run(args.dataset)))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
