"""The document's own record: case tables, property tests over wrapped and interleaved letterheads, metadata scoring."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.metadata import extract_metadata, period_of
from gazetteer.places import after_merger
from pipeline.reports.eval import score_metadata, totals
from tests.helpers import load_cases, shared

RECORD_CASES = load_cases("record.yaml")
PERIOD_CASES = load_cases("periods.yaml")


def _metadata(text: str):
    return extract_metadata([("body", line) for line in text.splitlines()])


@pytest.mark.parametrize("case", RECORD_CASES, ids=[c["name"] for c in RECORD_CASES])
def test_record_case_table(case):
    meta = _metadata(case["text"])
    for name, want in case["expect"].items():
        got = [meta.period_start, meta.period_end] if name == "period" else getattr(meta, name)
        assert got == want, f"{name}: {got!r}, expected {want!r}"


@pytest.mark.parametrize("case", PERIOD_CASES, ids=[c["title"][:60] for c in PERIOD_CASES])
def test_period_case_table(case):
    assert list(period_of(case["title"], case.get("year"))) == case["period"]


# --- property: however the letterhead is wrapped or its columns interleaved, the same record ---

PROVINCES = ["Quảng Ngãi", "Hải Dương", "Kon Tum", "Bình Định", "Lâm Đồng", "Sóc Trăng", "Thái Nguyên", "Cà Mau"]
DEPARTMENTS = [
    ("SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Sở Khoa học và Công nghệ", "SKHCN"),
    ("SỞ Y TẾ", "Sở Y tế", "SYT"),
    ("SỞ NỘI VỤ", "Sở Nội vụ", "SNV"),
    ("SỞ TÀI CHÍNH", "Sở Tài chính", "STC"),
]
TYPES = [("KẾ HOẠCH", "KH", "Kế hoạch"), ("BÁO CÁO", "BC", "Báo cáo"), ("QUYẾT ĐỊNH", "QĐ", "Quyết định"), ("THÔNG BÁO", "TB", "Thông báo")]
ABSTRACTS = [
    ("Triển khai nhiệm vụ trọng tâm năm {y}", lambda y: (dt.date(y, 1, 1), dt.date(y, 12, 31))),
    ("Kết quả thực hiện 6 tháng đầu năm {y}", lambda y: (dt.date(y, 1, 1), dt.date(y, 6, 30))),
    ("Phát triển hạ tầng số giai đoạn {y}-{y2}", lambda y: (dt.date(y, 1, 1), dt.date(y + 4, 12, 31))),
    ("Về việc kiện toàn tổ công tác liên ngành", lambda y: (None, None)),
]
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TAGLINE = "Độc lập - Tự do - Hạnh phúc"


@st.composite
def letterheads(draw):
    """(left column, right column, lines after the letterhead, expected record) of one synthetic document."""
    form = draw(st.sampled_from(["department", "committee", "party", "letter"]))
    province = draw(st.sampled_from(PROVINCES))
    day, month, year = draw(st.integers(1, 28)), draw(st.integers(1, 12)), draw(st.integers(2015, 2026))
    number = draw(st.integers(1, 9999))
    written_date = f"ngày {day:02d} tháng {month} năm {year}"
    upper = province.upper()
    type_word, type_code, doc_type = draw(st.sampled_from(TYPES))
    abstract_form, period = draw(st.sampled_from(ABSTRACTS))
    abstract = abstract_form.format(y=year, y2=year + 4)
    after = [type_word, abstract, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"]
    expect = {"place": province, "report_date": dt.date(year, month, day), "doc_type": doc_type, "title": abstract,
              "period": list(period(year)), "province": after_merger(province)}
    rule = draw(st.sampled_from(["", "-------", "_____"]))
    if form == "department":
        body, canonical, short = draw(st.sampled_from(DEPARTMENTS))
        code = f"{number}/{type_code}-{short}"
        left = [f"UBND TỈNH {upper}", body, rule, f"Số: {code}"]
        expect |= {"issuer_line": f"UBND TỈNH {upper} / {body}", "issuing_agency": f"{canonical} tỉnh {province}"}
    elif form == "committee":
        code = f"{number}/{type_code}-UBND"
        left = ["ỦY BAN NHÂN DÂN", f"TỈNH {upper}", rule, f"Số: {code}"]
        expect |= {"issuer_line": f"ỦY BAN NHÂN DÂN TỈNH {upper}", "issuing_agency": f"Ủy ban nhân dân tỉnh {province}"}
    elif form == "party":
        code = f"{number}-{type_code}/TU"
        left = [f"ĐẢNG BỘ TỈNH {upper}", "TỈNH ỦY", "*", f"Số {code}"]
        expect |= {"issuer_line": f"ĐẢNG BỘ TỈNH {upper} / TỈNH ỦY", "issuing_agency": f"Tỉnh ủy {province}"}
    else:  # a ministry's letter: no type name, its abstract after V/v; central, so no province
        code = f"{number}/BYT-KHTC"
        left = ["BỘ Y TẾ", rule, f"Số: {code}", "V/v triển khai kế hoạch phòng, chống dịch bệnh"]
        after = ["Kính gửi: Sở Y tế các tỉnh, thành phố trực thuộc Trung ương", "Thực hiện chỉ đạo của Chính phủ, Bộ Y tế đề nghị:"]
        province = "Hà Nội"
        expect |= {"issuer_line": "BỘ Y TẾ", "issuing_agency": "Bộ Y tế", "place": "Hà Nội", "province": None,
                   "doc_type": "Công văn", "title": "triển khai kế hoạch phòng, chống dịch bệnh", "period": [None, None]}
    right = (["ĐẢNG CỘNG SẢN VIỆT NAM"] if form == "party" else [MOTTO, TAGLINE, rule]) + [f"{province}, {written_date}"]
    expect["own_code"] = code
    return [x for x in left if x], [x for x in right if x], after, expect


@st.composite
def wrapped(draw, lines: list[str], whole: tuple[str, ...] = ()) -> list[str]:
    """Each line broken at any of its spaces, as a narrow column wraps it.

    Not the lines in `whole`, nor the number's or the party motto's: what the
    text itself would leave in doubt once read across a row (a bare `Số`
    beside the date's wrapped year reads `Số 2015`; a letter's `V/v ...` beside
    a place broken off its date takes the place in; `ĐẢNG` / `CỘNG SẢN VIỆT NAM`
    beside `ĐẢNG` / `BỘ TỈNH ...` could be either). The case table has `Số:`
    and its code on two lines.
    """
    out = []
    for line in lines:
        kept = line.startswith("Số") or line == "ĐẢNG CỘNG SẢN VIỆT NAM" or line in whole
        words = [line] if kept else line.split(" ")
        breaks = draw(st.lists(st.booleans(), min_size=len(words) - 1, max_size=len(words) - 1))
        current = [words[0]]
        for word, cut in zip(words[1:], breaks):
            if cut and word != "-":  # a dash ends its line (`Độc lập -`), it does not open one
                out.append(" ".join(current))
                current = []
            current.append(word)
        out.append(" ".join(current))
    return out


@st.composite
def interleaved(draw, left: list[str], right: list[str], joins=lambda line: True) -> list[str]:
    """The two columns merged line by line in any order each keeps; a row read across joins a left line with the right one.

    `joins(line)`: whether a left line may have a right one read after it.
    """
    out: list[str] = []
    i = j = 0
    while i < len(left) or j < len(right):
        take_left = j >= len(right) or (i < len(left) and draw(st.booleans()))
        if take_left:
            line = left[i]
            i += 1
            if j < len(right) and joins(line) and draw(st.booleans()):
                line = f"{line} {right[j]}"  # same row: the left half first
                j += 1
            out.append(line)
        else:
            out.append(right[j])
            j += 1
    return out


def _check(meta, expect: dict) -> None:
    for name, want in expect.items():
        got = [meta.period_start, meta.period_end] if name == "period" else getattr(meta, name)
        assert got == want, f"{name}: {got!r}, expected {want!r}"


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_letterhead_gives_the_same_record_however_it_is_laid_out(data):
    left, right, after, expect = data.draw(letterheads())
    _check(extract_metadata([("body", line) for line in [*left, *right, *after]]), expect)  # clean: one column, then the other
    left_lines = data.draw(wrapped(left))
    right_lines = data.draw(wrapped(right, whole=tuple(right) if any(x.startswith("V/v") for x in left) else ()))
    lines = data.draw(interleaved(left_lines, right_lines))
    _check(extract_metadata([("body", line) for line in [*lines, *after]]), expect)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_recipients_and_signature_read_the_same_however_interleaved(data):
    recipients = ["Bộ Khoa học và Công nghệ", "Thường trực Tỉnh ủy", "Các sở, ban, ngành"]
    authority, title, name = data.draw(st.sampled_from([
        ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Thị Lan"),
        ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Văn Minh"),
        ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lê Hoàng Nam"),
    ]))
    column = ["Nơi nhận:"]
    for item in recipients:
        words = item.split()
        cut = data.draw(st.integers(0, len(words) - 1))  # a narrow column wraps an item once
        column += [f"- {' '.join(words[:cut] or words)}" + ("" if cut else ";")] + ([f"{' '.join(words[cut:])};"] if cut else [])
    column.append("- Lưu: VT, KGVX.")
    # a recipient broken mid-item beside the name (`- Bộ Nguyễn Thị Lan`) reads either way: rows join after whole items
    lines = data.draw(interleaved(column, [authority, title, name], joins=lambda line: line.endswith((";", ".", ":"))))
    body = ["BÁO CÁO", "Kết quả công tác tháng 5 năm 2025", "Trên đây là báo cáo kết quả công tác tháng 5 năm 2025./.", *lines]
    meta = extract_metadata([("body", line) for line in body])
    assert (meta.signer_title, meta.signer_name) == (f"{authority} / {title}", name)
    assert meta.recipients == recipients


# --- scoring the metadata against gold meta.json files ---


def _dataset(root: Path, rows: list[dict]) -> Path:
    (root / "documents").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), root / "documents" / "part-0.parquet")
    (root / "manifest.json").write_text("{}", encoding="utf-8")
    return root


def test_metadata_scoring_counts_each_file_and_field_once(tmp_path: Path):
    gold = tmp_path / "gold"
    gold.mkdir()
    metas = {
        "a": {"province": "Bình Định", "province_as_written": "Bình Định", "period_start": "2021-01-01", "period_end": "2025-12-31",
              "doc_type": "Nghị quyết", "own_code": "21/2022/NQ-HĐND", "issued_date": "2022-09-07"},
        "b": {"province": None, "period_start": None, "period_end": None, "doc_type": "Thông tư", "own_code": "07/2020/TT-BTC", "issued_date": "2020-02-03"},
        "c": {"province": "Quảng Nam", "period_start": "2018-01-01", "period_end": "2018-12-31", "doc_type": "socioeconomic_annual"},
    }
    for stem, meta in metas.items():
        (gold / f"{stem}.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    d = dt.date.fromisoformat
    rows = [
        # right everywhere; gold names the province before the merger (Bình Định is Gia Lai now)
        {"source_path": "x/a.txt", "province": "Gia Lai", "own_code": "21/2022/NQ-HĐND", "doc_type": "Nghị quyết",
         "issued_date": d("2022-09-07"), "period_start": d("2021-01-01"), "period_end": d("2025-12-31")},
        # a province where gold has none: wrong; no code where gold has one: missed
        {"source_path": "x/b.pdf", "province": "Hà Nội", "own_code": None, "doc_type": "Thông tư",
         "issued_date": d("2020-02-03"), "period_start": None, "period_end": None},
        # a genre label is no document type: not scored; nor are fields gold leaves out
        {"source_path": "x/c.txt", "province": None, "own_code": "5/KH-UBND", "doc_type": "Bài viết",
         "issued_date": None, "period_start": d("2018-01-01"), "period_end": d("2018-12-31")},
    ]
    scores = {fs.gold_file: fs for fs in score_metadata(gold, _dataset(tmp_path / "out", rows))}
    assert all(s.tp == 1 and not s.fp and not s.fn for s in scores["a"].metrics.values())
    b = scores["b"].metrics
    assert (b["province"].fp, b["own_code"].fn, b["doc_type"].tp, b["issued_date"].tp, b["period"].tp) == (1, 1, 1, 1, 1)
    c = scores["c"].metrics
    assert c["province"].fn == 1 and c["period"].tp == 1
    assert all(c[m].tp + c[m].fp + c[m].fn == 0 for m in ("own_code", "doc_type", "issued_date"))
    total = totals(list(scores.values()))
    assert (total["province"].tp, total["province"].fp, total["province"].fn) == (1, 1, 1)
    assert total["province"].share == pytest.approx(1 / 3)
    assert total["own_code"].share == pytest.approx(1 / 2) and total["doc_type"].share == 1.0
    assert scores["b"].false_alarms["province"] == ["Hà Nội (gold: None)"]


def test_dev_corpus_metadata_scores(tmp_path: Path):
    """The whole pipeline on the dev corpus, scored against its meta.json gold (misses: see the report in the commit)."""
    from pipeline.reports.eval import evaluate
    from pipeline.run import run

    texts, gold = shared("dev-corpus", "texts"), shared("dev-corpus", "gold")
    run([texts], tmp_path / "out")
    total = totals(evaluate(gold, tmp_path / "out", tables=("metadata",))["metadata"])
    for field in ("own_code", "doc_type", "issued_date"):
        assert total[field].share >= 0.95, (field, total[field])
    # gold's province for six web pages that never name one (SPEC §4 says null), and three periods
    # stated nowhere in the text's record, are out of reach without guessing
    assert total["province"].share >= 0.75
    assert total["period"].share >= 0.85
