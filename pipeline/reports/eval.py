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

Shares for quantities (gold v1.2 gives `role` and `measure`): gold and
predicted quantities matched by kind and value (in document order within
each key) are compared on
- `role`: the share of matched quantities whose gold role the prediction agrees with;
- `measure`: the share whose measures match, normalized (folded, punctuation
  dropped) and either containing the other.
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
class Share:
    """How many matched items agree with the gold on one attribute, of those the gold gives it for."""

    agree: int = 0
    of: int = 0

    def add(self, other: Share) -> None:
        self.agree += other.agree
        self.of += other.of

    @property
    def share(self) -> float:
        return self.agree / self.of if self.of else 1.0


@dataclass(slots=True)
class FileScore:
    gold_file: str
    source_path: str
    metrics: dict[str, Score] = field(default_factory=dict)
    misses: dict[str, list] = field(default_factory=dict)  # metric -> keys missed
    false_alarms: dict[str, list] = field(default_factory=dict)
    shares: dict[str, Share] = field(default_factory=dict)  # attribute -> agreement on matched items
    disagreements: dict[str, list] = field(default_factory=dict)  # attribute -> (key, gold, predicted)


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


def _words(text: str | None) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in _norm(text)).split())


def same_measure(gold: str | None, predicted: str | None) -> bool:
    """Normalized (folded, punctuation dropped), one containing the other."""
    g, p = _words(gold), _words(predicted)
    return bool(g and p) and (g in p or p in g)


# table -> (the metric whose key pairs gold and predicted items, attribute -> (gold field, predicted field, agree?))
ATTRIBUTES: dict[str, tuple[str, dict[str, tuple[str, str, Callable[[object, object], bool]]]]] = {
    "quantities": ("kind+value", {
        "role": ("role", "role", lambda g, p: g == p),
        "measure": ("measure", "measure", same_measure),
    }),
}

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


def score_attributes(gold: Iterable[dict], predicted: Iterable[dict], keys: Callable[[dict], dict], table: str) -> dict[str, tuple[Share, list]]:
    """Agreement on each attribute of the table, over gold and predicted items paired by key in document order."""
    if table not in ATTRIBUTES:
        return {}
    metric, attributes = ATTRIBUTES[table]
    by_key: dict[object, list[dict]] = {}
    for item in sorted(predicted, key=lambda r: r.get("start") or 0):
        if (k := keys(item)[metric]) is not None:
            by_key.setdefault(k, []).append(item)
    out = {name: (Share(), []) for name in attributes}
    for item in sorted(gold, key=lambda g: g.get("line") or 0):
        k = keys(item)[metric]
        if item.get("ambiguous") or k is None or not by_key.get(k):
            continue
        match = by_key[k].pop(0)
        for name, (gold_field, predicted_field, agree) in attributes.items():
            if item.get(gold_field) is None:
                continue
            share, disagreements = out[name]
            share.of += 1
            if agree(item[gold_field], match.get(predicted_field)):
                share.agree += 1
            else:
                disagreements.append((k, item[gold_field], match.get(predicted_field)))
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
                predicted = by_doc.get(d["doc_id"], [])
                for metric, (score, missed, extra) in score_items(items, predicted, keys).items():
                    fs.metrics[metric] = score
                    fs.misses[metric] = missed
                    fs.false_alarms[metric] = extra
                for name, (share, disagreements) in score_attributes(items, predicted, keys, table).items():
                    fs.shares[name] = share
                    fs.disagreements[name] = disagreements
                scores.append(fs)
        results[table] = scores
    return results


def totals(file_scores: list[FileScore]) -> dict[str, Score]:
    out: dict[str, Score] = {}
    for fs in file_scores:
        for metric, score in fs.metrics.items():
            out.setdefault(metric, Score()).add(score)
    return out


def share_totals(file_scores: list[FileScore]) -> dict[str, Share]:
    out: dict[str, Share] = {}
    for fs in file_scores:
        for name, share in fs.shares.items():
            out.setdefault(name, Share()).add(share)
    return out
