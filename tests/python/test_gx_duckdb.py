"""mvoi.gx_duckdb: Great Expectations 1.x expectations run as SQL inside DuckDB.

These tests fail loudly when a GX (or duckdb-engine / SQLAlchemy) upgrade changes the
behaviour that the compatibility module relies on.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from mvoi import gx_duckdb

gx = pytest.importorskip("great_expectations")
gxe = pytest.importorskip("great_expectations.expectations")


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    db = tmp_path / "small.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        con.execute(
            """
            create table raw.things as
            select
                i::varchar as thing_id,
                case when i % 10 = 0 then 'x' || i else lpad(i::varchar, 8, '0') end as kvk_number,
                case when i % 3 = 0 then ' Rijk ' else 'gemeente' end as government_layer,
                case when i % 50 = 0 then null else (i % 7)::varchar end as level,
                (i % 7) as level_int
            from range(1000) as r(i)
            """
        )
    return db


def _validate(db: Path, table: str, expectations: list) -> list:
    gx_duckdb.install()
    context = gx.get_context(mode="ephemeral")
    try:
        source = context.data_sources.add_sql("wh", connection_string=gx_duckdb.duckdb_url(str(db)))
        asset = source.add_table_asset(table, table_name=table, schema_name="raw")
        batch = asset.add_batch_definition_whole_table("all").get_batch()
        suite = gx.ExpectationSuite(name="t")
        for expectation in expectations:
            suite.add_expectation(expectation)
        result = batch.validate(suite, result_format="SUMMARY")
        return result.results
    finally:
        gx_duckdb.close_datasource_engines(context)


def _assert_no_exception(results) -> None:
    for r in results:
        info = r.exception_info or {}
        raised = info.get("raised_exception") if "raised_exception" in info else any(
            v.get("raised_exception") for v in info.values() if isinstance(v, dict)
        )
        assert not raised, f"{r.expectation_config.type} raised inside GX: {info}"


def test_install_is_idempotent_and_registers_duckdb() -> None:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as sae

    gx_duckdb.install()
    gx_duckdb.install()
    assert [d for d in sae._PERSISTED_CONNECTION_DIALECTS if d == "duckdb"] == ["duckdb"]
    assert sae._dialect_requires_persisted_connection(url="duckdb:////tmp/x.duckdb")


def test_core_expectations_run_in_duckdb(small_db: Path) -> None:
    cases = {
        # label: (expectation, expected success)
        "regex_pass_case_insensitive_trimmed": (
            gxe.ExpectColumnValuesToMatchRegex(column="government_layer", regex=r"(?i)^\s*(rijk|gemeente)\s*$"),
            True,
        ),
        # 100 of 1000 kvk numbers are not 8 digits
        "regex_fail": (
            gxe.ExpectColumnValuesToMatchRegex(column="kvk_number", regex=r"^\s*[0-9]{8}\s*$", mostly=0.95),
            False,
        ),
        "regex_within_mostly": (
            gxe.ExpectColumnValuesToMatchRegex(column="kvk_number", regex=r"^\s*[0-9]{8}\s*$", mostly=0.9),
            True,
        ),
        "not_regex_fail": (
            gxe.ExpectColumnValuesToNotMatchRegex(column="kvk_number", regex=r"^x.*$", mostly=0.95),
            False,
        ),
        "like_pass": (
            gxe.ExpectColumnValuesToMatchLikePattern(column="kvk_number", like_pattern="0%", mostly=0.5),
            True,
        ),
        "not_null_pass": (gxe.ExpectColumnValuesToNotBeNull(column="thing_id"), True),
        "not_null_fail": (gxe.ExpectColumnValuesToNotBeNull(column="level"), False),
        "unique_pass": (gxe.ExpectColumnValuesToBeUnique(column="thing_id"), True),
        "unique_fail": (gxe.ExpectColumnValuesToBeUnique(column="government_layer"), False),
        "between_pass": (gxe.ExpectColumnValuesToBeBetween(column="level_int", min_value=0, max_value=6), True),
        "between_fail": (gxe.ExpectColumnValuesToBeBetween(column="level_int", min_value=0, max_value=5), False),
        "column_exists": (gxe.ExpectColumnToExist(column="thing_id"), True),
        "unexpected_rows_sql": (
            gxe.UnexpectedRowsExpectation(unexpected_rows_query="select * from {batch} where kvk_number like 'x%'"),
            False,
        ),
    }
    for label, (expectation, _) in cases.items():
        expectation.meta = {"label": label}
    results = _validate(small_db, "things", [e for e, _ in cases.values()])
    _assert_no_exception(results)
    by_label = {r.expectation_config.meta["label"]: r for r in results}
    assert {k: r.success for k, r in by_label.items()} == {k: ok for k, (_, ok) in cases.items()}

    failing_regex = by_label["regex_fail"].result
    assert failing_regex["element_count"] == 1000
    assert failing_regex["unexpected_count"] == 100
    assert failing_regex["unexpected_percent"] == pytest.approx(10.0)
    assert by_label["not_null_fail"].result["unexpected_count"] == 20  # level null for i % 50 = 0
    assert by_label["between_fail"].result["unexpected_count"] == 142  # level_int = 6
    assert by_label["unexpected_rows_sql"].result["observed_value"] == 100


def test_regex_is_anchored_full_match(small_db: Path) -> None:
    """The project's patterns are anchored; an unanchored pattern must not silently pass
    values that only contain a match (DuckDB's `~` is a full match)."""
    results = _validate(
        small_db,
        "things",
        [gxe.ExpectColumnValuesToMatchRegex(column="government_layer", regex=r"(?i)rijk")],
    )
    _assert_no_exception(results)
    assert results[0].success is False


def test_batch_is_sql_not_pandas(small_db: Path) -> None:
    from great_expectations.execution_engine.sqlalchemy_batch_data import SqlAlchemyBatchData

    gx_duckdb.install()
    context = gx.get_context(mode="ephemeral")
    try:
        source = context.data_sources.add_sql("wh", connection_string=gx_duckdb.duckdb_url(str(small_db)))
        asset = source.add_query_asset("q", query="select thing_id from raw.things")
        batch = asset.add_batch_definition_whole_table("all").get_batch()
        assert isinstance(batch.data, SqlAlchemyBatchData)
    finally:
        gx_duckdb.close_datasource_engines(context)
    # the file is released: a read-write connection with another configuration opens
    with duckdb.connect(str(small_db), config={"threads": 1}) as con:
        assert con.execute("select count(*) from raw.things").fetchone() == (1000,)


def test_two_million_rows_with_flat_memory(tmp_path: Path) -> None:
    """A 2M-row table validated in a child process: peak memory stays far below what
    loading the table into pandas would need (about 2M x 2 Python strings)."""
    db = tmp_path / "big.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.big as select lpad(i::varchar, 8, '0') as kvk_number, "
            "'line ' || i as description from range(2000000) as r(i)"
        )
    script = textwrap.dedent(
        f"""
        import resource, great_expectations as gx, great_expectations.expectations as gxe
        from mvoi import gx_duckdb
        gx_duckdb.install()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        context = gx.get_context(mode="ephemeral")
        source = context.data_sources.add_sql("wh", connection_string=gx_duckdb.duckdb_url({str(db)!r}))
        batch = source.add_table_asset("big", table_name="big", schema_name="raw").add_batch_definition_whole_table("all").get_batch()
        suite = gx.ExpectationSuite(name="big")
        suite.add_expectation(gxe.ExpectColumnValuesToMatchRegex(column="kvk_number", regex=r"^[0-9]{{8}}$"))
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="description"))
        suite.add_expectation(gxe.ExpectColumnValuesToMatchRegex(column="description", regex=r"^line [0-9]+$"))
        result = batch.validate(suite)
        gx_duckdb.close_datasource_engines(context)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(result.success, result.results[0].result["element_count"], (after - before) // 1024)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "MVOI_DUCKDB_THREADS": "1"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    success, element_count, grown_mb = out.stdout.split()[-3:]
    assert success == "True"
    assert element_count == "2000000"
    # pandas would need several hundred MB for 4M Python strings; SQL aggregates need little
    print("peak memory growth MB:", grown_mb)
    assert int(grown_mb) < 150, f"peak memory grew by {grown_mb} MB: is GX loading the table?"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0


def test_a_failing_sql_rule_fails_alone(small_db: Path) -> None:
    """Fix 4: a rule whose SQL is wrong fails by itself; the rules after it still run on the
    same (persisted) connection instead of hitting an aborted transaction."""
    broken = gxe.UnexpectedRowsExpectation(unexpected_rows_query="select * from {batch} where no_such_column = 1")
    broken.meta = {"label": "broken"}
    fine = gxe.UnexpectedRowsExpectation(unexpected_rows_query="select * from {batch} where thing_id = 'none'")
    fine.meta = {"label": "fine"}
    also_fine = gxe.ExpectColumnValuesToNotBeNull(column="thing_id")
    also_fine.meta = {"label": "also_fine"}
    results = _validate(small_db, "things", [broken, fine, also_fine])
    by_label = {r.expectation_config.meta["label"]: r for r in results}
    assert by_label["broken"].success is False
    assert by_label["fine"].success is True, by_label["fine"].exception_info
    assert by_label["also_fine"].success is True, by_label["also_fine"].exception_info
