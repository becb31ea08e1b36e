"""The audit rules: end to end on small corpora (tests/cases/audit/<rule>.yaml), the quantity rule on rows,
the precision rules (weigh.py) on findings, and every finding on the seed reports (tests/cases/seed_findings.yaml)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pytest
import yaml

from pipeline.corpus.audit import Context, registered
from pipeline.corpus.audit.locate import Spot
from pipeline.corpus.audit.rules.date_impossible import date_impossible
from pipeline.corpus.audit.rules.quantity_inconsistent import may_flag, quantity_inconsistent
from pipeline.corpus.audit.weigh import weigh
from pipeline.corpus.records import Citation, Figure, records
from pipeline.run import run
from pipeline.store.schema import TABLES as STORED
from tests.helpers import CASES as CASE_DIR
from tests.helpers import load_cases

TABLES = sorted((CASE_DIR / "audit").glob("*.yaml"))
CASES = [(path.stem, case) for path in TABLES for case in yaml.safe_load(path.read_text(encoding="utf-8"))]


def findings_for(tmp_path: Path, reports: dict[str, str]) -> list[dict]:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in reports.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert run([folder], out).failed == 0
    return ds.dataset(out / "findings").to_table().to_pylist()


def matches(f: dict, want: dict) -> bool:
    for key, value in want.items():
        if key == "message_has":
            ok = value in f["message"]
        elif key == "evidence_lines":
            ok = sorted(e["line"] for e in f["evidence"]) == value
        elif key == "evidence_paths":
            ok = sorted(Path(e["source_path"] or "").name for e in f["evidence"]) == sorted(Path(p).name for p in value)
        else:
            ok = str(f[key]) == str(value)
        if not ok:
            return False
    return True


def test_every_rule_has_its_case_table():
    names = {r.name for r in registered()}
    assert names == {path.stem for path in TABLES}
    for name in names:
        cases = [c for stem, c in CASES if stem == name]
        assert any(c.get("fire") for c in cases) and any(c.get("quiet") for c in cases), name


@pytest.mark.parametrize("table,case", CASES, ids=[f"{t}: {c['name']}" for t, c in CASES])
def test_case(tmp_path, table, case):
    findings = findings_for(tmp_path, case["reports"])
    for want in case.get("fire", []):
        assert want["rule"] == table
        matching = [f for f in findings if matches(f, want)]
        assert matching, (want, [(f["rule"], f["code"], f["found"], f["expected"], f["line"], f["message"]) for f in findings])
        for f in matching:  # every finding can be checked: where it is, what the text says, what it rests on
            assert f["message"] and len(f["message"]) > 20 and "None" not in f["message"]
            assert f["source_path"].endswith(".txt") and f["line"] >= 1 and f["quote"]
            assert 0 < f["confidence"] <= 1 and f["origin"] == "text"
            assert all(e["source_path"] and e["quote"] for e in f["evidence"])
    for quiet in case.get("quiet", []):
        assert not [f for f in findings if matches(f, quiet)], findings


SEEDS = load_cases("seed_findings.yaml")


def test_seed_findings(corpus_dataset: Path):
    """On the five seed reports every known source error is found, located and quoted, and nothing else is."""
    findings = ds.dataset(corpus_dataset / "findings").to_table().to_pylist()
    got = sorted((Path(f["source_path"]).name[:3], f["rule"], f["code"], f["found"]) for f in findings if f["severity"] != "info")
    want = sorted((s["report"], s["rule"], s["code"], s["found"]) for s in SEEDS)
    assert got == want
    for f in findings:
        assert f["source_path"].startswith("corpus/") or "corpus" in f["source_path"]
        assert f["line"] and f["quote"] and (f["code"] is None or f["code"] in f["quote"] or f["found"] in f["quote"])


def q(kind, value, start, total=None, surface=None, sentence="s"):
    return Figure(doc_id="d", kind=kind, value=value, total=total, start=start, end=start + 5,
                  surface=surface or f"{value:g}", sentence=sentence)


def context(today: dt.date | None = None) -> Context:
    return Context(reports={}, registry={}, today=today or dt.date.today())


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


def _listed(count_23_parts: int) -> list[Figure]:
    sentence = "Triển khai 23 nhiệm vụ, gồm: 01 đề tài, 02 dự án, 25 nhiệm vụ cấp tỉnh."
    return stated(sentence, ("count", 23, None, "23 nhiệm vụ"), ("count", 1, None, "01 đề tài"),
                  ("count", 2, None, "02 dự án"), ("count", count_23_parts, None, "nhiệm vụ cấp tỉnh"))


@pytest.mark.parametrize("rows", [c[1] for c in QUANTITY_CASES] + [_listed(25), _listed(18)])
def test_quantity_rule_sees_every_row_it_may_flag(rows):
    """The rule flags the same on the rows its `select` keeps (as Arrow data) as on every row."""
    plain = "Có 12 xã, 3 huyện và 45% hộ dân."  # nothing to flag: left out
    noise = stated(plain, ("count", 12, None, "12 xã"), ("count", 3, None, "3 huyện"), ("percent", 45, None, "45%")) + stated(
        "Có 9 xã, GỒM 5 xã và 6 phường.", ("count", 9, None, "9 xã"), ("count", 5, None, "5 xã"), ("count", 6, None, "6 phường"))
    every = rows + noise
    schema = pa.schema([STORED["quantities"].schema.field(f.name) for f in dataclasses.fields(Figure)])
    kept = records(may_flag(pa.Table.from_pylist([dataclasses.asdict(r) for r in every], schema=schema)), Figure)
    assert quantity_inconsistent(kept, context()) == quantity_inconsistent(every, context())
    assert [f["rule"] for f in quantity_inconsistent(kept, context()) if f["found"] == "5 + 6 = 11"] == ["quantity_inconsistent"]  # GỒM: any case
    assert plain not in {r.sentence for r in kept}


def test_today_bounds_dates():
    ref = Citation(doc_id="d", start=0, end=5, surface="x", code="1/KH-UBND", cite_kind="code",
                   issued_date=dt.date(2026, 1, 2), sentence="x")
    assert date_impossible([ref], context(dt.date(2026, 1, 1)))
    assert not date_impossible([ref], context(dt.date(2026, 1, 2)))


# --- precision: what the text's origin allows (weigh.py) ------------------------------------------


def candidate(rule="malformed_code", found="1766/QĐ-BGDDT", expected="1766/QĐ-BGDĐT", repair=None, confidence=0.7) -> dict:
    return {"doc_id": "d", "start": 10, "end": 20, "rule": rule, "severity": "warning", "code": found, "found": found,
            "expected": expected, "message": "m", "quote": "q", "evidence": [], "confidence": confidence, "_repair": repair}


def spot(line="Quyết định số 1766/QĐ-BGDDT ngày 01/7/2024 của Bộ trưởng", token="1766/QĐ-BGDDT", ocr=False, conf=None, kind="body"):
    return Spot(page=1, line=3, kind=kind, ocr=ocr, ocr_conf=conf, line_text=line, token=token)


@pytest.mark.parametrize("name,f,where,severity,caveat", [
    ("plain text keeps its finding", candidate(), spot(), "warning", None),
    ("OCR without a confidence is set aside", candidate(), spot(ocr=True), "info", "set aside: read by OCR"),
    ("OCR read with high confidence keeps it, saying so", candidate(), spot(ocr=True, conf=0.97), "warning", "read by OCR"),
    ("a code the ingest repaired cannot carry a form finding", candidate(repair="split_code"), spot(), "info", "set aside: the source broke"),
    ("a repaired code says nothing against its date", candidate("date_conflict", "2023-05-28", "2023-05-04", "split_code", 0.9), spot(), "warning", None),
    ("a split date cannot carry a date finding", candidate("date_conflict", "2021-07-16", "2021-07-15", "split_date", 0.9), spot(), "info", "set aside"),
    ("letter case in a heading in capitals", candidate(found="12/QĐ-TTG", expected="12/QĐ-TTg"),
     spot(line="CĂN CỨ QUYẾT ĐỊNH SỐ 12/QĐ-TTG NGÀY 15/8/2024 CỦA THỦ TƯỚNG"), "info", "capitals"),
    ("inside a web link", candidate(found="20178/1998", expected=None), spot(token="vbpl.vn/Pages/?ItemID=20178/1998&Keyword=%C4%90"), "info", "web link"),
    ("in a blank form", candidate("date_impossible", "2099-01-01", None, None, 0.9), spot(line="Số: ..../QĐ-UBND ngày .... tháng .... năm 20…"), "info", "blank form"),
])
def test_weigh(name, f, where, severity, caveat):
    f["_spot"] = where
    (out,) = weigh([f])
    assert out["severity"] == severity
    assert (out["caveat"] is None) if caveat is None else (caveat in out["caveat"])
    assert "_spot" not in out and "_repair" not in out
    assert out["message"].startswith("Not counted as an error of the source") == (severity == "info")


def test_one_place_one_fix():
    a, b = candidate(confidence=0.7), candidate(rule="code_variant", confidence=0.8)
    a["evidence"], b["evidence"] = [{"note": "gazetteer"}], [{"note": "corpus"}]
    (out,) = weigh([a, b])
    assert out["rule"] == "code_variant" and [e["note"] for e in out["evidence"]] == ["corpus", "gazetteer"]


def test_the_columns_the_audit_leaves_unread_change_no_finding(corpus_dataset: Path, tmp_path: Path, monkeypatch):
    """The audit reads no column in `_UNREAD` (their fields keep their defaults): a rule that comes to
    read one of them would find otherwise than with every column read; this run would show it."""
    import shutil

    import pipeline.corpus.audit as audit

    def findings(unread, select_all: bool) -> list[dict]:
        staging = tmp_path / f"s{len(list(tmp_path.iterdir()))}"
        shutil.copytree(corpus_dataset, staging)
        monkeypatch.setattr(audit, "_UNREAD", unread)
        if select_all:  # every row checked, not only those the rule says it may flag
            monkeypatch.setattr(audit, "RULES", [dataclasses.replace(r, select=None) for r in audit.RULES])
            audit.registered.cache_clear()
        audit.stage(staging)
        audit.registered.cache_clear()
        return ds.dataset(staging / "findings", format="parquet").to_table().to_pylist()

    default = findings(audit._UNREAD, False)
    assert default, "the sample reports have findings to compare"
    assert findings({"references": set(), "quantities": set()}, True) == default
