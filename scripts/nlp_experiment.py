"""Does Vietnamese NLP earn its place in the quantities extractor? (issue 14, part 5)

Runs the text pipeline on the gold sets three ways and scores each:

- `rules`: the extractors as they are (gazetteer of counted nouns, two-syllable fallback,
  measure phrases from the clause by rules);
- `nlp-noun`: underthesea's bundled POS tagger finds the counted noun when the gazetteer does
  not know it (the word it segments after the number, and the noun phrase that follows);
- `nlp-measure`: the rules' measure phrase trimmed by POS tags (leading words up to the first
  noun and trailing verbs, adverbs, prepositions dropped).

and times the text pipeline with and without the tagger against underthesea merely tokenizing
the same text. Only underthesea's bundled CRF models are used (no downloads).

    python scripts/nlp_experiment.py ../shared        # from the repository root, with the venv's python
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from underthesea import pos_tag, word_tokenize  # noqa: E402

import extractors.quantities as quantities  # noqa: E402
import extractors.roles as roles  # noqa: E402
from pipeline.discover import InputFile  # noqa: E402
from pipeline.reports.eval import evaluate, share_totals, totals  # noqa: E402
from pipeline.document import process_file  # noqa: E402
from pipeline.run import run  # noqa: E402

NOUNS = {"N", "Nc", "Nu", "Np", "Ny", "Nb"}
KEEP_IN_PHRASE = NOUNS | {"A", "M", "V", "E", "C", "CH", "L", "P", "R", "X", "Z"}
_rules_counted = quantities._counted
_rules_clean = roles._clean


def nlp_counted(after: str, max_words: int = 6):
    """The gazetteer's noun when it knows one; else the noun the tagger finds right after the number."""
    unit, subject, end = _rules_counted(after, max_words)
    if unit is None or unit in quantities.gazetteer.count_nouns():
        return unit, subject, end
    stripped = after.lstrip()
    lead = len(after) - len(stripped)
    tagged = pos_tag(stripped[:80])
    if not tagged or tagged[0][1] not in NOUNS or not tagged[0][0][:1].islower():
        return None, None, 0
    words, pos = [], 0
    for word, tag in tagged[:max_words]:
        if tag not in NOUNS | {"A", "M"} and words:
            break
        found = stripped.find(word, pos)
        if found < 0:
            break
        pos = found + len(word)
        words.append(word)
    return tagged[0][0].lower(), stripped[:pos].strip(), lead + pos


def nlp_clean(part: str) -> str:
    """The rules' phrase with what the tagger says is no part of a noun phrase cut from both ends."""
    phrase = _rules_clean(part)
    if not phrase:
        return phrase
    tagged = pos_tag(phrase)
    first = next((i for i, (_, tag) in enumerate(tagged) if tag in NOUNS), None)
    if first is None:
        return phrase
    last = max(i for i, (_, tag) in enumerate(tagged) if tag in NOUNS | {"A", "M", "Np"})
    words = [w for w, _ in tagged[first : last + 1]]
    start = phrase.find(words[0])
    end = phrase.rfind(words[-1]) + len(words[-1])
    return phrase[start:end] if 0 <= start < end else phrase


VARIANTS = {
    "rules": {},
    "nlp-noun": {(quantities, "_counted"): nlp_counted},
    "nlp-measure": {(roles, "_clean"): nlp_clean},
}


def score(texts: Path, gold: Path, out: Path) -> dict:
    run([texts], out, workers=1, incremental=False)
    results = evaluate(gold, out)
    q = totals(results["quantities"])
    shares = share_totals(results["quantities"])
    return {
        "quantities kind+value F1": round(q["kind+value"].f1, 3),
        "quantities all (unit) F1": round(q["all"].f1, 3),
        "role share": f"{shares['role'].agree}/{shares['role'].of}",
        "measure share": f"{shares['measure'].agree}/{shares['measure'].of}",
    }


def seconds_per_pass(files: list[Path], passes: int = 3) -> float:
    """The text pipeline in this process (ingest and every extractor), file by file: no start-up or writing."""
    started = time.perf_counter()
    for _ in range(passes):
        for path in files:
            process_file(InputFile(path, str(path)))
    return (time.perf_counter() - started) / passes


def main(shared: Path) -> None:
    sets = {"seeds": (shared / "seeds", shared / "gold"), "dev-corpus": (shared / "dev-corpus" / "texts", shared / "dev-corpus" / "gold")}
    files = [p for texts, _ in sets.values() for p in sorted(texts.glob("*.txt"))]
    text = [p.read_text(encoding="utf-8") for p in files]
    started = time.perf_counter()
    for t in text:
        for line in t.splitlines():
            if line.strip():
                word_tokenize(line)
    tokenizing = time.perf_counter() - started
    report: dict = {"characters": sum(map(len, text)), "underthesea word_tokenize, same texts (s)": round(tokenizing, 2)}
    with tempfile.TemporaryDirectory() as tmp:
        for name, patches in VARIANTS.items():
            for (module, attr), fn in patches.items():
                setattr(module, attr, fn)
            try:
                for label, (texts, gold) in sets.items():
                    report.setdefault(name, {})[label] = score(texts, gold, Path(tmp) / f"{name}-{label}")
                seconds = seconds_per_pass(files)
                report[name]["text pipeline (s per pass)"] = round(seconds, 2)
                report[name]["x faster than tokenizing"] = round(tokenizing / seconds, 2)
            finally:
                setattr(quantities, "_counted", _rules_counted)
                setattr(roles, "_clean", _rules_clean)
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared"))
