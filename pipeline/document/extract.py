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
from pipeline.models import DocResult, Document, ErrorRecord


@cache
def components() -> tuple[Component, ...]:
    found: dict[str, Component] = {}
    for info in sorted(pkgutil.iter_modules(extractors.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{extractors.__name__}.{info.name}")
        component = getattr(module, "COMPONENT", None)
        if isinstance(component, Component):
            found[component.name] = component
    return tuple(_in_order(found))


def _in_order(by_name: dict[str, Component]) -> list[Component]:
    """Every component after those it reads; a component reading an unknown one is a bug, said at once."""
    order: list[Component] = []
    placed: set[str] = set()

    def place(c: Component, path: tuple[str, ...]) -> None:
        if c.name in placed:
            return
        if c.name in path:
            raise ValueError(f"Components read each other in a loop: {' -> '.join(path + (c.name,))}")
        for name in c.reads:
            if name not in by_name:
                raise ValueError(f"Component {c.name} reads {name}, which no extractor defines.")
            place(by_name[name], path + (c.name,))
        placed.add(c.name)
        order.append(c)

    for c in by_name.values():
        place(c, ())
    return order


def extract(doc: Document, res: DocResult, steps: tuple[Component, ...] | None = None) -> None:
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
