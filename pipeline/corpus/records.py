"""The rows the corpus stages work on, as typed records made from Arrow slices.

A stage reads only the columns it needs; the fields of the others keep their
defaults. Records are made a slice of reports at a time (pipeline.store.tables),
so a stage never holds the corpus.
"""
from __future__ import annotations

import datetime as dt
import functools
import gc
from collections.abc import Callable
from dataclasses import dataclass, fields
from itertools import repeat
from typing import TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from extractors.codes import parse_code
from extractors.models import CodeParts


@dataclass(slots=True)
class Citation:
    """A `references` row."""

    doc_id: str = ""
    start: int = 0
    end: int = 0
    surface: str = ""
    sentence: str | None = None
    cite_kind: str = ""
    doc_type: str | None = None
    type_word: str | None = None
    type_conflict: bool = False
    number: str | None = None
    year: int | None = None
    code: str | None = None
    issued_date: dt.date | None = None
    in_force_date: dt.date | None = None
    issuer: str | None = None
    issuer_canonical: str | None = None
    subject: str | None = None
    name: str | None = None
    resolved_code: str | None = None
    resolved_by: str | None = None
    doc_key: str | None = None
    relation: str = "mentions"
    head_start: int | None = None
    repaired: bool = False
    repair_reason: str | None = None
    page: int | None = None

    @property
    def cited_code(self) -> str | None:
        """The code of the document it cites: as written, else the one a short form stands for."""
        return self.code or self.resolved_code

    @property
    def parts(self) -> CodeParts | None:
        """Its written code taken apart (parse_code keeps what it parsed)."""
        return parse_code(self.code) if self.code and self.cite_kind == "code" else None


@dataclass(slots=True)
class Figure:
    """A `quantities` row."""

    doc_id: str = ""
    start: int = 0
    end: int = 0
    surface: str = ""
    sentence: str | None = None
    kind: str = ""
    value: float = 0.0
    total: float | None = None
    unit: str | None = None
    role: str | None = None
    measure: str | None = None
    compared_to: str | None = None
    page: int | None = None


@dataclass(slots=True)
class CitedFacts:
    """What the audit checks a citation against: its `cited_documents` row."""

    doc_key: str = ""
    year: int | None = None
    issued_date: dt.date | None = None
    known_date: dt.date | None = None
    date_variants: list | None = None


@dataclass(slots=True)
class ReportFacts:
    """What the corpus stages need to know of each report: one small record per report."""

    doc_id: str = ""
    province: str | None = None  # after the merger
    province_as_written: str | None = None
    report_date: dt.date | None = None
    own_code: str | None = None  # its own `Số:` code: a cited document the archive may hold
    issuing_agency: str | None = None


R = TypeVar("R")


def records(table: pa.Table, cls: type[R]) -> list[R]:
    """One record per row; columns the record has no field for are left out.

    The fields are passed by position, the columns not read as their defaults repeated: a
    dict of keywords per row was half the cost of making the records.
    """
    present = set(table.column_names)
    if not present & set(_field_names(cls)):
        return [cls() for _ in range(table.num_rows)]
    columns = [python_values(table, f.name) if f.name in present else repeat(f.default) for f in fields(cls)]
    return list(map(cls, *columns))


# columns whose values repeat: dates (a report cites the same few days) and sentences (every
# citation or figure of a sentence carries it whole)
_REPEATED_NAMES = frozenset({"sentence"})


def python_values(table: pa.Table, name: str) -> list:
    """A column's values as Python objects, as `to_pylist` gives them.

    A column whose values repeat is turned into Python objects once per distinct value (then
    shared by every row that has it): making a date object, or decoding a long sentence, per
    row was most of the cost of the dates and sentences (and held a copy per row).
    """
    column = table.column(name)
    if not (pa.types.is_date32(column.type) or name in _REPEATED_NAMES):
        return column.to_pylist()
    encoded = column.combine_chunks().dictionary_encode()
    values = encoded.dictionary.to_pylist()
    values.append(None)  # nulls point past the distinct values
    return list(map(values.__getitem__, pc.fill_null(encoded.indices, len(values) - 1).to_pylist()))


S = TypeVar("S", bound=Callable)


def few_collections(stage: S) -> S:
    """Run a corpus stage with what was alive before it frozen (gc.freeze).

    A stage makes records by the ten thousand: each few hundred allocations the collector ran,
    and its older generations went over everything the process held (the gazetteer, caches,
    the run's state) again and again: 10-30% of the stages. What the stage makes is still
    collected; what it frees is freed as before (reference counts). A freeze made before (a
    run's warm-up, pipeline.run) is left as it was.
    """

    @functools.wraps(stage)
    def frozen(*args, **kwargs):
        before = gc.get_freeze_count()
        gc.freeze()
        try:
            return stage(*args, **kwargs)
        finally:
            if not before:
                gc.unfreeze()

    return frozen  # type: ignore[return-value]


def columns_of(cls) -> list[str]:
    return list(_field_names(cls))


_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls) -> tuple[str, ...]:
    if cls not in _NAMES:
        _NAMES[cls] = tuple(f.name for f in fields(cls))
    return _NAMES[cls]
