"""The command line: help texts, exit codes, the summary and eval output."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from tests.helpers import shared

runner = CliRunner()


def test_help_says_what_each_command_does():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "run" in result.output and "eval" in result.output
    for command in ("run", "eval"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert len(result.output.splitlines()) > 5


def test_run_exit_codes(tmp_path: Path):
    good = tmp_path / "in"
    good.mkdir()
    (good / "a.txt").write_text("Theo Kế hoạch số 198/KH-UBND ngày 28/03/2025.", encoding="utf-8")
    result = runner.invoke(app, ["run", str(good), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    (good / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["run", str(good), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "empty_file" in result.output
    result = runner.invoke(app, ["run", str(tmp_path / "missing"), "-o", str(tmp_path / "out2")])
    assert result.exit_code == 2  # a missing input changes nothing
    assert not (tmp_path / "out2").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "x").write_text("x")
    result = runner.invoke(app, ["run", str(good), "-o", str(mine)])
    assert result.exit_code == 2


def test_eval_prints_scores(corpus_dataset: Path):
    result = runner.invoke(app, ["eval", "--gold", str(shared("gold")), "-d", str(corpus_dataset)])
    assert result.exit_code == 0, result.output
    assert "code+date" in result.output and "all files" in result.output


def test_eval_reports_role_and_measure_shares_beside_the_totals(tmp_path: Path):
    """--json keeps {table: {"total": {metric: {precision, recall, f1, tp, fp, fn}}}} and adds the shares beside it."""
    from pipeline.run import run

    texts = shared("dev-corpus", "texts")
    out = tmp_path / "dataset"
    run([texts / "dB04_laocai_thang7_2023.txt", texts / "dB09_hatinh_xaducgiang_6thang_2021.txt"], out)
    result = runner.invoke(app, ["eval", "--gold", str(shared("dev-corpus", "gold")), "-d", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    for table in payload.values():
        assert all({"precision", "recall", "f1", "tp", "fp", "fn"} <= set(m) for m in table["total"].values())
    shares = payload["quantities"]["shares"]
    assert set(shares) == {"role", "measure"} and shares["role"]["of"] >= 50
    assert 0 <= shares["role"]["agree"] <= shares["role"]["of"] and shares["role"]["share"] == round(shares["role"]["agree"] / shares["role"]["of"], 4)
    shown = runner.invoke(app, ["eval", "--gold", str(shared("dev-corpus", "gold")), "-d", str(out), "--details"]).output
    assert "quantities role: agrees for" in shown and "quantities measure: agrees for" in shown and "measure differs" in shown


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "pipeline.cli", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("baocao ")


def test_codes_report(tmp_path: Path):
    listing = tmp_path / "codes.csv"
    listing.write_text("id,so_ky_hieu\n1,57-NQ/TW\n2,198/KH-UBND\n3,not a code\n", encoding="utf-8")
    result = runner.invoke(app, ["codes", str(listing), "-c", "so_ky_hieu"])
    assert result.exit_code == 0, result.output
    assert "distinct codes: 3" in result.output and "parsed: 2" in result.output
    assert "'not a code'" in result.output
    result = runner.invoke(app, ["codes", str(listing), "-c", "nope"])
    assert result.exit_code == 2
