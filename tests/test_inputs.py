"""Inputs: a file is one document however its path is spelled; links, devices and odd names (issue 11)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.document import Limits
from pipeline.run import run

runner = CliRunner()


def write(folder: Path, name: str | bytes, code: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = os.path.join(os.fsencode(folder), name) if isinstance(name, bytes) else folder / name
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"Thực hiện Kế hoạch số {code} ngày 28/03/2025 của UBND tỉnh.\n")


def documents(out: Path) -> list[dict]:
    return pq.read_table(out / "documents", columns=["doc_id", "source_path"]).to_pylist()


def inputs(out: Path) -> dict[str, dict]:
    return {e["source_path"]: e for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]}


def test_one_document_however_the_path_is_spelled(tmp_path: Path, monkeypatch):
    corpus = tmp_path / "broken"
    for i in range(3):
        write(corpus, f"r{i}.txt", f"{i + 1}/KH-UBND")
    out = tmp_path / "ds"
    monkeypatch.chdir(tmp_path)
    first = run([Path("broken")], out)
    second = run([corpus.resolve()], out)
    monkeypatch.chdir(corpus)
    third = run([Path(".")], out)
    assert (first.read, second.read, third.read) == (3, 0, 0)
    assert (second.skipped, third.skipped, third.kept) == (3, 3, 0)
    docs = documents(out)
    assert len(docs) == 3 and len({d["doc_id"] for d in docs}) == 3


def test_files_with_the_same_bytes_are_one_document(tmp_path: Path):
    corpus = tmp_path / "in"
    write(corpus, "a.txt", "1/KH-UBND")
    write(corpus / "copy", "a.txt", "1/KH-UBND")
    out = tmp_path / "out"
    summary = run([corpus], out)
    assert (summary.read, summary.duplicates) == (1, 1)
    assert len(documents(out)) == 1
    entry = inputs(out)[str(corpus / "copy" / "a.txt")]
    assert entry["status"] == "duplicate" and entry["duplicate_of"] == str(corpus / "a.txt")
    again = run([corpus], out)
    assert (again.read, again.skipped, again.duplicates) == (0, 1, 1) and len(documents(out)) == 1


def test_a_moved_file_is_not_read_again_nor_counted_vanished(tmp_path: Path):
    corpus = tmp_path / "in"
    write(corpus, "a.txt", "1/KH-UBND")
    out = tmp_path / "out"
    run([corpus], out)
    (corpus / "a.txt").rename(corpus / "renamed.txt")
    summary = run([corpus], out)
    assert (summary.read, summary.skipped, summary.kept) == (0, 1, 0)
    assert len(documents(out)) == 1


def test_a_link_out_of_the_input_folder_is_not_followed_unless_asked(tmp_path: Path):
    outside = tmp_path / "private"
    write(outside, "secret.txt", "9/KH-UBND")
    corpus = tmp_path / "in"
    write(corpus, "a.txt", "1/KH-UBND")
    (corpus / "link.txt").symlink_to(outside / "secret.txt")
    (corpus / "inside.txt").symlink_to(corpus / "a.txt")  # another name of a file inside: the same document
    summary = run([corpus], tmp_path / "out")
    assert summary.errors_by_type == {"symlink_outside": 1} and summary.read == 1 and summary.duplicates == 1
    followed = run([corpus], tmp_path / "out2", follow_symlinks=True)
    assert followed.read == 2 and not followed.errors_by_type


def test_devices_and_pipes_are_not_read(tmp_path: Path):
    corpus = tmp_path / "in"
    write(corpus, "a.txt", "1/KH-UBND")
    (corpus / "zero.pdf").symlink_to("/dev/zero")
    os.mkfifo(corpus / "pipe.txt")
    summary = run([corpus, Path("/dev/zero")], tmp_path / "out", limits=Limits(timeout_s=20))
    assert summary.errors_by_type == {"symlink_outside": 1, "not_a_regular_file": 2}
    assert summary.read == 1


def test_a_file_name_that_is_not_utf8_is_data(tmp_path: Path):
    corpus = tmp_path / "in"
    write(corpus, b"b\xe1o c\xe1o.txt", "1/KH-UBND")  # Latin-1 bytes: not UTF-8
    write(corpus / "[red]x[", "]y.txt", "2/KH-UBND")  # the path reads as rich markup: in/[red]x[/]y.txt
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(corpus), "-o", str(out), "-v"])
    assert result.exit_code == 0, result.output
    paths = sorted(d["source_path"] for d in documents(out))
    assert paths == [str(corpus / "[red]x[" / "]y.txt"), str(corpus) + "/b\\xe1o c\\xe1o.txt"]
    assert "[red]x[/]y.txt" in result.output
    assert run([corpus], out).skipped == 2


def test_the_size_limit_counts_what_is_read_not_what_stat_says():
    from pipeline.discover import InputFile
    from pipeline.document import Limits, process_file

    res = process_file(InputFile(Path("/dev/zero"), "zero.pdf"), Limits(max_bytes=1 << 20))  # stat says 0 bytes
    assert [e.error_type for e in res.errors] == ["too_large"]
