"""Resolution, the registry of cited documents and the graph, on the sample corpus and on small cases."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow.dataset as ds

from pipeline.run import run


def table(out: Path, name: str) -> list[dict]:
    return ds.dataset(out / name).to_table().to_pylist()


def test_nq57_has_one_date_and_every_citing_report(corpus_dataset: Path):
    docs = table(corpus_dataset, "documents")
    refs = table(corpus_dataset, "references")
    registry = {r["code"]: r for r in table(corpus_dataset, "cited_documents")}
    nq57 = registry["57-NQ/TW"]
    assert nq57["issued_date"] == dt.date(2024, 12, 22)
    assert [v["date"] for v in nq57["date_variants"]] == [dt.date(2024, 12, 22)]
    citing = {r["doc_id"] for r in refs if r["code"] == "57-NQ/TW" or r["resolved_code"] == "57-NQ/TW"}
    assert sorted(nq57["citing_doc_ids"]) == sorted(citing)
    assert nq57["reports"] == len(citing) == len({d["doc_id"] for d in docs})
    assert nq57["nq57_family"]


def test_date_variants_and_consensus(corpus_dataset: Path):
    registry = {r["code"]: r for r in table(corpus_dataset, "cited_documents")}
    plan = registry["02-KH/BCĐTW"]
    assert plan["issued_date"] == dt.date(2025, 6, 19)
    assert {v["date"]: v["mentions"] for v in plan["date_variants"]}[dt.date(2025, 6, 16)] == 1


def test_chain_from_57_down(corpus_dataset: Path):
    con = duckdb.connect()
    edges = con.sql(
        f"""select distinct s.code as source, t.code as target, e.relation
            from read_parquet('{corpus_dataset}/citation_edges/*.parquet') e
            join read_parquet('{corpus_dataset}/cited_documents/*.parquet') s on s.doc_key = e.source
            join read_parquet('{corpus_dataset}/cited_documents/*.parquet') t on t.doc_key = e.target
            where e.source_kind = 'document'"""
    ).fetchall()
    implements = {(s, t) for s, t, rel in edges if rel == "implements"}
    assert ("03/NQ-CP", "57-NQ/TW") in implements
    assert ("71/NQ-CP", "57-NQ/TW") in implements
    assert ("198/KH-UBND", "03/NQ-CP") in implements
    assert ("93-CTr/TU", "57-NQ/TW") in implements
    assert ("111/KH-UBND", "71/NQ-CP") in implements
    family = {r["code"] for r in table(corpus_dataset, "cited_documents") if r["nq57_family"]}
    assert {"57-NQ/TW", "03/NQ-CP", "71/NQ-CP", "198/KH-UBND", "93-CTr/TU", "111/KH-UBND"} <= family
    assert "1012/QĐ-TTg" not in family
    # every citation is an edge from its report
    n_refs = len([r for r in table(corpus_dataset, "references") if r["doc_key"]])
    n_report_edges = len([e for e in table(corpus_dataset, "citation_edges") if e["source_kind"] == "report"])
    assert n_refs == n_report_edges


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_short_forms_and_anaphora_resolve(tmp_path: Path):
    inp = write(
        tmp_path / "in",
        {
            "a.txt": "Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị. Kết quả thực hiện Nghị quyết 57 rất tốt.\n"
            "Ban hành Kế hoạch số 12/KH-UBND ngày 01/3/2025. Kế hoạch nêu trên đã hoàn thành.",
            "b.txt": "Tiếp tục quán triệt NQ57 trên địa bàn. Triển khai Kế hoạch 2025 và Đề án 06.",
            "c.txt": "Quyết định số 15/QĐ-UBND ngày 01/2/2025 và Quyết định số 15/QĐ-TTg ngày 02/2/2025. Quyết định số 15 nói rõ.",
        },
    )
    out = tmp_path / "out"
    run([inp], out)
    refs = {(r["surface"], r["doc_id"]): r for r in table(out, "references")}
    by_surface = {s: r for (s, _), r in refs.items()}
    assert by_surface["Nghị quyết 57"]["resolved_code"] == "57-NQ/TW"
    assert by_surface["Nghị quyết 57"]["resolved_by"].startswith("code from report")
    assert by_surface["NQ57"]["resolved_code"] == "57-NQ/TW"
    assert by_surface["NQ57"]["resolved_by"].startswith("code from corpus")
    assert by_surface["Kế hoạch nêu trên"]["resolved_code"] == "12/KH-UBND"
    assert by_surface["Đề án 06"]["resolved_code"] == "06/QĐ-TTg"  # gazetteer: the plan Quyết định 06/QĐ-TTg approves
    assert by_surface["Đề án 06"]["resolved_by"].startswith("code from gazetteer")
    assert by_surface["Quyết định số 15"]["resolved_code"] is None
    assert by_surface["Quyết định số 15"]["resolved_by"].startswith("ambiguous in report")
    registry = {r["code"]: r for r in table(out, "cited_documents")}
    assert registry["57-NQ/TW"]["mentions"] == 3  # the full citation, Nghị quyết 57 and NQ57
    assert registry["57-NQ/TW"]["reports"] == 2


def test_same_code_of_different_years_or_provinces_stays_distinct(tmp_path: Path):
    inp = write(
        tmp_path / "in",
        {
            "a.txt": "Kế hoạch số 198/KH-UBND ngày 28/03/2025 của UBND tỉnh Đắk Nông; Kế hoạch số 198/KH-UBND ngày 12/5/2021 của UBND tỉnh Đắk Nông.",
            "b.txt": "Kế hoạch số 198/KH-UBND ngày 28/03/2025 của UBND tỉnh Bình Dương.",
        },
    )
    out = tmp_path / "out"
    run([inp], out)
    rows = [r for r in table(out, "cited_documents") if r["code"] == "198/KH-UBND"]
    assert sorted((r["province"], r["year"]) for r in rows) == [("Bình Dương", 2025), ("Đắk Nông", 2021), ("Đắk Nông", 2025)]
    assert len({r["doc_key"] for r in rows}) == 3


def test_issuer_from_code_and_from_text(tmp_path: Path):
    inp = write(tmp_path / "in", {"a.txt": "Thực hiện Quyết định số 1012/QĐ-TTg; Kế hoạch số 12/KH-UBND của UBND tỉnh Phú Yên."})
    out = tmp_path / "out"
    run([inp], out)
    refs = {r["code"]: r for r in table(out, "references")}
    assert refs["1012/QĐ-TTg"]["issuer_canonical"] == "Thủ tướng Chính phủ"
    assert refs["1012/QĐ-TTg"]["resolved_by"] == "issuer from code"
    assert refs["12/KH-UBND"]["issuer_canonical"] == "Ủy ban nhân dân tỉnh Phú Yên"


_LETTERHEAD = "{body}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nSố: {code}\n{place}, ngày {day} tháng {month} năm {year}\n"


def _report(body: str, code: str, place: str, date: str, kind: str, title: str, text: str) -> str:
    day, month, year = date.split("/")
    return _LETTERHEAD.format(body=body, code=code, place=place, day=day, month=month, year=year) + f"{kind}\n{title}\n{text}\n"


def test_the_archive_knows_which_cited_documents_it_holds(tmp_path: Path):
    """A cited document is held when a corpus document is it: its own code, and its date or its issuer, agree."""
    ubnd, skhcn = "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH", "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH QUẢNG NINH"
    inp = write(
        tmp_path / "in",
        {
            "plan45.txt": _report(ubnd, "45/KH-UBND", "Quảng Ninh", "10/3/2025", "KẾ HOẠCH", "Ứng dụng khoa học và công nghệ năm 2025",
                                  "Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau."),
            "plan46.txt": _report(ubnd, "46/KH-UBND", "Quảng Ninh", "12/3/2025", "KẾ HOẠCH", "Chuyển đổi số năm 2025",
                                  "Ủy ban nhân dân tỉnh ban hành Kế hoạch chuyển đổi số."),
            # cites plan 45 by code and date; a decision the archive lacks; and the plan 45 of 2024, another document
            "report_a.txt": _report(skhcn, "120/BC-SKHCN", "Quảng Ninh", "20/6/2025", "BÁO CÁO", "Kết quả 6 tháng đầu năm 2025",
                                    "Thực hiện Kế hoạch số 45/KH-UBND ngày 10/3/2025 của Ủy ban nhân dân tỉnh và Quyết định số "
                                    "999/QĐ-UBND ngày 05/01/2025 của Ủy ban nhân dân tỉnh, Sở đã triển khai các nhiệm vụ.\n"
                                    "Kế hoạch số 45/KH-UBND ngày 15/01/2024 của Ủy ban nhân dân tỉnh đã hoàn thành."),
            # the same code and date, of another province
            "report_b.txt": _report("SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH LẠNG SƠN", "88/BC-SKHCN", "Lạng Sơn", "25/6/2025", "BÁO CÁO",
                                    "Kết quả 6 tháng đầu năm 2025",
                                    "Thực hiện Kế hoạch số 45/KH-UBND ngày 10/3/2025 của Ủy ban nhân dân tỉnh Lạng Sơn, Sở đã triển khai."),
            # plan 46 without its date: its issuer decides
            "report_c.txt": _report(skhcn, "130/BC-SKHCN", "Quảng Ninh", "30/6/2025", "BÁO CÁO", "Kết quả chuyển đổi số 6 tháng",
                                    "Thực hiện Kế hoạch số 46/KH-UBND của Ủy ban nhân dân tỉnh Quảng Ninh, Sở đã triển khai."),
        },
    )
    out = tmp_path / "out"
    run([inp], out)
    docs = {Path(d["source_path"]).stem: d["doc_id"] for d in table(out, "documents")}
    held = {(r["code"], r["province"], r["year"]): r["held_by_doc_id"] for r in table(out, "cited_documents")}
    assert held[("45/KH-UBND", "Quảng Ninh", 2025)] == docs["plan45"]
    assert held[("46/KH-UBND", "Quảng Ninh", None)] == docs["plan46"]
    assert held[("999/QĐ-UBND", "Quảng Ninh", 2025)] is None  # not in the corpus
    assert held[("45/KH-UBND", "Quảng Ninh", 2024)] is None  # the same code, another year
    assert held[("45/KH-UBND", "Lạng Sơn", 2025)] is None  # the same code and date, another province
