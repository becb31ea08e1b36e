"""The named queries, checked against the tables computed again in Python, on the corpus and on a hand-made dataset."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.query.named import derived_views, named_queries
from pipeline.query.sandbox import QueryError, connect, run_named, run_sql

runner = CliRunner()
NQ57 = "57-NQ/TW"


def result(dataset: Path, name: str) -> list[dict]:
    return run_named(connect(dataset), name).read_all().to_pylist()


def table(dataset: Path, name: str) -> list[dict]:
    return pq.read_table(dataset / name).to_pylist()


def citations(dataset: Path) -> list[dict]:
    """The references, each with the document it cites by the registry: `cited_key` (doc_key) and `cited` (its code)."""
    codes = {d["doc_key"]: d["code"] for d in table(dataset, "cited_documents")}
    return [{**r, "cited_key": r["doc_key"], "cited": codes.get(r["doc_key"]) if r["doc_key"] else None} for r in table(dataset, "references")]


def family_by_hand(dataset: Path) -> dict[str, int]:
    """doc_key -> depth: 57-NQ/TW and what implements, amends or is based on a member, by breadth-first search."""
    docs = table(dataset, "cited_documents")
    implementers = defaultdict(set)
    for e in table(dataset, "citation_edges"):
        if e["source_kind"] == "document" and e["relation"] in ("implements", "amends", "based_on"):
            implementers[e["target"]].add(e["source"])
    depth = {d["doc_key"]: 0 for d in docs if d["cite_kind"] == "code" and d["code"].replace("-", "") == "57NQ/TW"}
    todo = list(depth)
    while todo:
        key = todo.pop(0)
        for source in implementers[key]:
            if source not in depth:
                depth[source] = depth[key] + 1
                todo.append(source)
    return depth


def family(dataset: Path) -> dict[str, dict]:
    return {r["code"]: r for r in run_sql(connect(dataset), "select * from nq57_family").read_all().to_pylist()}


@pytest.fixture(params=["corpus", "synthetic"])
def dataset(request, corpus_dataset: Path, synthetic_dataset: Path) -> Path:
    return corpus_dataset if request.param == "corpus" else synthetic_dataset


def test_every_query_has_a_description_and_runs_on_both_datasets(corpus_dataset: Path, synthetic_dataset: Path):
    assert {"citations-by-type", "most-cited", "nq57-by-province", "quantities-by-unit", "findings-by-rule"} <= set(named_queries())
    for q in [*named_queries().values(), *derived_views().values()]:
        assert len(q.description) > 30, q.file
    for name in named_queries():
        for ds in (corpus_dataset, synthetic_dataset):
            result(ds, name)  # raises on a broken query


def test_citations_by_type(dataset: Path):
    refs = citations(dataset)
    by_type = defaultdict(list)
    for r in refs:
        by_type[r["doc_type"] or "(unknown)"].append(r)
    expected = {
        t: {
            "doc_type": t,
            "citations": len(rs),
            "documents": len({r["cited_key"] for r in rs} - {None}),
            "reports": len({r["doc_id"] for r in rs}),
            "short_forms": sum(r["is_short_form"] for r in rs),
            "in_footnotes": sum(r["in_footnote"] for r in rs),
        }
        for t, rs in by_type.items()
    }
    got = result(dataset, "citations-by-type")
    assert {r["doc_type"]: r for r in got} == expected
    assert [r["citations"] for r in got] == sorted((r["citations"] for r in got), reverse=True)


def test_most_cited(dataset: Path):
    by_doc = defaultdict(list)
    for r in citations(dataset):
        if r["cited_key"]:
            by_doc[r["cited_key"]].append(r)
    got = result(dataset, "most-cited")
    assert {r["doc_key"] for r in got} == set(by_doc)
    for row in got:
        rs = by_doc[row["doc_key"]]
        dates = sorted({r["issued_date"] for r in rs} - {None})
        assert row["document"] == rs[0]["cited"]
        assert row["citations"] == len(rs)
        assert row["reports"] == len({r["doc_id"] for r in rs})
        assert row["date_variants"] == len(dates) and (row["dates"] or []) == dates
    order = [(-r["citations"], -r["reports"], r["document"], r["doc_key"]) for r in got]
    assert order == sorted(order)


def test_date_variants(dataset: Path):
    dated = defaultdict(lambda: defaultdict(list))
    for r in citations(dataset):
        if r["cited_key"] and r["issued_date"]:
            dated[(r["cited"], r["cited_key"])][r["issued_date"]].append(r)
    expected = [
        {
            "document": doc,
            "date": day,
            "citations": len(rs),
            "reports": len({r["doc_id"] for r in rs}),
            "cited_by": sorted({r["source_path"] for r in rs}),
            "doc_key": key,
        }
        for (doc, key), days in sorted(dated.items())
        if len(days) > 1
        for day, rs in sorted(days.items())
    ]
    assert result(dataset, "date-variants") == expected


def test_02_kh_bcdtw_is_cited_with_two_dates_in_the_corpus(corpus_dataset: Path):
    rows = [r for r in result(corpus_dataset, "date-variants") if r["document"] == "02-KH/BCĐTW"]
    assert [(r["date"].day, r["date"].month) for r in rows] == [(16, 6), (19, 6)]


def test_family_of_the_hand_made_dataset(synthetic_dataset: Path):
    fam = family(synthetic_dataset)
    assert {c: r["depth"] for c, r in fam.items()} == {
        NQ57: 0,
        "03/NQ-CP": 1,  # "Nghị quyết 03/NQ-CP thực hiện Nghị quyết 57-NQ/TW"
        "02-KH/BCĐTW": 1,
        "198/KH-UBND": 2,  # implements 03/NQ-CP
    }  # not 103/NQ-CP, 38-CT/TW or 47-NQ/TU: cited, but tied to no member
    assert fam["198/KH-UBND"]["via"] == ["03/NQ-CP"] and fam["198/KH-UBND"]["relations"] == ["implements"]
    assert fam["198/KH-UBND"]["province"] == "Lâm Đồng"


def test_family_is_the_graph_and_the_registry_flag(dataset: Path):
    rows = run_sql(connect(dataset), "select doc_key, depth from nq57_family").read_all().to_pylist()
    by_hand = family_by_hand(dataset)
    assert {r["doc_key"]: r["depth"] for r in rows} == by_hand and len(rows) == len(by_hand)
    assert set(by_hand) == {d["doc_key"] for d in table(dataset, "cited_documents") if d["nq57_family"]}


def test_family_of_the_corpus(corpus_dataset: Path):
    fam = family(corpus_dataset)
    assert {NQ57, "03/NQ-CP", "71/NQ-CP", "93-CTr/TU", "198/KH-UBND", "61-CTr/TU", "283-KH/TU"} <= set(fam)
    assert not {"38-CT/TW", "133/2025/NĐ-CP", "09/2024/TT-BKHCN"} & set(fam)
    assert set(fam["198/KH-UBND"]["via"]) >= {"03/NQ-CP", "93-CTr/TU"}
    refs = citations(corpus_dataset)
    for row in result(corpus_dataset, "nq57-family"):
        rs = [r for r in refs if r["cited_key"] == row["doc_key"]]
        assert {r["cited"] for r in rs} == {row["document"]}
        assert (row["citations"], row["reports"]) == (len(rs), len({r["doc_id"] for r in rs})), row["document"]


def test_nq57_by_province(dataset: Path):
    members = family_by_hand(dataset)
    docs = table(dataset, "documents")
    cites = defaultdict(list)
    roots = defaultdict(int)
    for r in citations(dataset):
        if r["cited_key"] in members:
            cites[r["doc_id"]].append(r["cited"])
            roots[r["doc_id"]] += members[r["cited_key"]] == 0
    expected = [
        {
            "province": d["province"] or "(unknown)",
            "report": d["source_path"],
            "period_start": d["period_start"],
            "period_end": d["period_end"],
            "family_citations": len(cites[d["doc_id"]]),
            "nq57_citations": roots[d["doc_id"]],
            "members_cited": len(set(cites[d["doc_id"]])),
            "members": sorted(set(cites[d["doc_id"]])) or None,
        }
        for d in sorted(docs, key=lambda d: (d["province"] is None, d["province"] or "", d["source_path"]))
    ]
    assert result(dataset, "nq57-by-province") == expected


def test_nq57_by_province_by_hand(synthetic_dataset: Path):
    got = {r["report"]: (r["province"], r["family_citations"], r["nq57_citations"], r["members_cited"]) for r in result(synthetic_dataset, "nq57-by-province")}
    # in/a.txt: 57-NQ/TW three times (once as the short form Nghị quyết 57), 03/NQ-CP twice, 02-KH/BCĐTW, 198/KH-UBND
    assert got == {"in/a.txt": ("Lâm Đồng", 7, 3, 4), "in/b.txt": ("Quảng Ngãi", 3, 2, 2), "in/c.txt": ("(unknown)", 1, 0, 1)}
    assert list(got) == ["in/a.txt", "in/b.txt", "in/c.txt"]  # provinces in order, unknown last


def _by(rows: list[dict], *keys: str) -> dict:
    groups = defaultdict(list)
    for r in rows:
        groups[tuple(r[k] for k in keys)].append(r)
    return groups


def test_quantities_by_unit(dataset: Path):
    groups = _by([{**q, "unit": q["unit"] or "(no unit)"} for q in table(dataset, "quantities")], "unit", "kind")
    expected = {
        key: {
            "unit": key[0],
            "kind": key[1],
            "quantities": len(qs),
            "reports": len({q["doc_id"] for q in qs}),
            "min_value": min(q["value"] for q in qs),
            "median_value": statistics.median(q["value"] for q in qs),
            "max_value": max(q["value"] for q in qs),
        }
        for key, qs in groups.items()
    }
    got = result(dataset, "quantities-by-unit")
    assert {(r["unit"], r["kind"]): r for r in got} == expected
    if "synthetic" in str(dataset):
        assert expected[("nhiệm vụ", "count")]["median_value"] == 5  # of 2, 5, 25: not their mean


def test_findings_by_rule(dataset: Path):
    groups = _by(table(dataset, "findings"), "rule", "severity")
    expected = {
        key: {
            "rule": key[0],
            "severity": key[1],
            "findings": len(fs),
            "reports": len({f["doc_id"] for f in fs}),
            "codes": sorted({f["code"] for f in fs} - {None}) or None,
            "example": min(f["message"] for f in fs),
        }
        for key, fs in groups.items()
    }
    got = result(dataset, "findings-by-rule")
    assert {(r["rule"], r["severity"]): r for r in got} == expected
    severities = [r["severity"] for r in got]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_agencies_reports_and_errors(dataset: Path):
    agencies = _by(table(dataset, "agencies"), "canonical", "level", "province")
    got = {(r["agency"], r["level"], r["province"]): (r["mentions"], r["reports"]) for r in result(dataset, "agencies-most-named")}
    assert got == {k: (len(v), len({a["doc_id"] for a in v})) for k, v in agencies.items()}

    members = family_by_hand(dataset)
    count = Counter
    per_doc = {name: count(r["doc_id"] for r in table(dataset, name)) for name in ("references", "quantities", "agencies", "findings")}
    family_per_doc = count(r["doc_id"] for r in citations(dataset) if r["cited_key"] in members)
    expected = sorted(
        (
            d["source_path"],
            per_doc["references"][d["doc_id"]],
            family_per_doc[d["doc_id"]],
            per_doc["quantities"][d["doc_id"]],
            per_doc["agencies"][d["doc_id"]],
            per_doc["findings"][d["doc_id"]],
        )
        for d in table(dataset, "documents")
    )
    got = [
        (r["report"], r["citations"], r["family_citations"], r["quantities"], r["agency_mentions"], r["findings"])
        for r in result(dataset, "reports")
    ]
    assert got == expected

    errors = _by(table(dataset, "errors"), "stage", "error_type")
    got = {(r["stage"], r["error_type"]): (r["errors"], r["files"]) for r in result(dataset, "errors-by-type")}
    assert got == {k: (len(v), sorted({e["source_path"] for e in v})) for k, v in errors.items()}


def test_empty_tables_give_empty_results(tmp_path: Path):
    (tmp_path / "in").mkdir()
    assert runner.invoke(app, ["run", str(tmp_path / "in"), "-o", str(tmp_path / "ds")]).exit_code == 0
    for name in named_queries():
        assert result(tmp_path / "ds", name) == [], name


def test_run_list_and_show_on_the_command_line(corpus_dataset: Path):
    listing = runner.invoke(app, ["query", "--list", "-f", "csv"])
    assert listing.exit_code == 0
    assert {line.split(",")[0].strip('"') for line in listing.output.splitlines()[1:]} == set(named_queries()) | set(derived_views())
    shown = runner.invoke(app, ["query", "--show", "nq57-by-province"])
    assert shown.exit_code == 0 and shown.output.strip() == named_queries()["nq57-by-province"].sql
    ran = runner.invoke(app, ["query", "--run", "nq57-by-province", "-d", str(corpus_dataset)])
    assert ran.exit_code == 0 and "(unknown)" in ran.output and "corpus" in ran.output
    wrong = runner.invoke(app, ["query", "--run", "nq57-by-provinces", "-d", str(corpus_dataset)])
    assert wrong.exit_code == 1 and "Did you mean nq57-by-province" in wrong.output
    with pytest.raises(QueryError):
        run_named(connect(corpus_dataset), "nope")


def _label(doc: dict) -> str:
    """A cited document as archive-holdings lists it: its code and date."""
    return doc["code"] + (f" ({doc['issued_date']:%d/%m/%Y})" if doc["issued_date"] else "")


def test_archive_holdings(dataset: Path):
    registry = {d["doc_key"]: d for d in table(dataset, "cited_documents")}
    docs = table(dataset, "documents")
    paths = {d["doc_id"]: d["source_path"] for d in docs}
    cited = defaultdict(dict)
    for r in citations(dataset):
        doc = registry.get(r["cited_key"])
        if doc is not None and doc["held_by_doc_id"] != r["doc_id"]:  # a report's citations of itself are left out
            cited[r["doc_id"]][r["cited_key"]] = doc
    expected = []
    for d in sorted(docs, key=lambda d: (d["province"] is None, d["province"] or "", d["source_path"])):
        mine = cited[d["doc_id"]]
        held = sorted((_label(c), k) for k, c in mine.items() if c["held_by_doc_id"])
        lacking = sorted((_label(c), k) for k, c in mine.items() if not c["held_by_doc_id"])
        expected.append({
            "report": d["source_path"], "province": d["province"] or "(unknown)", "cited_documents": len(mine),
            "held": len(held), "lacking": len(lacking), "held_documents": [h for h, _ in held] or None,
            "held_in": sorted({paths[c["held_by_doc_id"]] for c in mine.values() if c["held_by_doc_id"]}) or None,
            "lacking_documents": [h for h, _ in lacking] or None,
        })
    assert result(dataset, "archive-holdings") == expected


def test_archive_holdings_by_hand(synthetic_dataset: Path):
    got = {r["report"]: r for r in result(synthetic_dataset, "archive-holdings")}
    # in/c.txt is 03/NQ-CP (its own code; undated, the Government as issuer), which in/a.txt cites;
    # in/b.txt's own code is 198/KH-UBND, but of Quảng Ngãi: not the Lâm Đồng plan in/a.txt cites
    assert got["in/a.txt"]["held_documents"] == ["03/NQ-CP (09/01/2025)"] and got["in/a.txt"]["held_in"] == ["in/c.txt"]
    assert "198/KH-UBND (28/03/2025)" in got["in/a.txt"]["lacking_documents"]
    assert (got["in/a.txt"]["held"], got["in/b.txt"]["held"], got["in/c.txt"]["held"]) == (1, 0, 0)


def _lines(dataset: Path) -> list[dict]:
    """The figures results-vs-targets reads, each with the line it belongs to: its pair, its table row, else itself."""
    cells = [b for b in table(dataset, "blocks") if b["kind"] == "table_cell"]
    out = []
    for q in table(dataset, "quantities"):
        if not q["indicator"] or q["role"] not in ("target", "result", "change") or q["kind"] == "rank":
            continue
        cell = next((b for b in cells if b["doc_id"] == q["doc_id"] and b["start"] <= q["start"] and q["end"] <= b["end"]), None)
        if q["pair_id"] is not None:
            q["matched_by"], q["line"] = "pair", ("pair", q["pair_id"])
        elif cell is not None:
            q["matched_by"], q["line"] = "table row", ("row", cell["table_index"], cell["row"])
        else:
            q["matched_by"], q["line"] = None, ("at", q["start"])
        out.append(q)
    return out


def results_vs_targets_by_hand(dataset: Path) -> list[dict]:
    docs = {d["doc_id"]: d for d in table(dataset, "documents")}
    lines = _lines(dataset)
    key = lambda q: (q["doc_id"], q["indicator"], q["unit"], q["line"])  # noqa: E731
    targets: dict[tuple, dict] = {}
    for q in sorted((q for q in lines if q["role"] == "target"), key=lambda q: q["start"]):
        targets.setdefault(key(q), q)  # the first target of its line
    results = [q for q in lines if (q["role"] == "result" and q["kind"] != "ratio" and q["matched_by"]) or (q["role"] == "change" and q["matched_by"] == "pair")]
    rows = []
    for r in results:
        t = targets.get(key(r))
        if t is not None:
            rows.append((r, t["value"], r["value"], t["matched_by"], r["start"], r["measure"] or t["measure"], r["period"] or t["period"], r["year"] or t["year"]))
    rows += [(q, q["total"], q["value"], "ratio", q["start"], q["measure"], q["period"], q["year"])
             for q in lines if q["role"] == "result" and q["kind"] == "ratio" and q["total"] is not None]
    matched = {key(r) for r in results}
    rows += [(t, t["value"], None, None, t["start"], t["measure"], t["period"], t["year"]) for k, t in targets.items() if k not in matched]
    out = []
    for q, target, result, how, start, measure, period, year in rows:
        d = docs[q["doc_id"]]
        out.append({
            "report": d["source_path"], "province": d["province"] or "(unknown)", "indicator": q["indicator"], "measure": measure,
            "unit": q["unit"], "period": period, "year": year, "target": target, "result": result,
            "share_pct": round(100 * result / target, 1) if result is not None and target else None, "matched_by": how, "_start": start,
        })
    return sorted(out, key=lambda r: (r["province"] == "(unknown)", r["province"], r["report"], r["indicator"], r["_start"]))


def test_results_vs_targets(dataset: Path):
    expected = results_vs_targets_by_hand(dataset)
    got = result(dataset, "results-vs-targets")
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        share, want = g.pop("share_pct"), e.pop("share_pct")
        e.pop("_start")
        assert g == e and (share == want or abs(share - want) <= 0.05 + 1e-9), (g, e)  # half-way rounding differs


def test_results_vs_targets_by_hand(synthetic_dataset: Path):
    got = {(r["report"], r["indicator"], r["target"]): (r["result"], r["share_pct"], r["matched_by"]) for r in result(synthetic_dataset, "results-vs-targets")}
    assert got[("in/a.txt", "Tỷ lệ hồ sơ trực tuyến toàn trình", 80.0)] == (87.6, 109.5, "pair")  # 87,6%/KH 80%
    assert got[("in/a.txt", "Tốc độ tăng trưởng kinh tế (GRDP)", 6.0)] == (7.2, 120.0, "pair")  # ước tăng 7,2%/KH tăng 6-7%
    assert got[("in/b.txt", "Tỷ lệ hồ sơ trực tuyến toàn trình", 85.0)] == (78.2, 92.0, "table row")
    assert got[("in/b.txt", "Thu ngân sách nhà nước", 1.2e12)] == (9.05e11, 75.4, "table row")
    assert got[("in/a.txt", "Nhiệm vụ khoa học và công nghệ", 20.0)] == (18.0, 90.0, "ratio")
    assert got[("in/a.txt", "Thu ngân sách nhà nước", 1.5e12)] == (None, None, None)  # a plan alone
    assert len(got) == 6  # not the results with no plan (75% in 2024, DTI 0,61), nor the rank


def test_indicator_by_province(dataset: Path):
    docs = {d["doc_id"]: d for d in table(dataset, "documents")}
    groups = defaultdict(list)
    for q in table(dataset, "quantities"):
        if q["indicator"] and q["role"] in ("result", "target"):
            d = docs[q["doc_id"]]
            year = q["year"] or (d["period_end"].year if d["period_end"] else None) or (d["report_date"].year if d["report_date"] else None)
            groups[(q["indicator"], q["kind"], q["unit"] or "(no unit)", d["province"] or "(unknown)", year)].append(q)
    expected = []
    for (indicator, kind, unit, province, year), qs in groups.items():
        res = [q["value"] for q in qs if q["role"] == "result"]
        tgt = [q["value"] for q in qs if q["role"] == "target"]
        expected.append({
            "indicator": indicator, "kind": kind, "unit": unit, "province": province, "year": year,
            "reports": len({q["doc_id"] for q in qs}), "results": len(res), "min_result": min(res, default=None),
            "median_result": statistics.median(res) if res else None, "max_result": max(res, default=None),
            "targets": len(tgt), "median_target": statistics.median(tgt) if tgt else None,
        })
    expected.sort(key=lambda r: (r["indicator"], r["kind"], r["unit"], r["province"] == "(unknown)", r["province"], r["year"] is None, r["year"] or 0))
    assert result(dataset, "indicator-by-province") == expected


def test_indicator_by_province_by_hand(synthetic_dataset: Path):
    rows = [r for r in result(synthetic_dataset, "indicator-by-province") if r["indicator"] == "Tỷ lệ hồ sơ trực tuyến toàn trình"]
    assert [(r["province"], r["year"], r["median_result"], r["median_target"]) for r in rows] == [
        ("Lâm Đồng", 2024, 75.0, None), ("Lâm Đồng", 2025, 87.6, 80.0), ("Quảng Ngãi", 2025, 78.2, 85.0),
        ("(unknown)", 2024, 70.0, None), ("(unknown)", None, 62.0, None),  # no year stated, no period: none
    ]
