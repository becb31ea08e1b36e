"""A small dataset made by hand, with every table filled: what the corpus cannot show yet.

The corpus dataset has no quantities, agencies, provinces or periods until the
extraction stages fill them; this one has all of them. It is written with the
pipeline's own writer and goes through the pipeline's own corpus stages
(resolve, registry, audit), so `cited_documents` and `citation_edges` are
what a run would make of these citations. A folder of a later stage that the
schema does not declare (`annotations`) shows how such tables are treated.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from extractors.codes import parse_code
from pipeline.corpus import finalize
from pipeline.store.schema import TABLES
from pipeline.store.writer import DatasetWriter

_DEFAULTS = {pa.string(): "", pa.int32(): 0, pa.int64(): 0, pa.float64(): 0.0, pa.bool_(): False}

D = dt.date
NQ57_SUBJECT = "về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"


def row(table: str, **values) -> dict:
    """A row of `table`: the values given, the rest null (or a neutral value where the column is required)."""
    unknown = set(values) - set(TABLES[table].names)
    assert not unknown, f"{table} has no column {unknown}"
    out = {}
    for col in TABLES[table].columns:
        out[col.name] = values.get(col.name, None if col.nullable else _DEFAULTS.get(col.type, ""))
    return out


def _doc(doc_id: str, path: str, province: str | None, start: D | None, end: D | None, **record) -> dict:
    return row(
        "documents", doc_id=doc_id, source_path=path, source_format="txt", text="…", province=province,
        province_as_written=province, period_start=start, period_end=end, sha256=doc_id * 4,
        pipeline_version="test", title=f"Báo cáo {path}", **record,
    )


def _cite(doc_id: str, path: str, at: int, code: str | None, doc_type: str, sentence: str, **more) -> dict:
    """A citation as extraction would give it: a code is taken apart by the real grammar."""
    more.setdefault("cite_kind", "code" if code else "short")
    more.setdefault("relation", "mentions")
    parts = parse_code(code) if code else None
    if parts is not None:
        more.update(number=parts.number, year=parts.year, type_code=parts.type_code,
                    issuer_code=parts.issuer_code, system=parts.system)
    return row(
        "references", doc_id=doc_id, source_path=path, start=at, end=at + 10, surface=code or doc_type,
        doc_type=doc_type, code=code, sentence=sentence, **more,
    )


def rows() -> dict[str, list[dict]]:
    a, b, c = "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "cccccccccccccccc"
    pa_, pb, pc = "in/a.txt", "in/b.txt", "in/c.txt"
    s_a = "Thực hiện Nghị quyết số 57-NQ/TW và Kế hoạch số 02-KH/BCĐTW."
    s_03 = "Nghị quyết số 03/NQ-CP thực hiện Nghị quyết số 57-NQ/TW."
    s_198 = "Kế hoạch số 198/KH-UBND triển khai Nghị quyết số 03/NQ-CP."
    s_02 = "Kế hoạch số 02-KH/BCĐTW thực hiện Nghị quyết số 57-NQ/TW."
    return {
        "documents": [
            _doc(a, pa_, "Lâm Đồng", D(2025, 4, 1), D(2025, 6, 30)),
            # its own code is that of a plan a cites, but Lâm Đồng's: another province's document
            _doc(b, pb, "Quảng Ngãi", D(2025, 7, 1), D(2025, 9, 30), own_code="198/KH-UBND", issuing_agency="Ủy ban nhân dân tỉnh Quảng Ngãi"),
            # the Government's resolution a cites (undated here: the issuer decides), so the archive holds it
            _doc(c, pc, None, None, None, own_code="03/NQ-CP", issuing_agency="Chính phủ"),
        ],
        "references": [
            _cite(a, pa_, 10, "57-NQ/TW", "Nghị quyết", s_a, issued_date=D(2024, 12, 22), subject=NQ57_SUBJECT),
            _cite(a, pa_, 30, "02-KH/BCĐTW", "Kế hoạch", s_a, issued_date=D(2025, 6, 16)),
            _cite(a, pa_, 60, "03/NQ-CP", "Nghị quyết", s_03, issued_date=D(2025, 1, 9), issuer_canonical="Chính phủ",
                  subject="về ban hành Chương trình hành động của Chính phủ thực hiện Nghị quyết số 57-NQ/TW"),
            _cite(a, pa_, 75, "57-NQ/TW", "Nghị quyết", s_03, relation="implements", head_start=60),
            _cite(a, pa_, 90, "198/KH-UBND", "Kế hoạch", s_198, issued_date=D(2025, 3, 28),
                  subject="về việc triển khai thực hiện Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ"),
            _cite(a, pa_, 100, "03/NQ-CP", "Nghị quyết", s_198, issued_date=D(2025, 1, 9), relation="implements", head_start=90),
            _cite(a, pa_, 120, None, "Nghị quyết", "Nghị quyết 57 đặt mục tiêu ...", number="57", is_short_form=True),
            _cite(a, pa_, 140, None, "Đề án", "z", is_short_form=True),
            _cite(a, pa_, 160, None, "Luật", "z", cite_kind="law", name="Khoa học và Công nghệ"),
            _cite(b, pb, 10, "57-NQ/TW", "Nghị quyết", "x", issued_date=D(2024, 12, 22)),
            _cite(b, pb, 30, "02-KH/BCĐTW", "Kế hoạch", s_02, issued_date=D(2025, 6, 19)),
            _cite(b, pb, 50, "57-NQ/TW", "Nghị quyết", s_02, relation="implements", head_start=30),
            # only mentioned beside members: not members
            _cite(b, pb, 60, "103/NQ-CP", "Nghị quyết", "w", subject="về việc thực hiện Nghị quyết số 203/NQ-CP"),
            _cite(b, pb, 90, "38-CT/TW", "Chỉ thị", "v"),
            _cite(c, pc, 10, "02-KH/BCĐTW", "Kế hoạch", "u", issued_date=D(2025, 6, 19)),
            _cite(c, pc, 30, "47-NQ/TU", "Nghị quyết", "t",
                  subject="về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số trên địa bàn tỉnh"),
        ],
        "quantities": [
            row("quantities", doc_id=a, source_path=pa_, surface="25 nhiệm vụ", kind="count", value=25.0, unit="nhiệm vụ"),
            row("quantities", doc_id=a, source_path=pa_, surface="18/20 nhiệm vụ", kind="ratio", value=18.0, total=20.0, unit="nhiệm vụ",
                measure="nhiệm vụ", role="result", indicator=TASKS),
            *_figures(a, pa_, b, pb, c, pc),
            row("quantities", doc_id=b, source_path=pb, surface="5 nhiệm vụ", kind="count", value=5.0, unit="nhiệm vụ"),
            row("quantities", doc_id=b, source_path=pb, surface="28,6%", kind="percent", value=28.6, unit="%"),
            row("quantities", doc_id=b, source_path=pb, surface="308 tỷ đồng", kind="money", value=3.08e11, unit="đồng"),
            row("quantities", doc_id=c, source_path=pc, surface="thứ 12", kind="rank", value=12.0),
            row("quantities", doc_id=c, source_path=pc, surface="2 nhiệm vụ", kind="count", value=2.0, unit="nhiệm vụ"),
        ],
        "blocks": _table_cells(b),
        "agencies": [
            row("agencies", doc_id=a, source_path=pa_, surface="UBND tỉnh", canonical="Ủy ban nhân dân tỉnh Lâm Đồng", level="province", province="Lâm Đồng"),
            row("agencies", doc_id=a, source_path=pa_, surface="Bộ Chính trị", canonical="Bộ Chính trị", level="central"),
            row("agencies", doc_id=b, source_path=pb, surface="Bộ Chính trị", canonical="Bộ Chính trị", level="central"),
        ],
        "findings": [
            row("findings", doc_id=a, source_path=pa_, line=1, rule="date_conflict", severity="warning", code="02-KH/BCĐTW",
                found="16/6/2025", expected="19/6/2025", quote=s_a, confidence=0.7, origin="text",
                message="02-KH/BCĐTW is dated 16/6/2025 here and 19/6/2025 in two other reports."),
            row("findings", doc_id=b, source_path=pb, line=1, rule="type_code_mismatch", severity="error", code="327/KH-UBND",
                found="Quyết định", expected="Kế hoạch", quote=s_198, confidence=0.9, origin="text",
                message="Quyết định số 327/KH-UBND: the code says Kế hoạch."),
            row("findings", doc_id=c, source_path=pc, line=1, rule="date_conflict", severity="warning", code="01-KH/BCĐ",
                found="11/7/2025", expected="17/10/2025", quote=s_02, confidence=0.7, origin="ocr",
                caveat="read by OCR from a scan (OCR confidence 0.93): the characters may be misread",
                message="01-KH/BCĐ is cited with two dates."),
        ],
        "errors": [
            row("errors", source_path="in/locked.pdf", stage="ingest", error_type="encrypted_pdf", message="The PDF is encrypted."),
        ],
    }


ONLINE, BUDGET, GROWTH, TASKS = "Tỷ lệ hồ sơ trực tuyến toàn trình", "Thu ngân sách nhà nước", "Tốc độ tăng trưởng kinh tế (GRDP)", "Nhiệm vụ khoa học và công nghệ"
# doc b's table (blocks 0-5): `Chỉ tiêu | Kế hoạch 2025 | Thực hiện 9 tháng`, a row for online dossiers, one for the budget
_CELLS = [
    (0, 0, 0, 1000, "Chỉ tiêu"), (1, 0, 1, 1010, "Kế hoạch 2025"), (2, 0, 2, 1030, "Thực hiện 9 tháng"),
    (3, 1, 0, 1050, "Tỷ lệ hồ sơ trực tuyến toàn trình"), (4, 1, 1, 1090, "85"), (5, 1, 2, 1100, "78,2"),
    (6, 2, 0, 1110, "Thu ngân sách nhà nước (tỷ đồng)"), (7, 2, 1, 1150, "1.200"), (8, 2, 2, 1160, "905"),
]


def _table_cells(b: str) -> list[dict]:
    return [row("blocks", doc_id=b, block_id=i, kind="table_cell", start=at, end=at + len(text), table_index=0, row=r, col=col)
            for i, r, col, at, text in _CELLS]


def _figure(doc_id: str, path: str, surface: str, kind: str, value: float, unit: str | None, measure: str, role: str,
            indicator: str, at: int = 0, **more) -> dict:
    return row("quantities", doc_id=doc_id, source_path=path, start=at, end=at + len(surface), surface=surface, kind=kind,
               value=value, unit=unit, measure=measure, role=role, indicator=indicator, **more)


def _figures(a: str, pa_: str, b: str, pb: str, c: str, pc: str) -> list[dict]:
    """Figures with what they measure and are (role, period, pair, indicator), in three provinces and two years."""
    return [
        # in/a.txt (Lâm Đồng): a result and its plan written together; a growth and its planned range; a lone plan
        _figure(a, pa_, "87,6%", "percent", 87.6, "%", ONLINE, "result", ONLINE, 300, year=2025, period="năm 2025", pair_id=300),
        _figure(a, pa_, "80%", "percent", 80.0, "%", ONLINE, "target", ONLINE, 310, year=2025, pair_id=300),
        _figure(a, pa_, "75%", "percent", 75.0, "%", ONLINE, "result", ONLINE, 330, year=2024, period="năm 2024"),
        _figure(a, pa_, "7,2%", "percent", 7.2, "%", "tốc độ tăng trưởng kinh tế", "change", GROWTH, 350, compared_to="cùng kỳ", pair_id=350),
        _figure(a, pa_, "6-7%", "percent", 6.0, "%", "tốc độ tăng trưởng kinh tế", "target", GROWTH, 360, low=6.0, high=7.0, pair_id=350),
        _figure(a, pa_, "1.500 tỷ đồng", "money", 1.5e12, "đồng", "thu ngân sách", "target", BUDGET, 380, year=2026, period="năm 2026"),
        # in/b.txt (Quảng Ngãi): its table's rows (plan and result in one row), a result with no plan, a rank
        _figure(b, pb, "85", "percent", 85.0, "%", ONLINE, "target", ONLINE, 1090, year=2025, period="Kế hoạch 2025"),
        _figure(b, pb, "78,2", "percent", 78.2, "%", ONLINE, "result", ONLINE, 1100, year=2025, period="9 tháng"),
        _figure(b, pb, "1.200", "money", 1.2e12, "đồng", "Thu ngân sách nhà nước (tỷ đồng)", "target", BUDGET, 1150, year=2025),
        _figure(b, pb, "905", "money", 9.05e11, "đồng", "Thu ngân sách nhà nước (tỷ đồng)", "result", BUDGET, 1160, year=2025),
        _figure(b, pb, "0,61 điểm", "measure", 0.61, "điểm", "Chỉ số chuyển đổi số (DTI)", "result", "Chỉ số chuyển đổi số (DTI)", 1200, year=2024),
        _figure(b, pb, "thứ 25/63", "rank", 25.0, "tỉnh", "Chỉ số chuyển đổi số (DTI)", "result", "Chỉ số chuyển đổi số (DTI)", 1220, total=63.0, year=2024),
        # in/c.txt (province unknown, no period): its year is the figure's
        _figure(c, pc, "70%", "percent", 70.0, "%", ONLINE, "result", ONLINE, 300, year=2024),
        _figure(c, pc, "62%", "percent", 62.0, "%", ONLINE, "result", ONLINE, 320),
    ]


def write(out: Path) -> Path:
    data = rows()
    findings = data.pop("findings")
    writer = DatasetWriter(out)
    writer.add_rows(data)
    writer.flush()
    stage_errors = finalize(writer.staging)
    assert not stage_errors, stage_errors
    # the audit rewrote `findings` from these citations; the hand-made ones join them
    writer.add_rows({"findings": findings})
    writer.commit({"run": {"inputs_given": ["in"]}})
    # a table of a later stage, in a folder the schema does not declare
    notes = pa.table({"doc_id": [a for a in ("aaaaaaaaaaaaaaaa",)], "note": ["checked by hand"], "reviewer": ["test"]})
    (out / "annotations").mkdir()
    pq.write_table(notes, out / "annotations" / "part-00000.parquet")
    return out
