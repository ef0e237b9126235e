"""Great Expectations 1.x on DuckDB: the one place where the project bends GX to DuckDB.

GX Core 1.x has no DuckDB dialect. Through `duckdb-engine` (the SQLAlchemy dialect) two
things break:

1. every expectation fails with `MetricResolutionError: list index out of range`: GX opens a
   connection per metric query and closes it before the result is read; duckdb-engine
   shares one DuckDB connection, so the close rolls back the pending result.
   Fix: treat `duckdb` like sqlite/mssql, the dialects whose one connection GX keeps open
   (`_PERSISTED_CONNECTION_DIALECTS` in
   `great_expectations/execution_engine/sqlalchemy_execution_engine.py`; it also makes GX
   build the engine with a `StaticPool`).
2. regex and LIKE expectations fail with `Regex is not supported for dialect duckdb`: GX
   chooses the SQL for `~` / `LIKE` by the engine's "dialect module", which is `None` for a
   dialect GX does not know (`get_dialect_regex_expression` and
   `get_dialect_like_pattern_expression` in `great_expectations/expectations/metrics/util.py`).
   Fix: give DuckDB engines the PostgreSQL dialect module. DuckDB's `~`, `!~` and `LIKE`
   accept the same SQL as PostgreSQL's (duckdb-engine's dialect is itself a subclass of
   SQLAlchemy's PostgreSQL dialect). Note: DuckDB's `~` is a *full* match
   (`regexp_full_match`), PostgreSQL's a search; the project's patterns are always anchored
   (`^...$`), which means the same in both.
3. table assets fail with `Table with name t does not exist` (schema dropped): GX asks the
   SQLAlchemy inspector for the columns of a table; duckdb-engine 0.17 answers with
   SQLAlchemy 2.1's PostgreSQL catalog query, which joins `pg_catalog.pg_collation`, a table
   DuckDB does not have; GX then falls back to `select * from <table> limit 1` without the
   schema. Fix: duckdb-engine's `get_columns` reads `information_schema.columns` instead.
4. with one connection kept open (fix 1), a query that fails (an expectation whose SQL is
   wrong) leaves DuckDB's transaction aborted, and every later expectation fails with
   `TransactionContext Error: Current transaction is aborted`. Fix: roll back after a failed
   query, so a faulty rule fails alone.
5. reflection breaks the shared connection: for the column-type metric GX asks the inspector
   for the table's primary key; duckdb-engine answers with PostgreSQL's catalog query (a cast
   to `regclass`, which DuckDB does not have), and the inspector's own SQLAlchemy connection
   issues a BEGIN on the DuckDB connection while GX's still has a transaction open. Either
   way a later metric fails (`cannot start a transaction within a transaction`); the order of
   metrics follows Python's hash seed, so it failed in some runs only. Fix: `get_pk_constraint`
   reads `information_schema`, and both catalog readers (3 and 5) query the DuckDB connection
   directly, outside SQLAlchemy's transaction handling.

With these in place expectations compile to aggregate SQL that runs inside DuckDB; no table is
loaded into pandas. `install()` applies the patches (idempotent); `tests/python/test_gx_duckdb.py`
fails loudly when a GX upgrade changes what they rely on.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

DUCKDB_DIALECT = "duckdb"

_installed = False


class _DialectName(str):
    """A dialect name that looks like a member of GX's `GXSqlDialect` enum where GX needs it:
    GX compares members of `_PERSISTED_CONNECTION_DIALECTS` with `==` against the engine's
    dialect name and reads their `.value` when it parses a connection URL."""

    @property
    def value(self) -> str:
        return str(self)


def install() -> None:
    """Patch GX (once per process) so that its SQL execution engine works on DuckDB."""
    global _installed
    if _installed:
        return
    from great_expectations.execution_engine import sqlalchemy_execution_engine as sae
    from sqlalchemy.dialects import postgresql

    # 1. keep the one DuckDB connection open for the life of the execution engine
    if not hasattr(sae, "_PERSISTED_CONNECTION_DIALECTS"):
        raise RuntimeError(
            "great_expectations changed: sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS "
            "is gone; mvoi.gx_duckdb needs a new way to keep DuckDB connections open"
        )
    if DUCKDB_DIALECT not in sae._PERSISTED_CONNECTION_DIALECTS:
        sae._PERSISTED_CONNECTION_DIALECTS = (
            *sae._PERSISTED_CONNECTION_DIALECTS,
            _DialectName(DUCKDB_DIALECT),
        )

    # 2. build regex / LIKE SQL for DuckDB engines with the PostgreSQL dialect module
    engine_class = sae.SqlAlchemyExecutionEngine
    original_init = engine_class.__init__

    def __init__(self, *args, **kwargs):  # noqa: N807 - it replaces __init__
        original_init(self, *args, **kwargs)
        if self.dialect_name == DUCKDB_DIALECT and self.dialect_module is None:
            self.dialect_module = postgresql

    __init__.__wrapped__ = original_init  # type: ignore[attr-defined]
    __init__.__doc__ = original_init.__doc__
    engine_class.__init__ = __init__

    # 4. roll back after a failed query on a persisted DuckDB connection
    original_execute = engine_class._execute_query_with_recovery

    def _execute_query_with_recovery(connection, query):
        try:
            return original_execute(connection, query)
        except Exception:
            if connection.dialect.name == DUCKDB_DIALECT:
                connection.rollback()
            raise

    engine_class._execute_query_with_recovery = staticmethod(_execute_query_with_recovery)

    # 3. column reflection through information_schema
    import duckdb_engine

    duckdb_engine.Dialect.get_columns = _get_columns
    # 5. primary keys through information_schema as well
    duckdb_engine.Dialect.get_pk_constraint = _get_pk_constraint
    _installed = True
    logger.debug("GX patched for DuckDB (persisted connection, PostgreSQL regex dialect)")


_TYPES = {
    "VARCHAR": "String",
    "BOOLEAN": "Boolean",
    "DATE": "Date",
    "TIMESTAMP": "DateTime",
    "TIMESTAMP WITH TIME ZONE": "DateTime",
    "TINYINT": "SmallInteger",
    "SMALLINT": "SmallInteger",
    "INTEGER": "Integer",
    "BIGINT": "BigInteger",
    "HUGEINT": "BigInteger",
    "FLOAT": "Float",
    "DOUBLE": "Float",
    "DECIMAL": "Numeric",
}


# a two-part name `s.t` is table t of schema s of the database itself (the attached spend file
# has a schema marts too), or of the main schema of an attached database s (how DuckDB
# resolves it; mvoi.validate attaches its scratch database so)
_SCHEMA_MATCH = ("((table_catalog = current_database() and table_schema = coalesce(?, current_schema())) "
                 "or (table_catalog = ? and table_schema = 'main'))")


def _catalog_rows(connection, sql: str, params: list) -> list[tuple]:
    """A catalog query on the DuckDB connection itself, not through SQLAlchemy: reflection runs
    on its own SQLAlchemy connection over the one shared DuckDB connection (fix 1), and would
    issue a BEGIN while GX's connection still has a transaction open."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _get_columns(self, connection, table_name, schema=None, **kw):
    """duckdb-engine `Dialect.get_columns` through `information_schema.columns` (fix 3)."""
    import sqlalchemy as sa

    rows = _catalog_rows(
        connection,
        "select column_name, data_type, is_nullable, column_default "
        "from information_schema.columns "
        f"where table_name = ? and {_SCHEMA_MATCH} "
        "order by ordinal_position",
        [str(table_name), schema, schema],
    )
    if not rows:
        raise sa.exc.NoSuchTableError(f"{schema}.{table_name}" if schema else str(table_name))
    columns = []
    for name, data_type, is_nullable, default in rows:
        base = str(data_type).split("(")[0].strip().upper()
        type_ = getattr(sa.types, _TYPES.get(base, "NullType"))()
        columns.append(
            {
                "name": name,
                "type": type_,
                "nullable": is_nullable == "YES",
                "default": default,
                "autoincrement": False,
            }
        )
    return columns


def _get_pk_constraint(self, connection, table_name, schema=None, **kw):
    """duckdb-engine `Dialect.get_pk_constraint` through information_schema (fix 5)."""
    rows = _catalog_rows(
        connection,
        "select kcu.constraint_name, kcu.column_name "
        "from information_schema.table_constraints as tc "
        "join information_schema.key_column_usage as kcu "
        "on tc.constraint_name = kcu.constraint_name and tc.table_schema = kcu.table_schema "
        "and tc.table_name = kcu.table_name "
        "where tc.constraint_type = 'PRIMARY KEY' and tc.table_name = ? "
        f"and {_SCHEMA_MATCH.replace('table_', 'tc.table_')} "
        "order by kcu.ordinal_position",
        [str(table_name), schema, schema],
    )
    return {"constrained_columns": [column for _, column in rows], "name": rows[0][0] if rows else None}


def duckdb_url(db_path: str) -> str:
    """The SQLAlchemy URL of a DuckDB file, as GX's SQL data source wants it."""
    return f"duckdb:///{db_path}"


def close_datasource_engines(context) -> None:
    """Close every DuckDB connection GX holds in `context`, so the database file is released
    (a persisted connection otherwise lives as long as the process)."""
    for datasource in list(context.data_sources.all().values()):
        execution_engine = getattr(datasource, "_execution_engine", None)
        if execution_engine is not None:
            connection = getattr(execution_engine, "_connection", None)
            if connection is not None:
                connection.close()
                execution_engine._connection = None
            execution_engine.engine.dispose()
            datasource._execution_engine = None
        sa_engine = getattr(datasource, "_engine", None)
        if sa_engine is not None:
            sa_engine.dispose()
            datasource._engine = None
