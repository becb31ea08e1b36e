"""How well the code grammar reads a list of real document codes (`baocao codes`)."""
from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extractors.codes import parse_code, type_of


@dataclass(slots=True)
class CodeReport:
    total: int = 0
    parsed: int = 0
    families: Counter = field(default_factory=Counter)
    types: Counter = field(default_factory=Counter)
    issuers: Counter = field(default_factory=Counter)
    unparsed: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.parsed / self.total if self.total else 0.0


def read_codes(path: Path, column: str | None) -> list[str]:
    """Codes from a CSV column, or one per line from a plain file."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        if column is None:
            return [line.strip() for line in fh if line.strip()]
        reader = csv.DictReader(fh)
        if column not in (reader.fieldnames or []):
            raise ValueError(f"{path} has no column {column!r}; columns: {', '.join(reader.fieldnames or [])}")
        return [row[column] for row in reader]


def report(codes: Iterable[str]) -> CodeReport:
    out = CodeReport()
    for code in sorted(set(codes)):
        out.total += 1
        parts = parse_code(code)
        if parts is None:
            out.unparsed.append(code)
            continue
        out.parsed += 1
        out.families[parts.family] += 1
        out.types[type_of(parts) or "(none)"] += 1
        out.issuers[parts.issuer_code or "(none)"] += 1
    return out
