"""The audit rules: end to end on small corpora (tests/cases/audit.yaml), and the quantity rule on rows."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from pipeline.audit import quantity_inconsistent
from pipeline.run import run
from tests.helpers import load_cases

CASES = load_cases("audit.yaml")


def findings_for(tmp_path: Path, reports: dict[str, str]) -> list[dict]:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in reports.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert run([folder], out).failed == 0
    return ds.dataset(out / "findings").to_table().to_pylist()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(tmp_path, case):
    findings = findings_for(tmp_path, case["reports"])
    for want in case.get("fire", []):
        matching = [f for f in findings if all(str(f[k]) == str(v) for k, v in want.items())]
        assert matching, (want, [(f["rule"], f["code"], f["found"], f["expected"]) for f in findings])
        assert all(f["message"] and len(f["message"]) > 20 for f in matching)
    for quiet in case.get("quiet", []):
        assert not [f for f in findings if all(f[k] == v for k, v in quiet.items())], findings


def q(kind, value, start, total=None, surface=None, sentence="s"):
    return {"doc_id": "d", "kind": kind, "value": value, "total": total, "start": start, "end": start + 5,
            "surface": surface or f"{value:g}", "sentence": sentence}


QUANTITY_CASES = [
    ("ratio and its percentage agree", [q("ratio", 18, 0, 20), q("percent", 90, 20)], []),
    ("rounded percentage agrees", [q("ratio", 7, 0, 9), q("percent", 77.78, 20)], []),
    ("ratio and percentage disagree", [q("ratio", 18, 0, 20), q("percent", 80, 20)], ["warning"]),
    ("part larger than its whole", [q("ratio", 120, 0, 117)], ["error"]),
    ("a far percentage is another statement", [q("ratio", 18, 0, 20), q("percent", 50, 200)], []),
]


@pytest.mark.parametrize("name,rows,severities", QUANTITY_CASES, ids=[c[0] for c in QUANTITY_CASES])
def test_quantity_rule(name, rows, severities):
    assert [f["severity"] for f in quantity_inconsistent(rows)] == severities


def test_listed_parts_exceeding_the_whole():
    sentence = "Triển khai 23 nhiệm vụ, gồm: 01 đề tài, 02 dự án, 25 nhiệm vụ cấp tỉnh."
    rows = [
        q("count", 23, 10, surface="23 nhiệm vụ", sentence=sentence),
        q("count", 1, 30, surface="01 đề tài", sentence=sentence),
        q("count", 2, 40, surface="02 dự án", sentence=sentence),
        q("count", 25, 50, surface="25 nhiệm vụ cấp tỉnh", sentence=sentence),
    ]
    assert [f["rule"] for f in quantity_inconsistent(rows)] == ["quantity_inconsistent"]
    rows[3]["value"] = 18
    assert quantity_inconsistent(rows) == []


def test_today_bounds_dates():
    from pipeline.audit import date_impossible

    ref = {"doc_id": "d", "start": 0, "end": 5, "surface": "x", "code": "1/KH-UBND", "cite_kind": "code",
           "issued_date": dt.date(2026, 1, 2), "sentence": "x"}
    assert date_impossible([ref], {}, today=dt.date(2026, 1, 1))
    assert not date_impossible([ref], {}, today=dt.date(2026, 1, 2))
