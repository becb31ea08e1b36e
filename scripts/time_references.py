"""Time citation extraction on one block of 25k..200k characters full of citations.

    python -m scripts.time_references     (from the repository, so that its extractors are used)

Extraction must be linear in the size of a block (issue 11): the seconds per 100k
characters stay flat as the block grows. Four kinds of block: dense citations (codes,
laws by name and number, short forms, broken codes, split dates), citations without
dates, web links with codes in them, and zero-width characters inside codes. Each
block goes through what the pipeline does to it: clean_chars, normalize_block,
find_references, link. Not a test: timings depend on the machine.
"""
from __future__ import annotations

import gc
import time

from extractors.references import find_references
from extractors.relations import link
from pipeline.bench.scale import filled
from pipeline.text import clean_chars, normalize_block

UNITS = {
    "dense": [
        "Căn cứ Luật Ngân sách nhà nước số 83/2015/QH13 ngày 25 tháng 6 năm 2015; ",
        "thực hiện Kế hoạch số {n}/KH-UBND ngày 28/03/2025 của UBND tỉnh về việc triển khai Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị, ",
        "Quyết định số {n}/QĐ-UBND, số {m}/QĐ-UBND và Nghị quyết 57, Đề án 06 của Chính phủ; ",
        "Nghị định {n}/2016/N Đ-CP ngày 01/7/20 16 và Thông tư 0{d}/2017/TT-BL ĐTBXH; ",
        "Kế hoạch số 02 KH/BCĐTW, Công văn 27/TTr- STTTT và 100 - KL/TW; Luật sửa đổi, bổ sung một số điều của Luật Đất đai và Luật Nhà ở; ",
    ],
    "no-dates": ["Kế hoạch số {n}/KH-UBND và Quyết định {m}/QĐ-TTg; ", "Luật Giá số 11/2012/QH13; ", "Số: {n}/KH-UBND; "],
    "links": ["https://vbpl.vn/tw/Pages/vbpq-toanvan.aspx?ItemID={n}&Keyword= S%E1%BB%91%20{n}/2015/N%C4%90-CP Thông tư số {m}/2016/TT-BTC; "],
    "zero-width": ["Kế hoạch số {n}\u200b/KH\u200e-UBND\u2060 ngày 28/03/2025 và Quyết định {m}/\u2066QĐ\u2069-TTg; "],
}
SIZES = (25_000, 50_000, 100_000, 200_000)


def block(kind: str, size: int) -> str:
    return filled(UNITS[kind], size)


def best_of_two(raw: str) -> tuple[float, int]:
    best, found = float("inf"), 0
    for _ in range(2):
        gc.collect()
        t0 = time.perf_counter()
        text = normalize_block(clean_chars(raw))
        refs = find_references(text)
        link(text, refs)
        best, found = min(best, time.perf_counter() - t0), len(refs)
    return best, found


def main() -> None:
    for kind in UNITS:
        first = None
        for size in SIZES:
            seconds, found = best_of_two(block(kind, size))
            per = seconds / size * 1e5
            first = first or per
            print(f"{kind:10} {size:>7} chars {found:>5} citations {seconds:6.3f} s  {per:.3f} s/100k chars (x{per / first:.2f} of 25k)")


if __name__ == "__main__":
    main()
