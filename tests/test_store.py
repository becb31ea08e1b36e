"""Committing the dataset: all or nothing, never over a folder that is not a dataset."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.run import run
from pipeline.store.commit import OutputError, recover
from pipeline.store.writer import DatasetWriter


def write_report(folder: Path, name: str, code: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"Thực hiện Kế hoạch số {code} ngày 28/03/2025 của UBND tỉnh.\n", encoding="utf-8")


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def test_rerun_replaces_the_dataset(tmp_path: Path):
    inp, out = tmp_path / "in", tmp_path / "out"
    write_report(inp, "a.txt", "1/KH-UBND")
    run([inp], out)
    write_report(inp, "b.txt", "2/KH-UBND")
    run([inp], out)
    assert manifest(out)["row_counts"]["documents"] == 2
    assert not list(tmp_path.glob(".baocao-staging-*"))


def test_a_failed_run_leaves_the_previous_dataset(tmp_path: Path, monkeypatch):
    inp, out = tmp_path / "in", tmp_path / "out"
    write_report(inp, "a.txt", "1/KH-UBND")
    run([inp], out)
    before = manifest(out)
    write_report(inp, "b.txt", "2/KH-UBND")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("pipeline.store.writer.swap_into_place", boom)
    with pytest.raises(RuntimeError):
        run([inp], out)
    assert manifest(out) == before
    assert not list(tmp_path.glob(".baocao-staging-*"))


def test_refuses_a_folder_that_is_not_a_dataset(tmp_path: Path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(OutputError):
        DatasetWriter(out)
    assert (out / "notes.txt").read_text() == "keep me"


def test_recovers_from_a_crash_between_renames(tmp_path: Path):
    inp, out = tmp_path / "in", tmp_path / "out"
    write_report(inp, "a.txt", "1/KH-UBND")
    run([inp], out)
    before = manifest(out)
    # the fallback commit renames out away, then staging in; a crash in between leaves only the old copy
    out.rename(tmp_path / ".baocao-old-out-deadbeef")
    recover(out)
    assert manifest(out) == before


def test_one_writer_at_a_time(tmp_path: Path):
    out = tmp_path / "out"
    first = DatasetWriter(out)
    with pytest.raises(OutputError):
        DatasetWriter(out)
    first.abort()
    DatasetWriter(out).abort()


def test_failing_stages_become_error_rows(tmp_path: Path, monkeypatch):
    import pyarrow.dataset as ds

    from extractors.component import Component
    from pipeline import corpus
    from pipeline.document import extract

    def broken(*args):
        raise ValueError("bug")

    monkeypatch.setattr(corpus, "STAGES", [("audit", broken)])
    steps = tuple(Component(c.name, broken, c.reads) if c.name == "quantities" else c for c in extract.components())
    monkeypatch.setattr(extract, "components", lambda: steps)
    inp, out = tmp_path / "in", tmp_path / "out"
    write_report(inp, "a.txt", "1/KH-UBND")
    summary = run([inp], out)
    assert summary.read == 1
    errors = ds.dataset(out / "errors").to_table().to_pylist()
    assert sorted((e["stage"], e["error_type"]) for e in errors) == [("audit", "audit_failed"), ("extract", "quantities_failed")]
    assert manifest(out)["row_counts"]["references"] == 1
