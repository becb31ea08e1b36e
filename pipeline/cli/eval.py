"""`baocao eval`: score a dataset against gold annotations."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.cli.common import dataset_option, fail, require_dataset

HELP_ORDER = 20


def eval_cmd(
    gold: Path = typer.Option(..., "--gold", help="Folder of gold files (<stem>.references.jsonl, ...)."),
    dataset: Path = dataset_option(),
    details: bool = typer.Option(False, "--details", help="List the misses and false alarms of each file."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Score a dataset against gold annotations: precision, recall and F1 per table and metric."""
    from pipeline.reports.eval import evaluate, share_totals, totals

    dataset = require_dataset(dataset)
    if not gold.is_dir():
        fail(f"Gold folder {gold} does not exist.")
    results = evaluate(gold, dataset)
    if as_json:
        payload = {
            table: {
                "total": {m: _score_dict(s) for m, s in totals(scores).items()},
                "files": [{"gold": fs.gold_file, "source_path": fs.source_path, **{m: _score_dict(s) for m, s in fs.metrics.items()}} for fs in scores],
                # beside "total": agreement on attributes of matched items (quantities: role, measure)
                **({"shares": {a: _share_dict(s) for a, s in share_totals(scores).items()}} if share_totals(scores) else {}),
            }
            for table, scores in results.items()
        }
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    out = Console()
    for table_name, scores in results.items():
        t = Table(title=f"{table_name}: precision / recall / F1")
        t.add_column("file")
        metrics = list(scores[0].metrics) if scores else []
        for m in metrics:
            t.add_column(m, justify="right")
        for fs in scores:
            t.add_row(escape(Path(fs.source_path).name), *(_fmt(fs.metrics[m]) for m in metrics))
        tot = totals(scores)
        t.add_row("[bold]all files[/bold]", *(f"[bold]{_fmt(tot[m])}[/bold]" for m in metrics))
        out.print(t)
        for name, share in share_totals(scores).items():
            if share.of:
                out.print(f"{table_name} {name}: agrees for {share.share:.1%} of matched items ({share.agree}/{share.of})")
            else:
                out.print(f"{table_name} {name}: the gold gives none to compare")
        if details:
            for fs in scores:
                for m in metrics:
                    for label, items in (("missed", fs.misses[m]), ("false alarm", fs.false_alarms[m])):
                        for item in items:
                            out.print(f"  {Path(fs.source_path).name} {m} {label}: {item}", markup=False, highlight=False)
                for name, items in fs.disagreements.items():
                    for key, gold_value, predicted in items:
                        out.print(f"  {Path(fs.source_path).name} {name} differs: {key} gold {gold_value!r}, predicted {predicted!r}",
                                  markup=False, highlight=False)


def _fmt(s) -> str:
    return f"{s.precision:.3f} / {s.recall:.3f} / {s.f1:.3f}  ({s.tp}/{s.tp + s.fn})"


def _share_dict(s) -> dict:
    return {"share": round(s.share, 4) if s.of else None, "agree": s.agree, "of": s.of}


def _score_dict(s) -> dict:
    return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4), "tp": s.tp, "fp": s.fp, "fn": s.fn}


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_cmd)
