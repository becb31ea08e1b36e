"""baocao for analysts: the dataset as pandas DataFrames, or as DuckDB views.

    import baocao

    tables = baocao.load()                         # {"documents": DataFrame, "references": ..., ...}
    con = baocao.connect()                         # DuckDB: a view per table, plus the derived views
    con.sql('select doc_type, count(*) from "references" group by all').df()
    baocao.query("select * from references where code = '57-NQ/TW'")   # checked as `baocao query` checks
    baocao.named_query("nq57-by-province")         # the named queries of `baocao query --list`
    baocao.tables()                                # {"documents": 5, "references": 405, ...}

`dataset` defaults to $BAOCAO_DATASET, else outputs/dataset. DataFrames need
pandas (`pip install -e ".[analysis]"`); `connect` does not.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.query import sandbox as _q
from pipeline.query.named import named_queries as _named_queries
from pipeline.query.sandbox import DatasetError, QueryError, QueryRefused, default_dataset
from pipeline.query.watch import QueryTimeout

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DatasetError",
    "QueryError",
    "QueryRefused",
    "QueryTimeout",
    "connect",
    "default_dataset",
    "load",
    "named_queries",
    "named_query",
    "query",
    "schema",
    "tables",
]

Dataset = Path | str | None


def connect(dataset: Dataset = None, *, sandbox: bool = True, memory_limit: str | None = _q.DEFAULT_MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view per table (`"references"` needs its quotes here).

    sandbox=True (the default): the connection reads the dataset and nothing
    else, and its settings are locked. sandbox=False: an ordinary connection,
    to join your own files. memory_limit: what its queries may use ("2GB",
    "500MB"; None: DuckDB's default, 80% of RAM), set before the lock.
    """
    return _q.connect(dataset, sandbox=sandbox, memory_limit=memory_limit)


def tables(dataset: Dataset = None) -> dict[str, int]:
    """The dataset's tables and their row counts (from the Parquet footers: nothing is read)."""
    import pyarrow.parquet as pq

    ds = _q.open_dataset(dataset)
    return {name: sum(pq.read_metadata(f).num_rows for f in files) for name, files in ds.tables.items()}


def load(dataset: Dataset = None, tables: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Every table (or those named) as a DataFrame, read whole into memory; for large datasets prefer connect()."""
    _require_pandas()
    ds = _q.open_dataset(dataset)
    names = list(ds.tables) if tables is None else list(tables)
    unknown = [n for n in names if n not in ds.tables]
    if unknown:
        raise DatasetError(f"No table {', '.join(unknown)} in {ds.root}; it has {', '.join(ds.tables)}.")
    con = _q.connect(ds, memory_limit=None)  # whole tables into memory is what load is for
    return {name: con.sql(f"select * from {_q.ident(name)}").df() for name in names}


def query(sql: str, dataset: Dataset = None, *, timeout: float | None = None,
          memory_limit: str | None = _q.DEFAULT_MEMORY_LIMIT) -> pd.DataFrame:
    """One read-only query, as `baocao query` runs it (bare `references` allowed), as a DataFrame.

    timeout: seconds it may run (None: no limit; QueryTimeout past it); Ctrl-C stops it at once.
    """
    _require_pandas()
    from pipeline.query.watch import watched

    con = _q.connect(dataset, memory_limit=memory_limit)
    sql = _q.prepare(con, sql)
    with watched(con, timeout):
        try:
            return con.sql(sql).df()
        except duckdb.Error as exc:
            raise _q.translate(exc, con) from None


def named_query(name: str, dataset: Dataset = None, **limits) -> pd.DataFrame:
    """A named query's result (`baocao query --list` shows the names); `timeout`, `memory_limit` as for query()."""
    queries = _named_queries()
    if name not in queries:
        raise QueryError(f"No named query {name!r}; there are {', '.join(queries)}.")
    return query(queries[name].sql, dataset, **limits)


def named_queries() -> dict[str, str]:
    """Named query -> what it answers."""
    return {name: q.description for name, q in _named_queries().items()}


def schema(dataset: Dataset = None) -> pd.DataFrame:
    """The data dictionary: table, column, type, nullable, meaning (from pipeline/store/schema.py).

    With a dataset (given, or the default one when it exists) an example value
    of each column too, and the tables it holds beyond those declared.
    """
    _require_pandas()
    from pipeline.query.dictionary import describe, flat

    try:
        con = _q.connect(dataset)
    except DatasetError:
        if dataset is not None:
            raise
        con = None  # no default dataset: the declared schema alone
    return flat(describe(con)).to_pandas()


def _require_pandas() -> None:
    try:
        import pandas  # noqa: F401
    except ImportError:
        raise ImportError('baocao.load() and the DataFrame functions need pandas: pip install -e ".[analysis]"') from None
