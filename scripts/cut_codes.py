"""How many cited documents of a dataset have a cut code, and how many citations stand in a web link.

    python -m scripts.cut_codes DATASET     (from the repository, so that its extractors are used)

A cut code is one the grammar calls incomplete (extractors.codes.looks_cut: `95/2016/N`,
`…/TT-BL`), what is left when a gazette PDF sets a code's Đ apart and the repair fails.
Exit code 0 when cut codes are at most 2% of the registry and no citation stands in a link.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pyarrow.dataset as ds

from extractors.codes import looks_cut
from extractors.references import link_spans


def main(dataset: Path) -> int:
    registry = ds.dataset(dataset / "cited_documents", format="parquet").to_table(columns=["code", "cite_kind"]).to_pylist()
    cut = sorted(r["code"] for r in registry if r["cite_kind"] == "code" and r["code"] and looks_cut(r["code"]))
    share = len(cut) / len(registry) if registry else 0.0
    print(f"cited documents {len(registry)}, cut codes {len(cut)} ({share:.1%}): {', '.join(cut[:20])}")
    texts = {r["doc_id"]: r["text"] for r in ds.dataset(dataset / "documents", format="parquet").to_table(columns=["doc_id", "text"]).to_pylist()}
    in_links = []
    for r in ds.dataset(dataset / "references", format="parquet").to_table(columns=["doc_id", "start", "end", "surface"]).to_pylist():
        lo = max(0, r["start"] - 400)
        spans = link_spans(texts[r["doc_id"]][lo : r["end"] + 50])
        if any(s + lo < r["end"] and r["start"] < e + lo for s, e in spans):
            in_links.append(r["surface"])
    print(f"citations in a web link: {len(in_links)} {in_links[:10]}")
    return 0 if share <= 0.02 and not in_links else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
