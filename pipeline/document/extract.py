"""Run the extractors' components over a document.

The components are found in the extractors package (each module that defines
`COMPONENT`; extractors/component.py is the contract) and run so that every
component comes after those it reads, the rest in name order. One that fails
adds an `errors` row (stage `extract`) beside the document; the others still
run, and a component reading it sees nothing found.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import extractors
from extractors.component import Component
from pipeline.document.assemble import ocr_confidence
from pipeline.models import DocResult, Document, ErrorRecord


@cache
def components() -> tuple[Component, ...]:
    return _discover()[0]


@cache
def _discover() -> tuple[tuple[Component, ...], tuple[tuple[str, str], ...]]:
    """The components in running order, and (module, error) of extractor modules that cannot be imported."""
    found: dict[str, Component] = {}
    broken: list[tuple[str, str]] = []
    for info in sorted(pkgutil.iter_modules(extractors.__path__), key=lambda m: m.name):
        try:
            module = importlib.import_module(f"{extractors.__name__}.{info.name}")
        except Exception as exc:  # an extractor's bug must cost its entities, not every file
            broken.append((info.name, f"{type(exc).__name__}: {exc}"))
            continue
        component = getattr(module, "COMPONENT", None)
        if isinstance(component, Component):
            found[component.name] = component
    return tuple(_in_order(found)), tuple(broken)


def _in_order(by_name: dict[str, Component]) -> list[Component]:
    """Every component after those it reads (one reading a component that failed to load runs without it)."""
    order: list[Component] = []
    placed: set[str] = set()

    def place(c: Component, path: tuple[str, ...]) -> None:
        if c.name in placed:
            return
        if c.name in path:
            raise ValueError(f"Components read each other in a loop: {' -> '.join(path + (c.name,))}")
        for name in c.reads:
            if name in by_name:
                place(by_name[name], path + (c.name,))
        placed.add(c.name)
        order.append(c)

    for c in by_name.values():
        place(c, ())
    return order


def extract(doc: Document, res: DocResult, steps: tuple[Component, ...] | None = None) -> None:
    if steps is None:
        for module, error in _discover()[1]:
            res.errors.append(ErrorRecord(
                doc.source_path, "extract", "extractor_broken",
                f"The extractor module extractors/{module}.py could not be loaded ({error}); its entities are missing.", doc.doc_id,
            ))
    for component in components() if steps is None else steps:
        try:
            res.found[component.name] = component.find(doc, res.found)
        except Exception as exc:  # one extractor's bug must not cost the others
            res.errors.append(
                ErrorRecord(
                    doc.source_path, "extract", f"{component.name}_failed",
                    f"Extraction of {component.name} failed ({type(exc).__name__}: {exc}).", doc.doc_id,
                )
            )
    _carry_ocr_confidence(doc, res)


def _carry_ocr_confidence(doc: Document, res: DocResult) -> None:
    """Every entity found in OCR'd text gets the confidence of its least sure word (`ocr_conf`)."""
    conf = ocr_confidence(doc.blocks)
    if conf is None:
        return
    for found in res.found.values():
        for entity in found if isinstance(found, list) else ():
            if hasattr(entity, "ocr_conf") and hasattr(entity, "start"):
                entity.ocr_conf = conf(entity.start, entity.end)
