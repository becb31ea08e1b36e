"""A run never loses a user's files: it only ever replaces a folder baocao wrote, never its inputs,
and changes nothing when an input path is wrong (issue 11, data loss)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.discover import InputError
from pipeline.run import run
from pipeline.store.commit import OutputError
from pipeline.store.writer import DatasetWriter

runner = CliRunner()


def write_report(folder: Path, name: str, code: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"Thực hiện Kế hoạch số {code} ngày 28/03/2025 của UBND tỉnh.\n", encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    inp = tmp_path / "in"
    write_report(inp, "a.txt", "1/KH-UBND")
    write_report(inp, "b.txt", "2/KH-UBND")
    return inp


def test_a_folder_with_someone_elses_manifest_is_not_replaced(tmp_path: Path, corpus: Path):
    app_dir = tmp_path / "webapp"
    app_dir.mkdir()
    (app_dir / "manifest.json").write_text(json.dumps({"name": "my app", "start_url": "/"}), encoding="utf-8")
    (app_dir / "index.html").write_text("<html></html>", encoding="utf-8")
    before = snapshot(app_dir)
    with pytest.raises(OutputError, match="did not write"):
        run([corpus], app_dir)
    assert snapshot(app_dir) == before


def test_the_output_is_never_the_input_folder_or_inside_it(tmp_path: Path, corpus: Path):
    before = snapshot(corpus)
    with pytest.raises(InputError, match="the input folder"):
        run([corpus], corpus)
    with pytest.raises(InputError, match="inside the input folder"):
        run([corpus], corpus / "dataset")
    assert snapshot(corpus) == before
    assert not list(tmp_path.glob(".baocao-*")) and not list(corpus.glob(".baocao-*"))


def test_an_input_inside_the_output_folder_is_refused(tmp_path: Path, corpus: Path):
    out = tmp_path / "out"
    run([corpus], out)
    with pytest.raises(InputError, match="inside the output folder"):
        run([out / "documents"], out)


def test_user_files_inside_a_dataset_are_never_deleted(tmp_path: Path, corpus: Path):
    out = tmp_path / "out"
    run([corpus], out)
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    (out / "references" / "mine.csv").write_text("a,b\n", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(OutputError, match="notes.txt, references/mine.csv"):
        run([corpus], out, incremental=False)
    assert snapshot(out) == before


def test_a_link_planted_in_a_dataset_is_foreign(tmp_path: Path, corpus: Path):
    out = tmp_path / "out"
    run([corpus], out)
    (out / "documents" / "elsewhere.parquet").symlink_to(tmp_path)
    with pytest.raises(OutputError, match="documents/elsewhere.parquet"):
        run([corpus], out)


def test_files_put_into_the_dataset_during_a_run_stop_the_commit(tmp_path: Path, corpus: Path, monkeypatch):
    out = tmp_path / "out"
    run([corpus], out)
    write_report(corpus, "c.txt", "3/KH-UBND")
    import pipeline.run as run_module

    real = run_module.finalize

    def meanwhile(staging, processes=1):
        (out / "draft.docx").write_bytes(b"user's work")
        return real(staging, processes)

    monkeypatch.setattr(run_module, "finalize", meanwhile)
    before = snapshot(out)
    with pytest.raises(OutputError, match="draft.docx"):
        run([corpus], out)
    assert snapshot(out) == {**before, "draft.docx": b"user's work"}
    assert not list(tmp_path.glob(".baocao-staging-*"))


def test_a_mistyped_input_changes_nothing_even_with_prune(tmp_path: Path, corpus: Path, monkeypatch):
    out = tmp_path / "out"
    run([corpus], out)
    before = snapshot(out)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "inn", "-o", str(out), "--prune", "-q"])
    assert result.exit_code == 2
    assert "not found: inn" in result.output
    assert snapshot(out) == before


def test_clean_up_never_touches_another_outputs_work_folders(tmp_path: Path, corpus: Path):
    # a run writing out/ds-2025 is in progress while a run on out/ds starts and commits
    other = DatasetWriter(tmp_path / "ds-2025")
    try:
        run([corpus], tmp_path / "ds")
        assert other.staging.is_dir()
        other.commit({})
    finally:
        other.abort()
    assert (tmp_path / "ds-2025" / "manifest.json").exists()


def test_a_dataset_written_before_the_marker_is_still_recognized(tmp_path: Path, corpus: Path):
    out = tmp_path / "out"
    run([corpus], out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    del manifest["generator"]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    summary = run([corpus], out)
    assert summary.skipped == 2
