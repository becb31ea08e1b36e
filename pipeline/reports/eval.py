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

Metadata (`<stem>.meta.json`, SPEC §4): one value per file and field
(`province`, `own_code`, `doc_type`, `issued_date`, `period` = start and end),
compared with the document's row. Each annotated (file, field) is one item:
right -> tp; a value given that is wrong (also a value where gold is null) ->
fp; nothing given where gold has a value -> fn. So share right = tp / (tp +
fp + fn) and F1 = 2tp / (2tp + fp + fn) rank the same. Gold's province is
compared by its name after the 2025 merger (older gold files name the former
province). A field a gold file leaves out is not scored; nor is a `doc_type`
that is a genre label (`socioeconomic_annual`) rather than a document type.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path


import regex as re

import gazetteer
from extractors.codes import compare_key
from gazetteer.places import after_merger
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
    def share(self) -> float | None:
        """Share of items right (metadata): tp / (tp + fp + fn); None when nothing was scored."""
        n = self.tp + self.fp + self.fn
        return self.tp / n if n else None

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


META_FIELDS = ("province", "own_code", "doc_type", "issued_date", "period")
_GENRE_LABEL = re.compile(r"[a-z0-9_]+")


def load_meta_gold(gold_dir: Path) -> dict[str, dict]:
    """stem of the annotated file -> its meta.json."""
    return {p.name[: -len(".meta.json")]: json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*.meta.json"))}


def metadata_values(record: dict, gold: bool) -> dict[str, object]:
    """The comparable value of each field of a gold meta.json or a documents row; a field missing from gold: absent."""
    out: dict[str, object] = {}
    if "province" in record:
        province = record["province"]
        out["province"] = (after_merger(province) or province) if gold and province else province
    if "own_code" in record:
        out["own_code"] = compare_key(record["own_code"]) if record["own_code"] else None
    if "doc_type" in record and not (gold and record["doc_type"] and _GENRE_LABEL.fullmatch(record["doc_type"])):
        out["doc_type"] = _norm(record["doc_type"]) or None
    if "issued_date" in record:  # a dataset older than the column: its report_date
        date = record["issued_date"] if gold else record["issued_date"] or record.get("report_date")
        out["issued_date"] = str(date) if date else None
    if "period_start" in record or "period_end" in record:
        out["period"] = tuple(str(record[k]) if record.get(k) else None for k in ("period_start", "period_end"))
    return out


def score_metadata(gold_dir: Path, dataset: Path) -> list[FileScore]:
    gold = load_meta_gold(gold_dir)
    if not gold:
        return []
    rows = {Path(r["source_path"]).stem: r for r in read_table(dataset, "documents", _META_COLUMNS).to_pylist()}
    scores = []
    for stem, annotated in sorted(gold.items()):
        row = rows.get(stem)
        fs = FileScore(gold_file=stem, source_path=row["source_path"] if row else "(not in dataset)")
        expected = metadata_values(annotated, gold=True)
        found = metadata_values(row, gold=False) if row else {}
        for name in META_FIELDS:
            score, missed, extra = Score(), [], []
            if name in expected:
                want, got = expected[name], found.get(name)
                if got == want:
                    score.tp = 1
                elif got is None or got == (None, None):
                    score.fn = 1
                    missed.append(want)
                else:
                    score.fp = 1
                    extra.append(f"{got} (gold: {want})")
            fs.metrics[name], fs.misses[name], fs.false_alarms[name] = score, missed, extra
        scores.append(fs)
    return scores


_META_COLUMNS = ["source_path", "province", "own_code", "doc_type", "issued_date", "report_date", "period_start", "period_end"]
TABLES = (*METRICS, "metadata")


def evaluate(gold_dir: Path, dataset: Path, tables: Iterable[str] = TABLES) -> dict[str, list[FileScore]]:
    documents = read_table(dataset, "documents", ["doc_id", "source_path"]).to_pylist()
    by_stem: dict[str, list[dict]] = {}
    for d in documents:
        by_stem.setdefault(Path(d["source_path"]).stem, []).append(d)
    results: dict[str, list[FileScore]] = {}
    for table in tables:
        if table == "metadata":
            if scores := score_metadata(gold_dir, dataset):
                results[table] = scores
            continue
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
