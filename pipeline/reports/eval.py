"""Score a dataset against hand-made gold files (../shared/gold/SPEC.md).

Matching is per input file (gold `file` and dataset `source_path` compared by
stem, so `002_x.txt` gold also scores `002_x.pdf`), as multisets of keys, so
layout and offsets do not matter. Codes are compared without whitespace and
hyphens. Gold lines marked `ambiguous` are ignored: they count neither as
misses nor, when the prediction matches them, as false alarms.

Metrics for references:
- `code`: every cited code;
- `code+date`: code and stated date;
- `all`: every citation: its code, else (type, number) for short forms,
  else (type, name) for laws cited by name.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path


import gazetteer
from extractors.codes import compare_key
from pipeline.store.tables import read_table


@dataclass(slots=True)
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class FileScore:
    gold_file: str
    source_path: str
    metrics: dict[str, Score] = field(default_factory=dict)
    misses: dict[str, list] = field(default_factory=dict)  # metric -> keys missed
    false_alarms: dict[str, list] = field(default_factory=dict)


def _code(value) -> str | None:
    return compare_key(value) if value else None


def _norm(text: str | None) -> str:
    return " ".join(gazetteer.fold(text or "").split())


def reference_keys(item: dict) -> dict[str, object | None]:
    """The key of one citation under each metric (None: not counted under it)."""
    if item.get("cite_kind") == "anaphora":  # gold (SPEC) annotates citations with a number or a code
        return {"code": None, "code+date": None, "all": None}
    code = _code(item.get("code"))
    date = item.get("date") if "date" in item else item.get("issued_date")
    date = str(date) if date else None
    kind = item.get("type") or item.get("doc_type")
    if code:
        everything = ("code", code)
    elif item.get("number"):
        everything = ("short", _norm(kind), str(item["number"]))
    else:
        everything = ("name", _norm(kind), _norm(item.get("name")))
    return {
        "code": code,
        "code+date": (code, date) if code else None,
        "all": everything,
    }


def _num(value) -> float | None:
    return None if value is None else round(float(value), 6)


def quantity_keys(item: dict) -> dict[str, object | None]:
    """value: the number and its denominator; kind+value: and what kind; all: and the unit."""
    if not item:
        return {"value": None, "kind+value": None, "all": None}
    value = (_num(item.get("value")), _num(item.get("total")))
    return {
        "value": value,
        "kind+value": (item.get("kind"), *value),
        "all": (item.get("kind"), *value, _norm(item.get("unit"))),
    }


def agency_keys(item: dict) -> dict[str, object | None]:
    """canonical: the resolved full name; +level: and the level and province."""
    if not item:
        return {"canonical": None, "canonical+level": None}
    name = _norm(item.get("canonical"))
    return {"canonical": name, "canonical+level": (name, item.get("level"), _norm(item.get("province")))}


METRICS: dict[str, tuple[str, Callable[[dict], dict]]] = {
    "references": ("references", reference_keys),
    "quantities": ("quantities", quantity_keys),
    "agencies": ("agencies", agency_keys),
}


def score_items(gold: Iterable[dict], predicted: Iterable[dict], keys: Callable[[dict], dict]) -> dict[str, tuple[Score, list, list]]:
    gold = list(gold)
    predicted = list(predicted)
    out = {}
    for metric in keys({}):
        g = Counter(k for item in gold if not item.get("ambiguous") and (k := keys(item)[metric]) is not None)
        amb = Counter(k for item in gold if item.get("ambiguous") and (k := keys(item)[metric]) is not None)
        p = Counter(k for item in predicted if (k := keys(item)[metric]) is not None)
        tp = g & p
        extra = p - tp
        extra = extra - amb  # predictions matching ambiguous gold lines are ignored
        missed = g - tp
        score = Score(tp=sum(tp.values()), fp=sum(extra.values()), fn=sum(missed.values()))
        out[metric] = (score, sorted(missed.elements(), key=str), sorted(extra.elements(), key=str))
    return out


def load_gold(gold_dir: Path, table: str) -> dict[str, list[dict]]:
    """stem of the annotated file -> gold items of one table."""
    out: dict[str, list[dict]] = {}
    for path in sorted(gold_dir.glob(f"*.{table}.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                out.setdefault(Path(item["file"]).stem, []).append(item)
    return out


def evaluate(gold_dir: Path, dataset: Path, tables: Iterable[str] = tuple(METRICS)) -> dict[str, list[FileScore]]:
    documents = read_table(dataset, "documents", ["doc_id", "source_path"]).to_pylist()
    by_stem: dict[str, list[dict]] = {}
    for d in documents:
        by_stem.setdefault(Path(d["source_path"]).stem, []).append(d)
    results: dict[str, list[FileScore]] = {}
    for table in tables:
        target, keys = METRICS[table]
        gold = load_gold(gold_dir, table)
        if not gold:
            continue
        rows = read_table(dataset, target).to_pylist()
        by_doc: dict[str, list[dict]] = {}
        for r in rows:
            by_doc.setdefault(r["doc_id"], []).append(r)
        scores = []
        for stem, items in sorted(gold.items()):
            docs = by_stem.get(stem) or [{"doc_id": None, "source_path": "(not in dataset)"}]
            for d in docs:
                fs = FileScore(gold_file=stem, source_path=d["source_path"])
                for metric, (score, missed, extra) in score_items(items, by_doc.get(d["doc_id"], []), keys).items():
                    fs.metrics[metric] = score
                    fs.misses[metric] = missed
                    fs.false_alarms[metric] = extra
                scores.append(fs)
        results[table] = scores
    return results


def totals(file_scores: list[FileScore]) -> dict[str, Score]:
    out: dict[str, Score] = {}
    for fs in file_scores:
        for metric, score in fs.metrics.items():
            out.setdefault(metric, Score()).add(score)
    return out
