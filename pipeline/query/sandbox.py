"""SQL over a dataset: every table a DuckDB view under its own name, read-only.

The tables are whatever the dataset holds (its manifest, plus any table folder
a later stage wrote), so new tables appear without a change here. After them
come the derived views of `pipeline/query/sql/views/`.

A query cannot write or reach outside the dataset. Two independent locks:

1. The statement check (`prepare`): DuckDB's own parser classifies the
   statements, so comments, quoting or a second statement after `;` cannot
   hide a COPY or an ATTACH. Only one statement of type SELECT passes; that
   covers WITH, FROM-first, VALUES, DESCRIBE, SUMMARIZE, SHOW and PIVOT ... IN.
2. The sandbox (`connect(sandbox=True)`): once the views exist, external
   access is switched off except for the dataset's own Parquet files (listed
   one by one in `allowed_paths`, so not even a file beside them can be written
   or read), extensions can be neither installed nor loaded, and the
   configuration is locked so no SET can undo it. A SELECT that calls
   read_csv('/etc/passwd'), glob() or read_parquet('https://...') fails inside
   DuckDB. The check alone would miss those; the sandbox alone would still let
   CREATE or DROP change the session's catalog.

The views are built from the dataset's own files only: a symbolic link inside
the dataset (to /, to Parquet elsewhere) is neither read nor walked. A
sandboxed connection has a memory limit (`memory_limit`, default 2GB, set
before the configuration is locked) and never spills to disk (no temporary
directory: DuckDB's default is `.tmp` in the working folder); a query beyond
the limit fails saying so. Time limits and Ctrl-C: pipeline.query.watch.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.query.named import derived_views, named_queries
from pipeline.store.schema import TABLES
from pipeline.store import default_dataset
from pipeline.store.commit import MANIFEST

# view comments say which views are tables and which are derived (duckdb_views().comment)
TABLE_TAG, VIEW_TAG = "[table] ", "[view] "
BATCH_ROWS = 65536
DEFAULT_MEMORY_LIMIT = "2GB"


class DatasetError(Exception):
    """The folder is not a readable baocao dataset; the message says what to do."""


class QueryRefused(Exception):
    """The statement would write, or reach outside the dataset."""


class QueryError(Exception):
    """The SQL is wrong or failed; the message is DuckDB's, with a hint."""


@dataclass(frozen=True, slots=True)
class Dataset:
    root: Path
    manifest: dict
    tables: dict[str, tuple[Path, ...]]  # table name -> its Parquet files (absolute)


def open_dataset(path: Path | str | None = None) -> Dataset:
    given = Path(path) if path is not None else default_dataset()
    root = given.resolve()
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"{given} is not a baocao dataset (no {MANIFEST}); run `baocao run` first or pass -d.") from None
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{given}/{MANIFEST} cannot be read ({exc}); run `baocao run` again.") from None
    tables: dict[str, tuple[Path, ...]] = {}
    for name, files in (manifest.get("tables") or {}).items():
        paths = tuple(p for f in files if _own(root, p := root / name / f))  # a planted link is not the dataset's
        missing = next((p for p in paths if not p.is_file()), None)
        if missing is not None:
            raise DatasetError(f"The dataset {given} is damaged: {missing} is in its manifest but not on disk; run `baocao run` again.")
        if paths:
            tables[name] = paths
    # a table folder the manifest does not list (written by a later stage) is still a table
    for folder in sorted(p for p in root.iterdir() if _own(root, p) and p.is_dir() and not p.name.startswith(".")):
        if folder.name not in tables:
            files = _parquet_files(root, folder)
            if files:
                tables[folder.name] = files
    return Dataset(root=root, manifest=manifest, tables=tables)


def _own(root: Path, path: Path) -> bool:
    """The path is the dataset's own: no symbolic link on the way from the (resolved) root to it."""
    try:
        return path.resolve() == path and path.is_relative_to(root)
    except (OSError, RuntimeError):  # a link loop
        return False


def _parquet_files(root: Path, folder: Path) -> tuple[Path, ...]:
    """The Parquet files under a table folder, links neither followed nor listed (a link to / is not walked)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not (here / d).is_symlink())
        found.extend(here / f for f in filenames if f.endswith(".parquet") and _own(root, here / f))
    return tuple(sorted(found))


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _table_view_sql(name: str, table_dir: Path, files: Iterable[Path]) -> str:
    files = list(files)
    # hive partitions (year=2025/part-0.parquet) become columns, as pyarrow.dataset reads them
    hive = any("=" in part for f in files for part in f.relative_to(table_dir).parts[:-1])
    paths = ", ".join(_literal(str(f)) for f in files)
    return (
        f"create view {ident(name)} as select * from read_parquet([{paths}], "
        f"hive_partitioning = {str(hive).lower()}, union_by_name = true)"
    )


def connect(
    dataset: Dataset | Path | str | None = None,
    *,
    sandbox: bool = True,
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
    progress_bar: bool = True,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per table and the derived views.

    With sandbox (the default) the connection can read the dataset and nothing
    else on disk or the network; without it, it is an ordinary connection
    (join your own CSV, write files). `memory_limit` ("2GB", "500MB"; None:
    DuckDB's own, 80% of RAM) is set before the sandbox locks the
    configuration. `progress_bar=False` keeps DuckDB's progress bar off
    standard output (where it would land in the middle of a CSV).
    """
    ds = dataset if isinstance(dataset, Dataset) else open_dataset(dataset)
    con = duckdb.connect(":memory:")
    if memory_limit is not None:
        try:
            con.execute("set memory_limit = ?", [memory_limit])
        except duckdb.Error as exc:
            con.close()
            raise ValueError(f"memory limit {memory_limit!r} not understood ({_first_lines(exc, 1)}); write it as 2GB or 500MB.") from None
    if not progress_bar:
        con.execute("set enable_progress_bar = false")
    for name, files in ds.tables.items():
        con.execute(_table_view_sql(name, ds.root / name, files))
        meaning = TABLES[name].meaning if name in TABLES else "a table not declared in pipeline/store/schema.py"
        con.execute(f"comment on view {ident(name)} is {_literal(TABLE_TAG + meaning)}")
    _create_derived_views(con, set(ds.tables))
    if sandbox:
        _lock(con, [str(f) for files in ds.tables.values() for f in files])
    return con


def _create_derived_views(con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    """Define the derived views a dataset can support; one may build on another, in any file order.

    A view whose tables or columns the dataset lacks (an older dataset) is left
    out: the queries that use it then say which view is missing.
    """
    pending = {name: view for name, view in derived_views().items() if name not in tables}
    while pending:
        done = []
        for name, view in pending.items():
            try:
                con.execute(f"create view {ident(name)} as {view.sql}")
                con.execute(f"comment on view {ident(name)} is {_literal(VIEW_TAG + view.description)}")
            except (duckdb.CatalogException, duckdb.BinderException):
                continue  # needs a view not defined yet, or a table or column this dataset lacks
            done.append(name)
        if not done:
            return
        for name in done:
            del pending[name]


def _lock(con: duckdb.DuckDBPyConnection, files: list[str]) -> None:
    con.execute("set allowed_paths = ?", [files])
    for setting in (
        "autoinstall_known_extensions = false",
        "autoload_known_extensions = false",
        "allow_community_extensions = false",
        "allow_persistent_secrets = false",
        "temp_directory = ''",  # never spill: DuckDB would write into the working folder
        "enable_external_access = false",  # after allowed_paths: they cannot be changed once it is off
        "lock_configuration = true",  # last: no SET can undo the above
    ):
        con.execute(f"set {setting}")


def relations(con: duckdb.DuckDBPyConnection, kind: str | None = None) -> dict[str, str]:
    """The tables, then the derived views, of a connection made by `connect`: name -> what it holds.

    kind: "table" or "view" for one of the two only.
    """
    rows = con.execute("select view_name, comment from duckdb_views() where not internal").fetchall()
    tags = {"table": (TABLE_TAG,), "view": (VIEW_TAG,), None: (TABLE_TAG, VIEW_TAG)}[kind]
    return {
        name: comment.removeprefix(tag)
        for tag in tags
        for name, comment in rows
        if (comment or "").startswith(tag)
    }


@cache
def _reserved_words() -> frozenset[str]:
    with duckdb.connect(":memory:") as con:
        rows = con.execute("select keyword_name from duckdb_keywords() where keyword_category = 'reserved'").fetchall()
    return frozenset(r[0].lower() for r in rows)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def quote_reserved(sql: str, names: Iterable[str]) -> str:
    """Quote view names that are SQL keywords where they stand bare: `from references` -> `from "references"`.

    Only in queries: `references` has a meaning of its own only in table
    constraints (DDL), which are refused anyway. Strings, comments and quoted
    names are left as they are (the tokenizer tells them apart).
    """
    reserved = {n.lower() for n in names} & _reserved_words()
    if not reserved:
        return sql
    out, last = [], 0
    for pos, kind in duckdb.tokenize(sql):
        if kind != duckdb.token_type.keyword:
            continue
        word = _WORD.match(sql, pos)
        if word and word.group().lower() in reserved:
            out += [sql[last:pos], ident(word.group().lower())]
            last = word.end()
    return "".join(out) + sql[last:]


_HINTS = {
    "COPY": "to save a result, use --format csv|json|parquet with -o FILE",
    "EXPORT": "to save a result, use --format csv|json|parquet with -o FILE",
    "COPY_DATABASE": "to save a result, use --format csv|json|parquet with -o FILE",
    "ATTACH": "only the dataset's own tables can be queried",
    "DETACH": "only the dataset's own tables can be queried",
    "LOAD": "extensions can be neither installed nor loaded",
    "EXTENSION": "extensions can be neither installed nor loaded",
    "SET": "settings are fixed",
    "VARIABLE_SET": "settings are fixed",
    "PRAGMA": "settings are fixed; DESCRIBE, SHOW and SUMMARIZE are allowed",
    "CALL": "settings are fixed; DESCRIBE, SHOW and SUMMARIZE are allowed",
    "TRANSACTION": "there is nothing to commit",
    "MULTI": "a PIVOT needs its values listed here: PIVOT t ON col IN ('a', 'b') USING count(*)",
}
_WRITES = "the dataset is read-only; for intermediate results use WITH name AS (...)"


def prepare(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The SQL to run: exactly one query, with reserved view names quoted. Raises QueryRefused or QueryError."""
    sql = quote_reserved(sql, relations(con))
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(_first_lines(exc)) from None
    if not statements:
        raise QueryError("No SQL statement given.")
    if len(statements) > 1:
        raise QueryRefused(f"Refused: {len(statements)} statements given; run one query at a time.")
    kind = statements[0].type.name
    word = _first_word(sql) or kind
    if word in ("PRAGMA", "CALL"):
        kind = word  # some DuckDB versions parse `pragma version` as a SELECT: refuse it the same everywhere
    if kind != "SELECT":
        label = word if word == kind else f"{word} ({kind})"
        raise QueryRefused(
            f"Refused: {label} statements are not allowed: baocao query only reads the dataset "
            f"({_HINTS.get(kind, _WRITES)})."
        )
    return sql


def _first_word(sql: str) -> str | None:
    """The statement's first keyword as written (DuckDB may hand back a rewritten statement)."""
    for pos, kind in duckdb.tokenize(sql):
        if kind != duckdb.token_type.comment:
            word = _WORD.match(sql, pos)
            return word.group().upper() if word else None
    return None


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, batch_rows: int = BATCH_ROWS) -> pa.RecordBatchReader:
    """Check and run one query; the result streams in Arrow record batches."""
    sql = prepare(con, sql)
    try:
        rel = con.sql(sql)
        if rel is None:  # not a query after all
            raise QueryRefused("Refused: the statement returns no rows; baocao query only reads the dataset.")
        return arrow_reader(rel, batch_rows)
    except duckdb.Error as exc:
        raise translate(exc, con) from None


def arrow_reader(rel: duckdb.DuckDBPyRelation, batch_rows: int = BATCH_ROWS) -> pa.RecordBatchReader:
    to_reader = getattr(rel, "to_arrow_reader", None) or rel.fetch_arrow_reader  # its name before DuckDB 1.4
    return to_reader(batch_rows)


def run_named(con: duckdb.DuckDBPyConnection, name: str, batch_rows: int = BATCH_ROWS) -> pa.RecordBatchReader:
    queries = named_queries()
    if name not in queries:
        import difflib

        close = difflib.get_close_matches(name, queries, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise QueryError(f"No named query {name!r}.{hint} `baocao query --list` shows them all.")
    return run_sql(con, queries[name].sql, batch_rows)


def translate(exc: duckdb.Error, con: duckdb.DuckDBPyConnection | None = None) -> Exception:
    """A DuckDB error as the user should read it (an interrupt stays one: pipeline.query.watch tells why)."""
    if isinstance(exc, duckdb.InterruptException):
        return exc
    if isinstance(exc, duckdb.PermissionException):
        return QueryRefused(
            "Refused: the query reaches outside the dataset; only its tables can be read. "
            f"({_first_lines(exc)})"
        )
    message = _first_lines(exc)
    if isinstance(exc, duckdb.OutOfMemoryException):
        message = (f"The query needs more memory than its limit ({_setting(con, 'memory_limit')}); raise it with "
                   "--memory-limit (baocao.connect(memory_limit=...)) or make the query smaller. ") + _first_lines(exc, 1)
    if isinstance(exc, duckdb.CatalogException) and con is not None:
        message += "\nTables and views: " + ", ".join(relations(con))
    return QueryError(message)


def _setting(con: duckdb.DuckDBPyConnection | None, name: str) -> str:
    try:
        return str(con.execute("select current_setting(?)", [name]).fetchone()[0]) if con is not None else "?"
    except duckdb.Error:
        return "?"


def _first_lines(exc: Exception, n: int = 3) -> str:
    return "\n".join(str(exc).strip().splitlines()[:n])
