"""`baocao audit` and `baocao show`: the terminal views, the findings as CSV/JSON, and the HTML pages checked in headless Chromium."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.reports.audit import load, render_html
from pipeline.reports.show import load_view, render_view
from tests.helpers import ROOT

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "outputs" / "test-artifacts"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def test_terminal(corpus_dataset: Path):
    result = runner.invoke(app, ["audit", "-d", str(corpus_dataset)])
    assert result.exit_code == 0, result.output
    assert "57-NQ/TW" in result.output and "type_code_mismatch" in result.output
    out = " ".join(result.output.split())
    # every finding says where it is (file:line) and quotes its sentence
    assert "002_8056d9e22a67d95b.txt:14" in out.replace(" ", "") and "“+ Ban hành Kế hoạch thực hiện Quyết định số 327/KH-UBND" in out
    assert "checked against gazetteer/data/known_documents.csv:5" in out
    result = runner.invoke(app, ["audit", "-d", str(corpus_dataset), "--doc", "02-KH/BCĐTW"])
    assert result.exit_code == 0
    assert "date_conflict" in result.output and "type_code_mismatch" not in result.output


def test_findings_as_csv_and_json(corpus_dataset: Path, tmp_path: Path):
    result = runner.invoke(app, ["audit", "-d", str(corpus_dataset), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all(r["source_path"] and r["quote"] and r["line"] and r["origin"] and r["confidence"] for r in rows)
    assert {"page", "start", "end", "evidence", "caveat"} <= set(rows[0])
    out = tmp_path / "findings.csv"
    result = runner.invoke(app, ["audit", "-d", str(corpus_dataset), "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(table) == len(rows) and all(isinstance(json.loads(r["evidence"]), list) for r in table)
    assert runner.invoke(app, ["audit", "-d", str(corpus_dataset), "--format", "xml"]).exit_code == 2


def test_every_command_reads_BAOCAO_DATASET(corpus_dataset: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no outputs/dataset here: only the variable can lead to the dataset
    env = {"BAOCAO_DATASET": str(corpus_dataset)}
    for args in (["audit"], ["audit", "--format", "json"], ["show", "002_8056d9e22a67d95b"], ["query", "select count(*) from findings"],
                 ["eval", "--gold", str(tmp_path)]):
        result = runner.invoke(app, args, env=env)
        assert "not a baocao dataset" not in result.output and "no dataset" not in result.output.lower(), (args, result.output)
    assert runner.invoke(app, ["show", "002_8056d9e22a67d95b"], env={"BAOCAO_DATASET": str(tmp_path)}).exit_code == 2


def test_show_in_the_terminal(corpus_dataset: Path):
    result = runner.invoke(app, ["show", "002_8056d9e22a67d95b.txt", "-d", str(corpus_dataset)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "   14 + Ban hành Kế hoạch thực hiện Quyết định số 327/KH-UBND" in out
    assert "! error type_code_mismatch" in out and "↳ 57-NQ/TW" in out
    missing = runner.invoke(app, ["show", "no-such-report", "-d", str(corpus_dataset)])
    assert missing.exit_code == 2 and "No report" in missing.output
    several = runner.invoke(app, ["show", "00", "-d", str(corpus_dataset)])
    assert several.exit_code == 2 and "several reports" in several.output


def test_html_escapes_document_text(corpus_dataset: Path):
    data = load(corpus_dataset)
    data.findings[0]["quote"] = "<script>alert(1)</script>" + data.findings[0]["quote"]
    data.findings[0]["message"] = "<img src=x onerror=alert(1)>"
    page = render_html(data, pages="audit-reports")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    view = load_view(corpus_dataset, data.findings[0]["doc_id"])
    view.doc["text"] = view.doc["text"].replace("Kế hoạch", "<script>alert(2)</script>", 1)
    view.marks[0].fields["subject"] = "' onmouseover='alert(3)"
    shown = render_view(view)
    assert "<script>alert(2)" not in shown and "onmouseover='alert" not in shown and "<script" not in shown


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (bash setup.sh --test installs it)")
def test_html_renders_in_chromium(corpus_dataset: Path, tmp_path: Path):
    """The audit page and the reports' pages, offline: readable graph text, and each finding one click from its place."""
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "audit.html"
    result = runner.invoke(app, ["audit", "-d", str(corpus_dataset), "--html", str(page_file)])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "audit-reports").glob("report-*.html"))) == 5
    problems: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1800})
        page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: problems.append(f"request: {r.url}") if not r.url.startswith(("file:", "data:")) else None)
        page.goto(page_file.as_uri())
        assert page.title() == "baocao — citation audit"
        assert page.locator("#findings tbody tr").first.is_visible()
        assert "type_code_mismatch" in page.locator("#findings").inner_text()
        assert page.locator("#graph svg").count() == 1
        assert "57-NQ/TW" in page.locator("#graph svg").text_content()
        # the graph's text as the reader sees it at default zoom: at least 12 px high
        heights = page.evaluate("() => Array.from(document.querySelectorAll('#graph svg text')).map(t => t.getBoundingClientRect().height)")
        assert heights and min(heights) >= 12, heights
        page.screenshot(path=str(SHOTS / "audit-report.png"), full_page=True)
        # a finding's place opens the report's page at that place, its mark a finding
        link = page.locator("#findings td.where a").first
        href = link.get_attribute("href")
        link.click()
        page.wait_for_load_state()
        assert page.url.endswith(href.split("/", 1)[1]) and "report-" in page.url
        target = page.locator(":target")
        assert target.count() == 1 and "finding" in target.get_attribute("class")
        assert target.is_visible()
        page.screenshot(path=str(SHOTS / "report-view.png"))
        browser.close()
    assert problems == []


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (bash setup.sh --test installs it)")
def test_show_page_in_chromium(corpus_dataset: Path, tmp_path: Path):
    """`baocao show --html`: every mark on the page with its fields on hover, notes beside the lines."""
    from playwright.sync_api import sync_playwright

    out = tmp_path / "report.html"
    result = runner.invoke(app, ["show", "004_5b6a70c228fae081", "-d", str(corpus_dataset), "--html", str(out)])
    assert result.exit_code == 0, result.output
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: problems.append(f"request: {r.url}") if not r.url.startswith(("file:", "data:")) else None)
        page.goto(out.as_uri())
        for kind in ("citation", "quantity", "agency", "finding"):
            assert page.locator(f"main .text .{kind}").count() > 0, kind
        finding = page.locator("main .text .finding").first
        finding.scroll_into_view_if_needed()
        assert "date_impossible" in (finding.get_attribute("title") or "") or finding.get_attribute("title")
        assert page.locator(".note.finding").count() >= 4
        cite = page.locator("main .text .citation").first
        assert "code:" in cite.get_attribute("title")
        assert page.locator(".note a[href^='report-']").count() > 0  # the same document in another report
        page.locator("#hide-q").check()
        assert page.locator("main .text .quantity").first.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
        page.locator(".note.finding").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "show-report.png"))
        browser.close()
    assert problems == []
