"""The SQL that ships with baocao: named queries and derived views, one file each.

`pipeline/query/sql/NAME.sql` is a named query (`baocao query --run NAME`);
`pipeline/query/sql/views/NAME.sql` is a derived view that every connection
defines after the table views (`citations`, `nq57_family`), so that queries
share one definition of "the document a citation points at" and of "the
57-NQ/TW family". Each file starts with a comment header:

    -- name: most-cited            (views: `-- view: citations`)
    -- description: one or more lines,
    --   continued on indented comment lines.

Adding a query is adding a file: nothing else lists them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_HEADER_KEY = re.compile(r"--\s*(\w+)\s*:\s*(.*)")


@dataclass(frozen=True, slots=True)
class SqlFile:
    name: str
    description: str
    sql: str
    file: str  # path inside the package, for messages


def _parse(file: str, text: str, key: str) -> SqlFile:
    fields: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        match = _HEADER_KEY.fullmatch(stripped)
        if match and match.group(1) in (key, "description"):
            last = match.group(1)
            fields[last] = match.group(2).strip()
        elif last is not None:  # a continuation line
            fields[last] = f"{fields[last]} {stripped.lstrip('-').strip()}".strip()
    stem = file.rsplit("/", 1)[-1].removesuffix(".sql")
    name = fields.get(key, stem)
    if name != stem:
        raise ValueError(f"{file}: the header names it {name!r}; the file must be called {name}.sql")
    return SqlFile(name=name, description=fields.get("description", ""), sql=text.strip().rstrip(";"), file=file)


def _load(folder: str, key: str) -> dict[str, SqlFile]:
    root = resources.files(__package__).joinpath(folder)
    files = sorted((f for f in root.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return {q.name: q for q in (_parse(f"pipeline/query/{folder}/{f.name}", f.read_text(encoding="utf-8"), key) for f in files)}


@cache
def named_queries() -> dict[str, SqlFile]:
    """Named queries by name, sorted."""
    return _load("sql", "name")


@cache
def derived_views() -> dict[str, SqlFile]:
    """Derived views by name (one may use another: the connection orders them)."""
    return _load("sql/views", "view")
