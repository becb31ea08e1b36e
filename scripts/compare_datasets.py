"""Compare two baocao datasets table by table and row by row (refactorings must leave them identical).

    python scripts/compare_datasets.py OLD NEW [--ignore-columns pipeline_version,...]

Every table folder of either dataset is read in its stored order and compared
row by row; the first differences of each table are printed. The manifest's
run details (times, paths of the run) differ between any two runs and are not
compared; its row counts are. Exit code 0 when identical, 1 when not.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pyarrow.dataset as ds

SHOW = 5  # differences printed per table


def table_rows(dataset: Path, name: str, ignore: set[str]) -> tuple[list[str], list[dict]]:
    folder = dataset / name
    if not folder.is_dir():
        return [], []
    table = ds.dataset(folder, format="parquet").to_table()
    columns = [c for c in table.column_names if c not in ignore]
    return columns, table.select(columns).to_pylist()


def compare(old: Path, new: Path, ignore: set[str]) -> list[str]:
    problems: list[str] = []
    names = sorted({p.name for d in (old, new) for p in d.iterdir() if p.is_dir()})
    for name in names:
        old_cols, old_rows = table_rows(old, name, ignore)
        new_cols, new_rows = table_rows(new, name, ignore)
        if old_cols != new_cols:
            gone = [c for c in old_cols if c not in new_cols]
            added = [c for c in new_cols if c not in old_cols]
            problems.append(f"{name}: columns differ (only in old: {gone}; only in new: {added})")
            common = [c for c in old_cols if c in new_cols]
            old_rows = [{c: r[c] for c in common} for r in old_rows]
            new_rows = [{c: r[c] for c in common} for r in new_rows]
        if len(old_rows) != len(new_rows):
            problems.append(f"{name}: {len(old_rows)} rows in old, {len(new_rows)} in new")
        shown = 0
        for i, (a, b) in enumerate(zip(old_rows, new_rows)):
            if a != b:
                diff = {c: (a.get(c), b.get(c)) for c in a if a.get(c) != b.get(c)}
                problems.append(f"{name} row {i}: " + "; ".join(f"{c}: {x!r:.80} -> {y!r:.80}" for c, (x, y) in diff.items()))
                shown += 1
                if shown >= SHOW:
                    problems.append(f"{name}: ... more rows differ")
                    break
    old_counts = json.loads((old / "manifest.json").read_text(encoding="utf-8")).get("row_counts")
    new_counts = json.loads((new / "manifest.json").read_text(encoding="utf-8")).get("row_counts")
    if old_counts != new_counts:
        problems.append(f"manifest row counts: {old_counts} -> {new_counts}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--ignore-columns", default="", help="comma-separated columns not to compare")
    args = parser.parse_args(argv)
    problems = compare(args.old, args.new, {c for c in args.ignore_columns.split(",") if c})
    for line in problems:
        print(line)
    print("identical" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
