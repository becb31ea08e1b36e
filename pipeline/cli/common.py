"""What the commands share: the terminal, the dataset option, and printing user data safely."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from pipeline.store import DATASET_ENV, DEFAULT_DATASET

DEFAULT_CORPUS = Path("corpus")

console = Console(stderr=True)  # messages and progress: stdout stays for results


def dataset_option(help: str = "Dataset folder written by `baocao run`.") -> Path:
    """-d/--dataset, defaulting to $BAOCAO_DATASET, else outputs/dataset: the same for every command."""
    return typer.Option(None, "-d", "--dataset", envvar=DATASET_ENV, show_default=False,
                        help=f"{help} Default: ${DATASET_ENV}, else {DEFAULT_DATASET}.")


def require_dataset(dataset: Path | None) -> Path:
    """The dataset folder, or exit 2 saying how to make one."""
    path = dataset if dataset is not None else DEFAULT_DATASET
    if not (path / "manifest.json").exists():
        fail(f"{path} is not a baocao dataset. Run `baocao run` first or pass -d.")
    return path


_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3,
          "t": 1024**4, "tb": 1024**4, "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}


def parse_size(text: str | None, option: str) -> int | None:
    """A size as people write it: 4G, 4GB, 512MB, 1.5g, 4000000000 (bytes); binary units (1G = 1024**3)."""
    if text is None:
        return None
    raw = text.strip().lower().replace(" ", "")
    number = raw.rstrip("kmgtib")
    unit = raw[len(number):]
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if unit not in _UNITS or value < 0:
        fail(f"{option} {text!r} is not a size: write it as 4G, 512MB or a number of bytes.")
    return int(value * _UNITS[unit])


def plain(line: str, style: str | None = None) -> None:
    """Print text that holds user data (paths, messages): square brackets in it are not markup."""
    console.print(line, style=style, markup=False, highlight=False)


def fail(message: str, code: int = 2) -> None:
    plain(message, style="red")
    raise typer.Exit(code)
