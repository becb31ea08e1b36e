"""The dataset on disk: its schema, the rows of each table, the writer, the commit, the staged tables.

Where a dataset is when no one says: $BAOCAO_DATASET, else outputs/dataset
(every command and the Python API agree on it).
"""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATASET = Path("outputs/dataset")
DATASET_ENV = "BAOCAO_DATASET"


def default_dataset() -> Path:
    return Path(os.environ.get(DATASET_ENV) or DEFAULT_DATASET)
