"""`baocao query` and the baocao API: views over every table, read-only, output formats."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import baocao
from pipeline.cli import app
from pipeline.query.named import derived_views
from pipeline.query.sandbox import (
    DatasetError,
    QueryError,
    QueryRefused,
    connect,
    open_dataset,
    quote_reserved,
    relations,
    run_sql,
)

runner = CliRunner()


def _rows(reader: pa.RecordBatchReader) -> list[dict]:
    return reader.read_all().to_pylist()


def _folder_rows(folder: Path) -> int:
    return sum(pq.read_metadata(f).num_rows for f in folder.rglob("*.parquet"))


def test_every_table_folder_is_a_view(synthetic_dataset: Path):
    con = connect(synthetic_dataset)
    tables = list(relations(con, "table"))
    folders = {p.name for p in synthetic_dataset.iterdir() if p.is_dir()}
    # cited_documents and citation_edges are not in the manifest: the folders count
    assert set(tables) == folders and {"cited_documents", "citation_edges"} <= folders
    for name in tables:
        (n,) = con.execute(f'select count(*) from "{name}"').fetchone()
        assert n == _folder_rows(synthetic_dataset / name), name
    assert set(relations(con, "view")) == set(derived_views())


def test_references_needs_no_quotes(corpus_dataset: Path):
    con = connect(corpus_dataset)
    expected = pq.read_table(corpus_dataset / "references").num_rows
    for sql in (
        "select count(*) as n from references",
        "SELECT COUNT(*) AS n FROM References AS r WHERE r.surface <> 'references'",
        "select count(*) as n from references r join documents d using (doc_id)",
        'select count(*) as n from "references" -- from references',
        "select count(references.code) + count(*) filter (where references.code is null) as n from references",
    ):
        assert _rows(run_sql(con, sql)) == [{"n": expected}], sql


def test_quoting_leaves_strings_comments_and_other_words_alone():
    sql = "select 'from references' as s, refs from references -- references\nwhere x = \"references\""
    assert quote_reserved(sql, ["references", "documents"]) == (
        "select 'from references' as s, refs from \"references\" -- references\nwhere x = \"references\""
    )
    assert quote_reserved("select * from documents", ["documents"]) == "select * from documents"


def test_hive_partitioned_table_reads_its_partitions(tmp_path: Path):
    root = tmp_path / "ds"
    for year, n in ((2024, 2), (2025, 3)):
        part = root / "things" / f"year={year}"
        part.mkdir(parents=True)
        pq.write_table(pa.table({"x": list(range(n))}), part / "part-00000.parquet")
    (root / "manifest.json").write_text(json.dumps({"schema_version": "1.0"}), encoding="utf-8")
    con = connect(root)
    assert _rows(run_sql(con, "select year, count(*) as n from things group by year order by year")) == [
        {"year": 2024, "n": 2},
        {"year": 2025, "n": 3},
    ]


def test_a_folder_that_is_no_dataset_is_named(tmp_path: Path):
    with pytest.raises(DatasetError, match="not a baocao dataset"):
        open_dataset(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"tables": {"documents": ["part-00000.parquet"]}}), encoding="utf-8")
    with pytest.raises(DatasetError, match="damaged"):
        open_dataset(tmp_path)


# statements that write, or reach outside the dataset; {out} is a folder outside it,
# {ds} the dataset itself, {secret} a file beside the dataset
ATTACKS = [
    "copy (select * from documents) to '{out}/x.csv'",
    "COPY documents TO '{ds}/documents/part-99999.parquet' (FORMAT parquet)",
    "/* select */ copy documents to '{out}/x.csv'",
    "export database '{out}/export'",
    "attach '{out}/x.duckdb' as x",
    "install httpfs",
    "load httpfs",
    "create table t as select 1",
    "create view v as select 1",
    "create macro m(x) as x",
    "create secret s (type s3, key_id 'k', secret 's')",
    "insert into documents select * from documents",
    "update documents set title = 'x'",
    "delete from documents",
    "drop view documents",
    "alter view documents rename to d",
    "pragma version",
    "pragma table_info('documents')",
    "set enable_external_access = true",
    "set allowed_paths = ['{secret}']",
    "reset lock_configuration",
    "call pragma_version()",
    "checkpoint",
    "vacuum",
    "begin transaction",
    "use memory",
    "select 1; drop view documents",
    "pivot references on system using count(*)",
    "select 1;\n-- harmless?\ncopy documents to '{out}/y.csv'",
    "select * from read_csv('{secret}')",
    "select * from read_text('{secret}')",
    "select * from read_blob('{ds}/manifest.json')",
    "select * from sniff_csv('{secret}')",
    "select * from glob('{out}/*')",
    "select * from '{secret}'",
    "with x as (select 1) select * from read_csv_auto('{secret}')",
    "select * from read_parquet('{ds}/../*/*.parquet')",
    "select * from read_parquet('https://example.com/x.parquet')",
    "select * from query('copy documents to ''{out}/z.csv''')",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_writes_and_reaching_outside_are_refused(attack: str, synthetic_dataset: Path, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    secret = tmp_path / "secret.csv"
    secret.write_text("user,password\nroot,hunter2\n", encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in synthetic_dataset.rglob("*")}
    con = connect(synthetic_dataset)
    sql = attack.format(out=out, ds=synthetic_dataset, secret=secret)
    with pytest.raises((QueryRefused, QueryError)) as refused:
        _rows(run_sql(con, sql))
    if "query(" not in attack:  # query() is stopped by DuckDB's parser: an error, not a refusal
        assert isinstance(refused.value, QueryRefused) and str(refused.value).startswith("Refused")
    assert "hunter2" not in str(refused.value)
    assert not any(out.iterdir()), "something was written"
    assert {p: p.stat().st_mtime_ns for p in synthetic_dataset.rglob("*")} == before
    # the connection still answers, with its views intact
    assert _rows(run_sql(con, "select count(*) as n from documents")) == [{"n": 3}]


def test_refusal_on_the_command_line(synthetic_dataset: Path, tmp_path: Path):
    result = runner.invoke(app, ["query", f"copy documents to '{tmp_path}/x.csv'", "-d", str(synthetic_dataset)])
    assert result.exit_code == 2
    assert "Refused: COPY statements are not allowed" in result.output and "-o FILE" in result.output
    result = runner.invoke(app, ["query", "select * from read_csv('/etc/passwd')", "-d", str(synthetic_dataset)])
    assert result.exit_code == 2 and "reaches outside the dataset" in result.output
    target = synthetic_dataset / "documents" / "part-00000.parquet"
    result = runner.invoke(app, ["query", "select 1", "-d", str(synthetic_dataset), "-f", "parquet", "-o", str(target)])
    assert result.exit_code == 2 and "inside the dataset" in result.output and pq.read_table(target).num_rows == 3
    result = runner.invoke(app, ["query", "select * from nowhere", "-d", str(synthetic_dataset)])
    assert result.exit_code == 1 and "Tables and views: " in result.output and "references" in result.output


def _cli(args: list[str]) -> str:
    result = runner.invoke(app, ["query", *args])
    assert result.exit_code == 0, result.output
    return result.output


SQL = "select code, issued_date, start, is_short_form from references order by doc_id, start"


@pytest.fixture(scope="module")
def expected(corpus_dataset: Path) -> list[dict]:
    table = pq.read_table(corpus_dataset / "references", columns=["doc_id", "code", "issued_date", "start", "is_short_form"])
    rows = sorted(table.to_pylist(), key=lambda r: (r["doc_id"], r["start"]))
    return [{k: r[k] for k in ("code", "issued_date", "start", "is_short_form")} for r in rows]


def test_csv_format(corpus_dataset: Path, tmp_path: Path, expected: list[dict]):
    out = tmp_path / "refs.csv"
    _cli([SQL, "-d", str(corpus_dataset), "-f", "csv", "-o", str(out)])
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs (tests/test_hostile.py)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):
        assert got["code"] == (want["code"] or "")
        assert got["issued_date"] == (want["issued_date"].isoformat() if want["issued_date"] else "")
        assert int(got["start"]) == want["start"] and got["is_short_form"] == str(want["is_short_form"]).lower()


def test_json_format(corpus_dataset: Path, expected: list[dict]):
    rows = json.loads(_cli([SQL, "-d", str(corpus_dataset), "-f", "json"]))
    assert rows == [{**r, "issued_date": r["issued_date"] and r["issued_date"].isoformat()} for r in expected]


def test_parquet_format_keeps_types(corpus_dataset: Path, tmp_path: Path, expected: list[dict]):
    out = tmp_path / "refs.parquet"
    _cli([SQL, "-d", str(corpus_dataset), "-f", "parquet", "-o", str(out)])
    table = pq.read_table(out)
    assert table.schema.field("issued_date").type == pa.date32()
    assert table.to_pylist() == expected
    result = runner.invoke(app, ["query", SQL, "-d", str(corpus_dataset), "-f", "parquet"])
    assert result.exit_code == 2 and "-o FILE" in result.output


def test_markdown_and_table_formats(corpus_dataset: Path, expected: list[dict]):
    lines = _cli([SQL, "-d", str(corpus_dataset), "-f", "markdown"]).splitlines()
    assert lines[0] == "| code | issued_date | start | is_short_form |" and len(lines) == len(expected) + 2
    text = _cli([SQL, "-d", str(corpus_dataset), "--max-rows", "5"])
    assert f"{len(expected)} rows (first 5 shown" in text and "57-NQ/TW" in _cli(
        ["select code from references where code = '57-NQ/TW' limit 1", "-d", str(corpus_dataset)]
    )


def test_lists_become_json_in_csv_and_stay_lists_in_json(synthetic_dataset: Path):
    sql = "select 'x' as k, ['a', 'b|c'] as l union all select 'y', null"
    assert _cli([sql, "-d", str(synthetic_dataset), "-f", "csv"]).splitlines() == ['"k","l"', '"x","[""a"", ""b|c""]"', '"y",']
    assert json.loads(_cli([sql, "-d", str(synthetic_dataset), "-f", "json"])) == [{"k": "x", "l": ["a", "b|c"]}, {"k": "y", "l": None}]
    assert "| x | [\"a\", \"b\\|c\"] |" in _cli([sql, "-d", str(synthetic_dataset), "-f", "markdown"])


def test_empty_result_still_has_its_header(corpus_dataset: Path):
    assert _cli(["select * from quantities where false", "-d", str(corpus_dataset), "-f", "csv"]).startswith('"doc_id","source_path","start"')
    assert json.loads(_cli(["select * from findings where false", "-d", str(corpus_dataset), "-f", "json"])) == []


def test_sql_from_stdin_and_usage_errors(corpus_dataset: Path):
    result = runner.invoke(app, ["query", "-", "-d", str(corpus_dataset), "-f", "csv"], input="select 41 + 1 as answer")
    assert result.exit_code == 0 and result.output.splitlines() == ['"answer"', "42"]
    assert runner.invoke(app, ["query", "-d", str(corpus_dataset)]).exit_code == 2  # nothing asked
    assert runner.invoke(app, ["query", "select 1", "--list"]).exit_code == 2  # two things asked
    assert runner.invoke(app, ["query", "select 1", "-f", "xml", "-d", str(corpus_dataset)]).exit_code == 2
    result = runner.invoke(app, ["query", "select 1", "-d", str(corpus_dataset.parent / "nope")])
    assert result.exit_code == 2 and "not a baocao dataset" in result.output


def test_dataset_from_the_environment(corpus_dataset: Path, monkeypatch):
    monkeypatch.setenv("BAOCAO_DATASET", str(corpus_dataset))
    assert _cli(["select count(*) as n from documents", "-f", "csv"]).splitlines() == ['"n"', "5"]
    assert baocao.tables()["documents"] == 5


def test_api_load_query_and_connect(synthetic_dataset: Path, tmp_path: Path):
    frames = baocao.load(synthetic_dataset)
    assert {name: len(df) for name, df in frames.items()} == baocao.tables(synthetic_dataset)
    assert set(frames["references"].columns) >= {"code", "issued_date", "sentence"}
    assert list(baocao.load(synthetic_dataset, tables=["findings"])) == ["findings"]
    with pytest.raises(DatasetError, match="No table nope"):
        baocao.load(synthetic_dataset, tables=["nope"])
    df = baocao.query("select code from references where code like '57-%'", synthetic_dataset)
    assert df.code.tolist() == ["57-NQ/TW"] * 4  # tests/synthetic.py: two in in/a.txt, two in in/b.txt
    with pytest.raises(QueryRefused):
        baocao.query("copy documents to 'x.csv'", synthetic_dataset)
    outside = tmp_path / "mine.csv"
    outside.write_text("code,note\n57-NQ/TW,root\n", encoding="utf-8")
    sandboxed = baocao.connect(synthetic_dataset)
    with pytest.raises(Exception, match="Permission"):
        sandboxed.sql(f"select * from read_csv('{outside}')").fetchall()
    free = baocao.connect(synthetic_dataset, sandbox=False)  # an ordinary connection joins the analyst's own files
    joined = free.sql(f'select count(*) from "references" r join read_csv(\'{outside}\') m using (code)').fetchall()
    assert joined == [(4,)]
    assert set(baocao.named_queries()) >= {"nq57-by-province", "most-cited", "citations-by-type", "quantities-by-unit", "findings-by-rule"}
