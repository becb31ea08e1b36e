"""Engines, incremental runs, per-file limits, logging: the dataset is the same whoever runs it."""
from __future__ import annotations

import json
import os
import re
import time
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.document import Limits
from pipeline.run import run
from pipeline.store.schema import TABLES
from tests.helpers import ROOT

runner = CliRunner()


def tables(dataset: Path) -> dict[str, list[dict]]:
    return {name: pq.read_table(dataset / name).to_pylist() for name in TABLES}


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(ROOT / "corpus", folder)
    return folder


def test_one_worker_many_workers_and_dask_write_the_same_dataset(corpus: Path, tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    run([corpus], tmp_path / "serial", workers=1)
    run([corpus], tmp_path / "pool", workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        run([corpus], tmp_path / "dask", engine="dask", scheduler=cluster.scheduler_address, workers=2)
    serial = tables(tmp_path / "serial")
    assert serial["documents"] and serial["references"] and serial["quantities"]
    assert tables(tmp_path / "pool") == serial
    assert tables(tmp_path / "dask") == serial


def test_local_workers_write_the_rows_and_send_back_only_a_summary(corpus: Path, tmp_path: Path):
    from functools import partial

    from pipeline.discover import discover
    from pipeline.engines.local import LocalEngine
    from pipeline.store.writer import write_result

    files, _ = discover([corpus])
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    results = list(LocalEngine(2, Limits(), keep=partial(write_result, incoming)).map(files))
    assert [r.source_path for r in results] == [f.display for f in files]  # in input order
    for res in results:  # what crossed the pipe: no text, no blocks, no entities; the rows are in Arrow files
        assert res.document.text == "" and not res.document.blocks and not res.found
        assert res.count("references") > 0 and res.characters() > 1000
        assert set(res.parts) >= {"documents", "blocks", "references"}
        assert all(Path(p).parent == incoming and Path(p).exists() for p in res.parts.values())


def test_a_hanging_file_times_out_and_the_run_goes_on(corpus: Path, tmp_path: Path, monkeypatch):
    import pipeline.document as document

    real = document.ingest

    def hang_on_one(path, data, **kwargs):  # a parser stuck in C code: only killing the worker stops it
        if path.name == "hangs.txt":
            time.sleep(600)
        return real(path, data, **kwargs)

    monkeypatch.setattr(document, "ingest", hang_on_one)  # workers are forked: they inherit the patch
    (corpus / "hangs.txt").write_text("Kế hoạch số 1/KH-UBND.", encoding="utf-8")
    summary = run([corpus], tmp_path / "out", workers=2, limits=Limits(timeout_s=3))
    assert summary.read == 5 and summary.failed == 1 and summary.errors_by_type == {"timeout": 1}
    errors = pq.read_table(tmp_path / "out" / "errors").to_pylist()
    assert [e["error_type"] for e in errors] == ["timeout"] and "--timeout" in errors[0]["message"]


@pytest.mark.parametrize("how, error_type", [("hangs", "timeout"), ("dies", "worker_crashed")])
def test_the_file_waiting_behind_one_that_stops_its_worker_is_read(corpus: Path, tmp_path: Path, monkeypatch, how, error_type):
    """A busy worker has the next file waiting in its pipe; when the worker is killed (time limit) or
    dies, that file is given again, and read once, in its place in the input order."""
    import signal

    import pipeline.document as document
    from pipeline.discover import discover
    from pipeline.engines import local

    real = document.ingest

    def stop_on_one(path, data, **kwargs):
        if path.name == "0-stops.txt":
            if how == "hangs":
                time.sleep(600)
            os.kill(os.getpid(), signal.SIGKILL)  # a parser crash
        return real(path, data, **kwargs)

    monkeypatch.setattr(document, "ingest", stop_on_one)  # the worker is forked: it inherits the patch
    queued = []
    give = local._Worker.give

    def counting(self, index, item):
        give(self, index, item)
        queued.append(len(self.tasks))

    monkeypatch.setattr(local._Worker, "give", counting)
    (corpus / "0-stops.txt").write_text("Kế hoạch số 1/KH-UBND.", encoding="utf-8")
    files, _ = discover([corpus])
    assert files[0].path.name == "0-stops.txt"
    results = list(local.LocalEngine(1, Limits(timeout_s=3)).map(files))
    assert max(queued) == 2  # the next file did wait in the pipe
    assert [r.source_path for r in results] == [f.display for f in files]  # each once, in input order
    assert results[0].document is None and results[0].errors[0].error_type == error_type
    assert all(r.document is not None and r.count("references") > 0 for r in results[1:])


def test_incremental_runs_skip_unchanged_files_and_say_what_changed(corpus: Path, tmp_path: Path):
    out = tmp_path / "out"
    first = run([corpus], out, workers=2)
    assert (first.read, first.skipped, first.added) == (5, 0, 5)
    before = tables(out)

    again = run([corpus], out, workers=2)
    assert (again.read, again.skipped) == (0, 5)
    after = tables(out)
    assert {k: sorted(map(repr, v)) for k, v in after.items()} == {k: sorted(map(repr, v)) for k, v in before.items()}

    changed = sorted(corpus.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nKế hoạch số 99/KH-UBND ngày 01/02/2025.\n", encoding="utf-8")
    gone = sorted(corpus.glob("*.txt"))[1]
    gone_rows = [d for d in after["documents"] if d["source_path"].endswith(gone.name)]
    gone.unlink()
    (corpus / "new.txt").write_text("Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị.\n", encoding="utf-8")
    third = run([corpus], out, workers=2)
    assert (third.read, third.skipped, third.added, third.replaced, third.kept) == (2, 3, 1, 1, 1)
    docs = tables(out)["documents"]
    assert len(docs) == 6 and gone_rows[0]["doc_id"] in {d["doc_id"] for d in docs}
    assert any("99/KH-UBND" in r["code"] for r in tables(out)["references"] if r["code"])

    pruned = run([corpus], out, workers=2, prune=True)
    assert (pruned.pruned, pruned.skipped) == (1, 5)
    state = tables(out)
    assert gone_rows[0]["doc_id"] not in {d["doc_id"] for d in state["documents"]}
    assert gone_rows[0]["doc_id"] not in {r["doc_id"] for r in state["references"]}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["pruned"] == 1 and manifest["row_counts"]["documents"] == 5


def test_the_log_file_has_a_line_per_file(corpus: Path, tmp_path: Path):
    (corpus / "empty.txt").write_bytes(b"")
    log = tmp_path / "run.jsonl"
    result = runner.invoke(app, ["run", str(corpus), "-o", str(tmp_path / "out"), "--log-file", str(log), "-j", "2"])
    assert result.exit_code == 1  # one file could not be read
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    files = [r for r in lines if r["event"] == "file"]
    assert {r["status"] for r in files} == {"read", "failed"} and len(files) == 6
    assert next(r for r in files if r["status"] == "failed")["error_type"] == "empty_file"
    assert lines[0]["event"] == "run_start" and lines[-1]["event"] == "run_end"


def test_the_benchmark_commands_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["bench", "run", "--sizes", "5,10", "--formats", "txt", "--workers", "2"])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())  # tables wrap at the terminal's width
    assert "underthesea word_tokenize" in shown and "2 workers vs 1 on 10 files" in shown and "peak memory" in shown
    ceiling = re.search(r"dealt out to 2 processes with nothing else to do: (\d+\.\d\d)x .* the run reached (\d+)% of it", shown)
    assert ceiling and float(ceiling.group(1)) > 0, shown


def test_bench_scale_runs_and_its_reports_hold_what_they_say(monkeypatch, tmp_path: Path):
    from pipeline.bench.scale import dense_paragraph, pdf_of, report_mix, table_row

    seeds = sorted((ROOT / "corpus").glob("*.txt"))
    assert len(dense_paragraph(30_000)) == 30_000 and "\n" not in dense_paragraph(30_000)  # one paragraph
    assert 29_000 < len(report_mix(30_000, seeds)) <= 30_001 and "\n\t" in table_row(2_000)
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["bench", "scale", "--chars", "3000,12000", "--pages", "", "--repeat", "1"])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())
    for shape in ("paragraph", "mix", "table"):
        assert f"{shape}: time per character, largest / smallest: document stage x" in shown
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument.new()
    source.new_page(200, 300)
    source.save(str(tmp_path / "one.pdf"))
    source.close()
    pdf_of(7, [tmp_path / "one.pdf"], tmp_path / "seven.pdf")
    assert len(pdfium.PdfDocument(tmp_path / "seven.pdf")) == 7


def test_workers_survive_a_parent_that_queried_the_dataset_first(corpus: Path, tmp_path: Path):
    """A notebook queries a dataset, then runs: the forked workers must not inherit DuckDB's objects to collect."""
    from pipeline.query.named import named_queries
    from pipeline.query.sandbox import connect, run_named

    first = run([corpus], tmp_path / "first")
    con = connect(tmp_path / "first")
    for name in named_queries():
        run_named(con, name).read_all()
    cycles = [[con]]
    cycles[0].append(cycles)  # garbage the collector must find, as a notebook leaves it
    del con, cycles
    again = run([corpus], tmp_path / "second", workers=2)
    assert (again.read, again.failed, again.errors_by_type) == (first.read, 0, {})
