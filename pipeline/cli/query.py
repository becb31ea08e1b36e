"""`baocao query`: SQL, named queries and the data dictionary, from the command line.

Heavy imports (DuckDB, Arrow) wait until the command runs, so `baocao --help`
stays quick.
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import typer
from rich.console import Console

from pipeline.cli.common import dataset_option

err = Console(stderr=True, highlight=False)

HELP_ORDER = 50
EXIT_SQL_ERROR = 1
EXIT_REFUSED = 2  # refused statements, bad usage, no dataset: as for `baocao run`, 2 is "nothing was done"
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it


def query(
    sql: str = typer.Argument(
        None, help='One SQL query, e.g. "select doc_type, count(*) from references group by all"; - reads it from standard input.', show_default=False
    ),
    dataset: Path = dataset_option(),
    fmt: str = typer.Option("table", "-f", "--format", help="table, csv, json, markdown or parquet (parquet needs -o)."),
    out: Path = typer.Option(None, "-o", "--out", help="Write the result to this file instead of the terminal.", show_default=False),
    run: str = typer.Option(None, "-r", "--run", metavar="NAME", help="Run a named query (see --list).", show_default=False),
    list_: bool = typer.Option(False, "--list", help="List the named queries and the derived views."),
    show: str = typer.Option(None, "--show", metavar="NAME", help="Print the SQL of a named query or derived view.", show_default=False),
    schema: bool = typer.Option(False, "--schema", help="Every table and column with its type and meaning (with an example row when the dataset exists)."),
    max_rows: int = typer.Option(100, "--max-rows", help="Rows shown by the table format; the other formats write all."),
    timeout: float = typer.Option(300.0, "--timeout", help="Seconds the query may run (0: no limit); Ctrl-C stops it at once."),
    memory_limit: str = typer.Option("2GB", "--memory-limit", help="Memory the query may use (DuckDB's units: 2GB, 500MB); it never spills to disk."),
) -> None:
    """Query the dataset with SQL (DuckDB), read-only.

    Every table is a view under its own name (documents, blocks, references,
    quantities, agencies, findings, errors, and the tables later stages add),
    next to the derived views citations and nq57_family. A statement that
    would write or reach outside the dataset (COPY, ATTACH, INSTALL, CREATE,
    SET, read_csv of another file, ...) is refused.

    Exit code: 0 on success, 1 when the SQL fails, 2 when it is refused or the
    dataset cannot be read.
    """
    from pipeline.query.named import derived_views, named_queries
    from pipeline.query.output import FORMATS

    actions = [bool(sql), bool(run), list_, bool(show), schema]
    if sum(actions) != 1:
        _fail("Give one of: a SQL query, --run NAME, --list, --show NAME, --schema.", EXIT_REFUSED)
    if fmt not in FORMATS:
        _fail(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.", EXIT_REFUSED)
    if list_:
        _write(_listing(named_queries(), derived_views()), fmt, out, max_rows=10_000, cell_chars=None)
    elif show:
        found = named_queries().get(show) or derived_views().get(show)
        if found is None:
            _fail(f"No named query or view {show!r}; `baocao query --list` shows them.", EXIT_REFUSED)
        print(found.sql)
    else:
        con = _connect(dataset, out, schema_only=schema, memory_limit=memory_limit)
        _answer(con, sys.stdin.read() if sql == "-" else sql, run, schema, fmt, out, max_rows, timeout or None)


def _connect(dataset: Path | None, out: Path | None, schema_only: bool, memory_limit: str):
    """A sandboxed connection to the dataset; None for --schema without a dataset (no examples then)."""
    from pipeline.query.sandbox import DatasetError, connect, default_dataset, open_dataset

    explicit = dataset is not None
    try:
        ds = open_dataset(dataset if explicit else default_dataset())
        con = connect(ds, memory_limit=memory_limit, progress_bar=False)
    except DatasetError as exc:
        if schema_only and not explicit:
            return None
        _fail(str(exc), EXIT_REFUSED)
    except ValueError as exc:  # the memory limit
        _fail(str(exc), EXIT_REFUSED)
    if out is not None and out.resolve().is_relative_to(ds.root):
        _fail(f"Not writing {out} inside the dataset {ds.root}: choose a file elsewhere.", EXIT_REFUSED)
    return con


def _answer(con, sql: str | None, run: str | None, schema: bool, fmt: str, out: Path | None, max_rows: int,
            timeout: float | None) -> None:
    import duckdb

    from pipeline.query import dictionary
    from pipeline.query.sandbox import QueryError, QueryRefused, run_named, run_sql, translate
    from pipeline.query.watch import QueryTimeout, watched

    try:
        with watched(con, timeout) if con is not None else contextlib.nullcontext() as watch:
            if schema:
                dictionary.write_schema(dictionary.describe(con), fmt, out)
                return
            reader = run_named(con, run) if run else run_sql(con, sql)
            try:
                _write(reader, fmt, out, stopped=lambda: watch is not None and watch.stopped, max_rows=max_rows, title=run)
            except duckdb.Error as exc:  # raised while the rows stream, e.g. a failed cast
                raise translate(exc, con) from None
    except QueryRefused as exc:
        _fail(str(exc), EXIT_REFUSED)
    except (QueryError, QueryTimeout) as exc:
        _fail(str(exc), EXIT_SQL_ERROR)
    except KeyboardInterrupt:
        _fail("interrupted: the query was stopped.", EXIT_INTERRUPTED)


def _write(reader, fmt: str, out: Path | None, stopped=lambda: False, **kw) -> None:
    from pipeline.query.output import write_result

    try:
        n = write_result(reader, fmt, out, **kw)
    except (ValueError, OSError) as exc:
        if stopped():  # Ctrl-C or the time limit stopped the query while its rows streamed: `watched` says which
            raise
        _fail(str(exc), EXIT_REFUSED)
    if out is not None:
        err.print(f"wrote {n} row{'s' if n != 1 else ''} to {out}")


def _listing(queries: dict, views: dict):
    import pyarrow as pa

    rows = [{"name": q.name, "kind": "query", "description": q.description} for q in queries.values()]
    rows += [{"name": v.name, "kind": "view", "description": v.description} for v in views.values()]
    return pa.Table.from_pylist(rows).to_reader()


def _fail(message: str, code: int) -> None:
    err.print(message, markup=False, style="red")
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("query")(query)
