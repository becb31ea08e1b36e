"""The corpus stages work report by report: their results must not depend on how the staged tables are cut."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import gazetteer
from pipeline.store import tables as staging
from pipeline.run import run
from pipeline.store.tables import report_slices, report_units
from tests.helpers import ROOT

TABLES = ("documents", "references", "quantities", "agencies", "cited_documents", "citation_edges", "findings")


def rows(out: Path, name: str) -> list[str]:
    """A table's rows, as comparable text, in a fixed order."""
    return sorted(json.dumps(r, sort_keys=True, default=str, ensure_ascii=False) for r in ds.dataset(out / name).to_table().to_pylist())


@pytest.fixture
def tiny_batches(monkeypatch):
    """Every report in a part of its own, and the stages turn a handful of rows at a time into Python objects."""
    monkeypatch.setattr("pipeline.store.writer.BATCH_BYTES", 1)
    monkeypatch.setattr("pipeline.store.writer.CHUNK_ROWS", 1)
    monkeypatch.setattr("pipeline.store.tables.SLICE_ROWS", 7)
    units_seen = []
    real = staging.report_units

    def spy(folder: Path) -> list[list[Path]]:
        units = real(folder)
        units_seen.append(len(units))
        return units

    monkeypatch.setattr("pipeline.store.tables.report_units", spy)
    return units_seen


@pytest.mark.parametrize("workers", [1, 2, 3])  # 2, 3: the stages deal the units out to as many processes (at most the cores)
def test_the_dataset_does_not_depend_on_part_and_slice_sizes(corpus_dataset: Path, tmp_path: Path, tiny_batches, workers):
    out = tmp_path / "dataset"
    run([ROOT / "corpus"], out, workers=workers)
    assert max(tiny_batches) == 5  # the stages really read one report at a time
    for name in TABLES:
        assert rows(out, name) == rows(corpus_dataset, name), name


def test_incremental_run_with_tiny_parts_equals_a_fresh_run(tmp_path: Path, monkeypatch):
    """Carried-over rows come in parts of their own, next to the new reports' parts."""
    inp = tmp_path / "in"
    inp.mkdir()
    seeds = sorted((ROOT / "corpus").glob("*.txt"))
    for seed in seeds[:2]:
        shutil.copy(seed, inp / seed.name)
    run([inp], tmp_path / "fresh-first")
    shutil.copytree(tmp_path / "fresh-first", tmp_path / "incremental")
    for seed in seeds[2:]:
        shutil.copy(seed, inp / seed.name)
    run([inp], tmp_path / "fresh")
    monkeypatch.setattr("pipeline.store.writer.BATCH_BYTES", 1)
    monkeypatch.setattr("pipeline.store.writer.CHUNK_ROWS", 1)
    monkeypatch.setattr("pipeline.store.tables.SLICE_ROWS", 5)
    summary = run([inp], tmp_path / "incremental")
    assert summary.skipped == 2
    for name in TABLES:
        assert rows(tmp_path / "incremental", name) == rows(tmp_path / "fresh", name), name


def _part(folder: Path, name: str, doc_ids: list[str]) -> None:
    folder.mkdir(exist_ok=True)
    pq.write_table(pa.table({"doc_id": doc_ids, "n": list(range(len(doc_ids)))}), folder / name)


def test_a_report_split_between_parts_is_read_in_one_unit(tmp_path: Path):
    _part(tmp_path, "part-00000.parquet", ["a", "a", "b"])
    _part(tmp_path, "part-00001.parquet", ["c"])
    _part(tmp_path, "part-00002.parquet", ["b", "d"])
    _part(tmp_path, "part-00003.parquet", ["d", "e"])
    units = [[p.name for p in unit] for unit in report_units(tmp_path)]
    assert units == [["part-00000.parquet", "part-00002.parquet", "part-00003.parquet"], ["part-00001.parquet"]]


def _references(folder: Path, parts: list[list[str]]) -> dict[str, bytes]:
    """A staged references table of these parts (doc_ids; the other columns null); its files' bytes by name."""
    from pipeline.store.schema import TABLES as SCHEMAS

    schema = SCHEMAS["references"].schema
    blank = {pa.types.is_string: "", pa.types.is_integer: 0, pa.types.is_boolean: False}
    required = {f.name: next(v for is_, v in blank.items() if is_(f.type)) for f in schema if not f.nullable}
    folder.mkdir(parents=True)
    for i, ids in enumerate(parts):
        rows = [{**required, "doc_id": d, "start": n} for n, d in enumerate(ids)]
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / f"part-{i:05d}.parquet")
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())}


@pytest.mark.parametrize("processes", [1, 2])
def test_a_rewrite_writes_a_part_per_unit_or_leaves_the_table_as_it_was(tmp_path: Path, processes: int):
    from functools import partial

    from pipeline.corpus.fanout import fan_out

    folder = tmp_path / "references"
    before = _references(folder, [["a", "a"], ["b"], ["c", "d"]])

    def update(table: pa.Table) -> tuple[dict[str, list], int]:
        return {"doc_key": [f"key-{d}" for d in table.column("doc_id").to_pylist()]}, table.num_rows

    kept = []
    staging.update_by_report(tmp_path, "references", ["doc_id"], update, kept.append, partial(fan_out, processes=processes))
    assert kept == [2, 1, 2]  # in table order
    assert sorted(f.name for f in folder.iterdir()) == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    table = pq.read_table(folder)
    assert table.column("doc_key").to_pylist() == ["key-a", "key-a", "key-b", "key-c", "key-d"]

    folder2 = tmp_path / "again" / "references"
    before = _references(folder2, [["a", "a"], ["b"], ["c", "d"]])

    def fails_at_the_second(rest: int) -> None:
        if rest == 1:
            raise RuntimeError("keep failed")

    with pytest.raises(RuntimeError):
        staging.update_by_report(folder2.parent, "references", ["doc_id"], update, fails_at_the_second,
                                 partial(fan_out, processes=processes))
    assert {f.name: f.read_bytes() for f in sorted(folder2.iterdir())} == before  # no new part, no stray


@pytest.mark.parametrize(
    "doc_ids, size, expected",
    [
        (["a", "a", "b", "b", "c"], 2, [["a", "a"], ["b", "b"], ["c"]]),
        (["a", "a", "a", "b"], 2, [["a", "a", "a"], ["b"]]),  # a report is never cut, however long
        (["a", "b", "c", "d"], 3, [["a", "b", "c"], ["d"]]),
        (["a", "b", "a", "c"], 1, [["a", "b", "a", "c"]]),  # a report's rows not together: the whole table
        (["a", "b"], 5, [["a", "b"]]),
    ],
)
def test_slices_never_cut_a_report(doc_ids, size, expected):
    table = pa.table({"doc_id": doc_ids})
    assert [s.column("doc_id").to_pylist() for s in report_slices(table, size)] == expected


def test_whole_texts_do_not_fill_the_fold_cache():
    """Folding a report's text must not keep it alive (the worker's memory grew with every file)."""
    before = gazetteer._fold_short.cache_info().currsize
    text = "Ủy ban nhân dân tỉnh Bình Dương báo cáo kết quả. " * 200
    assert gazetteer.fold(text) == gazetteer.fold(text.upper())
    assert gazetteer._fold_short.cache_info().currsize == before


def test_the_run_leaves_arrows_memory_pool_as_it_was(tmp_path: Path):
    """The corpus stages switch Arrow to the system allocator; a notebook calling run() gets its own pool back."""
    before = pa.default_memory_pool().backend_name
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Thực hiện Kế hoạch số 198/KH-UBND ngày 28/03/2025 của UBND tỉnh.\n", encoding="utf-8")
    run([tmp_path / "in"], tmp_path / "out")
    assert pa.default_memory_pool().backend_name == before


def test_every_registry_row_agrees_with_its_citations(corpus_dataset: Path):
    """What cited_documents says of a document is what its citations in `references` say, counted."""
    from collections import Counter, defaultdict

    refs = defaultdict(list)
    for r in ds.dataset(corpus_dataset / "references").to_table().to_pylist():
        if r["doc_key"]:
            refs[r["doc_key"]].append(r)
    registry = ds.dataset(corpus_dataset / "cited_documents").to_table().to_pylist()
    assert {d["doc_key"] for d in registry} == set(refs)
    for doc in registry:
        cited = refs[doc["doc_key"]]
        assert doc["mentions"] == len(cited)
        assert doc["citing_doc_ids"] == sorted({r["doc_id"] for r in cited})
        dates = Counter(r["issued_date"] for r in cited if r["issued_date"])
        assert {v["date"]: v["mentions"] for v in doc["date_variants"]} == dict(dates)
        assert (doc["subject"] or "") == max((r["subject"] or "" for r in cited), key=len)
        issuers = {r["issuer_canonical"] for r in cited if r["issuer_canonical"]}
        assert (doc["issuer"] in issuers) if issuers else doc["issuer"] is None
        if doc["cite_kind"] == "code":
            assert doc["code"] in {r["code"] or r["resolved_code"] for r in cited}
    assert [(-d["mentions"], d["code"] or "") for d in registry] == sorted((-d["mentions"], d["code"] or "") for d in registry)


def test_parts_are_read_as_the_dataset_scanner_reads_them(tmp_path: Path):
    """read_parts stands in for pyarrow.dataset: a part of another version (a column missing, one typed
    otherwise, columns in another order) must come back exactly as the scanner gives it."""
    schema = staging.TABLES["findings"].schema
    given = {"source_path": "x.txt", "severity": "error", "message": "m", "quote": "q", "confidence": 0.5, "origin": "text"}
    full = [
        {**given, "doc_id": "a", "start": 1, "end": 4, "rule": "r",
         "evidence": [{"doc_id": "b", "start": 2, "end": 3, "quote": "q", "note": "n"}]},
        {**given, "doc_id": "a", "start": 9, "end": 12, "rule": "s", "caveat": "c"},
    ]
    pq.write_table(pa.Table.from_pylist(full, schema=schema), tmp_path / "part-00000.parquet")
    older = pa.table({"end": pa.array([7], pa.int32()), "doc_id": ["c"], "start": pa.array([5], pa.int32()), "rule": ["t"]})
    pq.write_table(older, tmp_path / "part-00001.parquet")
    parts = sorted(tmp_path.glob("*.parquet"))
    for columns in (None, ["doc_id", "start", "message"], ["evidence", "doc_id"]):
        expected = ds.dataset(parts, format="parquet", schema=schema).to_table(columns=columns)
        got = staging.read_parts(parts, schema, columns)
        assert got.schema == expected.schema and got.to_pylist() == expected.to_pylist()
