"""The audit rules: end to end on small corpora (tests/cases/audit.yaml), and the quantity rule on rows."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from pipeline.corpus.audit import Context
from pipeline.corpus.audit.citations import date_impossible
from pipeline.corpus.audit.quantities import quantity_inconsistent
from pipeline.corpus.records import Citation, Figure
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
    return Figure(doc_id="d", kind=kind, value=value, total=total, start=start, end=start + 5,
                  surface=surface or f"{value:g}", sentence=sentence)


def context(today: dt.date | None = None) -> Context:
    return Context(reports={}, registry={}, usage=None, today=today or dt.date.today())


def stated(sentence: str, *items) -> list[Figure]:
    """Quantities as extraction gives them: (kind, value, total, surface) found in the sentence."""
    rows, cursor = [], 0
    for kind, value, total, surface in items:
        start = sentence.index(surface, cursor)
        cursor = start + len(surface)
        figure = q(kind, value, start, total, surface, sentence)
        figure.end = cursor
        rows.append(figure)
    return rows


QUANTITY_CASES = [
    ("ratio and its percentage agree",
     stated("Hoàn thành 18/20 nhiệm vụ, đạt tỷ lệ 90%.", ("ratio", 18, 20, "18/20 nhiệm vụ"), ("percent", 90, None, "90%")), []),
    ("rounded percentage agrees",
     stated("Đạt 77,78% (07/09 nhiệm vụ).", ("percent", 77.78, None, "77,78%"), ("ratio", 7, 9, "07/09 nhiệm vụ")), []),
    ("ratio and percentage disagree",
     stated("Hoàn thành 18/20 nhiệm vụ, đạt tỷ lệ 80%.", ("ratio", 18, 20, "18/20 nhiệm vụ"), ("percent", 80, None, "80%")), ["warning"]),
    ("percentage before its ratio disagrees",
     stated("100% nhiệm vụ hoàn thành (15/16 nhiệm vụ).", ("percent", 100, None, "100%"), ("ratio", 15, 16, "15/16 nhiệm vụ")), ["warning"]),
    ("part larger than its whole", stated("Đạt 120/117 tiêu chí.", ("ratio", 120, 117, "120/117 tiêu chí")), ["error"]),
    ("a percentage of another clause is another statement",
     stated("Khắc phục 10/10 thôn, bản lõm sóng; cáp quang đã phủ hơn 97% thôn, bản.", ("ratio", 10, 10, "10/10 thôn, bản"), ("percent", 97, None, "97%")), []),
    ("a far percentage is another statement",
     stated("Hoàn thành 18/20 nhiệm vụ được giao từ đầu năm theo kế hoạch của tỉnh và các chương trình khác, tỷ lệ giải ngân 50%.",
            ("ratio", 18, 20, "18/20 nhiệm vụ"), ("percent", 50, None, "50%")), []),
]


@pytest.mark.parametrize("name,rows,severities", QUANTITY_CASES, ids=[c[0] for c in QUANTITY_CASES])
def test_quantity_rule(name, rows, severities):
    assert [f["severity"] for f in quantity_inconsistent(rows, context())] == severities


def test_listed_parts_are_those_of_the_bracket():
    sentence = "đã hoàn thành 97 nhiệm vụ (trong đó có 90 nhiệm vụ đúng hạn; 07 nhiệm vụ quá hạn); 43 nhiệm vụ đang tiến hành."
    rows = stated(sentence, ("count", 97, None, "97 nhiệm vụ"), ("count", 90, None, "90 nhiệm vụ đúng hạn"),
                  ("count", 7, None, "07 nhiệm vụ quá hạn"), ("count", 43, None, "43 nhiệm vụ đang tiến hành"))
    assert quantity_inconsistent(rows, context()) == []


def test_listed_parts_exceeding_the_whole():
    sentence = "Triển khai 23 nhiệm vụ, gồm: 01 đề tài, 02 dự án, 25 nhiệm vụ cấp tỉnh."
    rows = [
        q("count", 23, 10, surface="23 nhiệm vụ", sentence=sentence),
        q("count", 1, 30, surface="01 đề tài", sentence=sentence),
        q("count", 2, 40, surface="02 dự án", sentence=sentence),
        q("count", 25, 50, surface="25 nhiệm vụ cấp tỉnh", sentence=sentence),
    ]
    assert [f["rule"] for f in quantity_inconsistent(rows, context())] == ["quantity_inconsistent"]
    rows[3].value = 18
    assert quantity_inconsistent(rows, context()) == []


def test_today_bounds_dates():
    ref = Citation(doc_id="d", start=0, end=5, surface="x", code="1/KH-UBND", cite_kind="code",
                   issued_date=dt.date(2026, 1, 2), sentence="x")
    assert date_impossible([ref], context(dt.date(2026, 1, 1)))
    assert not date_impossible([ref], context(dt.date(2026, 1, 2)))
