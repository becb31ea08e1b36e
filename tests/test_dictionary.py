"""`baocao query --schema` and docs/data-dictionary.md: generated from pipeline/store/schema.py, in line with DATASET.md."""
from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.store.schema import TABLES
from tests.helpers import ROOT, shared

runner = CliRunner()
DICTIONARY = ROOT / "docs" / "data-dictionary.md"
REGENERATE = "baocao run && baocao query --schema --format markdown -o docs/data-dictionary.md"


def contract_columns(text: str) -> dict[str, dict[str, tuple[str | None, bool]]]:
    """DATASET.md's tables of columns: table -> column -> (type or None when not given, stated nullable)."""
    tables: dict[str, dict] = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"## (\w+) — ", line)
        if heading:
            current = tables.setdefault(heading.group(1), {})
            continue
        if current is None or not line.startswith("|") or line.startswith("|---") or line.startswith("| column"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        names = [n.strip() for n in cells[0].split(",")]
        parts = [p.strip() for p in cells[1].split(",") if p.strip()]
        nullable = "nullable" in parts
        types = [p for p in parts if p != "nullable"]
        for i, name in enumerate(names):
            current[name] = (types[i] if len(types) == len(names) else types[0] if len(types) == 1 else None, nullable)
    return tables


def schema_rows(*args: str) -> list[dict]:
    result = runner.invoke(app, ["query", "--schema", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_schema_agrees_with_dataset_md():
    contract = contract_columns(shared("DATASET.md").read_text(encoding="utf-8"))
    assert {"documents", "blocks", "references", "quantities", "agencies", "findings", "errors"} <= set(contract)
    assert sum(len(cols) for cols in contract.values()) > 60  # the parser read the tables
    ours = {(r["table"], r["column"]): r for r in schema_rows()}
    for table, columns in contract.items():
        for column, (type_, nullable) in columns.items():
            row = ours.get((table, column))
            assert row is not None, f"DATASET.md names {table}.{column}; --schema does not"
            if type_:
                assert row["type"] == type_, f"{table}.{column}: {row['type']} here, {type_} in DATASET.md"
            if nullable:
                assert row["nullable"], f"{table}.{column} may be null per DATASET.md"
            assert row["meaning"], f"{table}.{column} has no meaning"


def test_schema_lists_every_declared_column_with_its_meaning():
    rows = schema_rows()
    assert [(r["table"], r["column"], r["meaning"]) for r in rows] == [
        (t.name, c.name, c.meaning) for t in TABLES.values() for c in t.columns
    ]
    result = runner.invoke(app, ["query", "--schema"])
    assert result.exit_code == 0
    shown = " ".join(result.output.split())  # a long title wraps at the terminal's width
    for t in TABLES.values():
        assert f"{t.name}: {t.meaning}" in shown


def test_examples_come_from_the_dataset_and_undeclared_tables_show(synthetic_dataset: Path):
    rows = schema_rows("-d", str(synthetic_dataset))
    examples = {(r["table"], r["column"]): r["example"] for r in rows}
    assert examples[("documents", "province")] in {"Lâm Đồng", "Quảng Ngãi"}
    assert examples[("blocks", "kind")] == "table_cell"  # its blocks are one table's cells
    assert examples[("cited_documents", "code")]  # made by the registry stage
    undeclared = {r["column"] for r in rows if r["table"] == "annotations"}
    assert undeclared == {"doc_id", "note", "reviewer"}
    assert all("not declared" in r["meaning"] for r in rows if r["table"] == "annotations")
    assert not any("not declared" in r["meaning"] for r in rows if r["table"] in TABLES)


def test_a_table_without_rows_gives_no_example(tmp_path: Path):
    (tmp_path / "in").mkdir()
    assert runner.invoke(app, ["run", str(tmp_path / "in"), "-o", str(tmp_path / "ds")]).exit_code == 0
    rows = schema_rows("-d", str(tmp_path / "ds"))
    assert rows and all(r.get("example") is None for r in rows)


def test_data_dictionary_is_up_to_date(default_dataset: Path, tmp_path: Path):
    fresh = tmp_path / "data-dictionary.md"
    result = runner.invoke(app, ["query", "--schema", "--format", "markdown", "-d", str(default_dataset), "-o", str(fresh)])
    assert result.exit_code == 0, result.output
    assert DICTIONARY.exists(), f"docs/data-dictionary.md is missing: {REGENERATE}"
    assert DICTIONARY.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        f"docs/data-dictionary.md is out of date (the schema or the corpus output changed): {REGENERATE}"
    )
    text = fresh.read_text(encoding="utf-8")
    for name in TABLES:
        assert f"\n## {name}\n" in text
    assert "| `code` | string | yes |" in text and "57-NQ/TW" in text
