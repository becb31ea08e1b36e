"""`baocao audit`: the terminal view, and the HTML page checked in headless Chromium."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.reports.audit import load, render_html
from pipeline.cli import app
from tests.helpers import ROOT

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_terminal(corpus_dataset: Path):
    result = runner.invoke(app, ["audit", "-d", str(corpus_dataset)])
    assert result.exit_code == 0, result.output
    assert "57-NQ/TW" in result.output and "type_code_mismatch" in result.output
    result = runner.invoke(app, ["audit", "-d", str(corpus_dataset), "--doc", "02-KH/BCĐTW"])
    assert result.exit_code == 0
    assert "date_conflict" in result.output and "type_code_mismatch" not in result.output


def test_html_escapes_document_text(corpus_dataset: Path):
    data = load(corpus_dataset)
    flagged = data.ref_at[(data.findings[0]["doc_id"], data.findings[0]["start"])]
    flagged["sentence"] = "<script>alert(1)</script>" + flagged["sentence"]
    data.findings[0]["message"] = "<img src=x onerror=alert(1)>"
    page = render_html(data)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (bash setup.sh --test installs it)")
def test_html_renders_in_chromium(corpus_dataset: Path, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "audit.html"
    result = runner.invoke(app, ["audit", "-d", str(corpus_dataset), "--html", str(page_file)])
    assert result.exit_code == 0, result.output
    problems: list[str] = []
    shots = ROOT / "outputs" / "test-artifacts"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1300, "height": 1800})
        page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: problems.append(f"request: {r.url}") if not r.url.startswith(("file:", "data:")) else None)
        page.goto(page_file.as_uri())
        assert page.title() == "baocao — citation audit"
        first = page.locator("#findings tbody tr").first
        assert first.is_visible()
        assert "type_code_mismatch" in page.locator("#findings").inner_text()
        assert page.locator("#graph svg").count() == 1
        assert "57-NQ/TW" in page.locator("#graph svg").text_content()
        page.screenshot(path=str(shots / "audit-report.png"), full_page=True)
        browser.close()
    assert problems == []
