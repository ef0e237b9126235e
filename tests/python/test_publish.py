"""Write-audit-publish on real DuckDB files: atomic replacement, untouched publication on a
refused build, readers never blocked (and never blocking the build)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from mvoi import dbt_artifacts, publish, validate
from mvoi.paths import connect_build, spend_db_path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def make_build_db(path: Path, spend: float = 100.0) -> Path:
    """A small build database with the schemas the publisher reads."""
    with duckdb.connect(str(path)) as con:
        for schema in ("raw", "staging", "marts", "governance", "reference"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            "create or replace table marts.fct_kpi_values as select * from (values "
            f"('GEN-04', 'national', 'NL', 2024, 50.0, {spend}, 5000.0 / {spend}, '%'), "
            f"('GEN-04', 'organisation', '00000001000000000001', 2024, 50.0, {spend}, 5000.0 / {spend}, '%')"
            ") as t(kpi_code, scope_level, scope_id, year, numerator, denominator, value, unit)"
        )
        con.execute(
            "create or replace table marts.fct_spend as select 'L' || i as invoice_line_id, "
            "2024 as invoice_year, 1.5 * i as amount from range(10) as r(i)"
        )
        con.execute("create or replace table staging.stg_landing__invoice_lines as select 1 as x")
        con.execute(
            "create or replace table governance.landing_reconciliation as select 'invoice_lines' as entity, "
            "12 as raw_rows, 10 as loaded_rows, 1 as rejected_rows, 1 as exact_duplicates_removed, true as is_reconciled"
        )
        con.execute(
            "create or replace table governance.rejected_rows as select 'invoice_lines' as entity, 'L99' as source_key, "
            "'invalid_amount' as reason_code, '{\"contact_email\": \"a@b.nl\"}' as original_record"
        )
        con.execute("create or replace table reference.kpi_register as select 'GEN-04' as kpi_code, '%' as unit")
        con.execute(
            "create or replace table raw.landing_files as select 'invoice_lines' as entity, "
            "'/data/in/invoice_lines.csv' as file_path, 'csv' as file_format, 12 as row_count, now() as loaded_at"
        )
    return path


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_digest(path: Path) -> dict[str, str]:
    return {p.name: file_digest(p) for p in sorted(path.iterdir())}


def published_run_id(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select run_id from meta.publication").fetchone()[0]


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "build").mkdir()
    return {
        "build": make_build_db(tmp_path / "build" / "mvoi.duckdb"),
        "published": tmp_path / "pub" / "mvoi_published.duckdb",
        "export": tmp_path / "pub" / "export",
    }


def test_publish_copies_public_tables_and_replaces_atomically(paths) -> None:
    first = publish.publish("run-1", build_db=paths["build"], published=paths["published"], export_dir=paths["export"])
    assert published_run_id(paths["published"]) == "run-1"
    inode_before = paths["published"].stat().st_ino
    with duckdb.connect(str(paths["published"]), read_only=True) as con:
        tables = {f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        # the rejected rows themselves (personal data in original_record) stay in the build
        assert con.execute("select entity, reason_code, row_count from governance.rejected_row_counts").fetchall() == [
            ("invoice_lines", "invalid_amount", 1)]
        assert con.execute("select raw_rows from meta.publication_sources").fetchall() == [(12,)]
        assert con.execute(
            "select row_count from meta.published_tables where table_name = 'fct_spend'").fetchone() == (10,)
    assert {"marts.fct_kpi_values", "marts.fct_spend", "governance.landing_reconciliation",
            "reference.kpi_register", "meta.publication", "governance.rejected_row_counts"} <= tables
    assert "governance.rejected_rows" not in tables
    assert "staging.stg_landing__invoice_lines" not in tables
    assert set(first.tables) == tables - {"meta.publication", "meta.publication_sources", "meta.published_tables"}
    assert sorted(p.name for p in paths["export"].iterdir()) == [
        "_publication.json", "fct_kpi_values.parquet", "fct_spend.parquet"]
    assert duckdb.connect().execute(f"select count(*) from '{paths['export'] / 'fct_spend.parquet'}'").fetchone() == (10,)

    make_build_db(paths["build"], spend=200.0)
    publish.publish("run-2", build_db=paths["build"], published=paths["published"], export_dir=paths["export"])
    assert published_run_id(paths["published"]) == "run-2"
    assert paths["published"].stat().st_ino != inode_before  # a new file renamed in, not rewritten
    assert json.loads((paths["export"] / "_publication.json").read_text())["run_id"] == "run-2"
    leftovers = [p.name for p in paths["published"].parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    assert leftovers == []
    assert not Path(str(paths["published"]) + ".wal").exists()


def test_publication_starts_from_the_spend_fact_file(paths) -> None:
    """As dbt builds it: marts.fct_spend in the spend file beside the build database (with a
    table an interrupted dbt run left there), and in the build database a view of it. The
    publication holds the spend lines once, as a table, and neither the view nor the leftover."""
    spend_db = spend_db_path(paths["build"])
    with duckdb.connect(str(spend_db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_spend as select 'S' || i as invoice_line_id, 2024 as invoice_year, "
                    "2.5 * i as amount from range(7) as r(i)")
        con.execute("create table marts.fct_spend__dbt_tmp as select 1 as x")
    with duckdb.connect(str(paths["build"])) as con:
        con.execute(f"attach '{spend_db}' as spend_store")
        con.execute("drop table marts.fct_spend")
        con.execute("create view marts.fct_spend as select * from spend_store.marts.fct_spend")
    publication = publish.publish("run-1", build_db=paths["build"], published=paths["published"],
                                  export_dir=paths["export"])
    assert publication.tables.count("marts.fct_spend") == 1
    with duckdb.connect(str(paths["published"]), read_only=True) as con:
        marts = con.execute("select table_name, table_type from information_schema.tables "
                            "where table_schema = 'marts' order by 1").fetchall()
        assert marts == [("fct_kpi_values", "BASE TABLE"), ("fct_spend", "BASE TABLE")]
        assert con.execute("select count(*), sum(amount) from marts.fct_spend").fetchone() == (7, 52.5)
        assert con.execute(
            "select row_count from meta.published_tables where table_name = 'fct_spend'").fetchone() == (7,)
    assert duckdb.connect().execute(f"select count(*) from '{paths['export'] / 'fct_spend.parquet'}'").fetchone() == (7,)
    with connect_build(paths["build"], read_only=True) as con:  # the spend file is unchanged
        assert con.execute("select count(*) from spend_store.marts.fct_spend__dbt_tmp").fetchone() == (1,)


def test_failed_publication_leaves_previous_one_byte_identical(paths, tmp_path: Path) -> None:
    publish.publish("run-1", build_db=paths["build"], published=paths["published"], export_dir=paths["export"])
    before = (file_digest(paths["published"]), folder_digest(paths["export"]))
    broken = tmp_path / "broken.duckdb"
    duckdb.connect(str(broken)).close()  # no marts at all
    with pytest.raises(publish.PublishError, match="no tables in schema marts"):
        publish.publish("run-2", build_db=broken, published=paths["published"], export_dir=paths["export"])
    assert (file_digest(paths["published"]), folder_digest(paths["export"])) == before
    # the temporary database and export folder are gone
    assert sorted(p.name for p in paths["published"].parent.iterdir()) == ["export", "mvoi_published.duckdb"]


def _write_run_results(target: Path, statuses: list[str], invocation_id: str = "inv-1") -> None:
    target.mkdir(parents=True, exist_ok=True)
    (target / "run_results.json").write_text(json.dumps({
        "metadata": {"invocation_id": invocation_id},
        "args": {"which": "build"},
        "results": [{"unique_id": f"model.mvoi.m{i}", "status": s, "message": s} for i, s in enumerate(statuses)],
    }))


def test_dbt_build_problems() -> None:
    ok = {"args": {"which": "build"}, "results": [{"unique_id": "a", "status": "success"},
                                                  {"unique_id": "t", "status": "warn"}]}
    assert dbt_artifacts.build_problems(ok) == []
    failed = {"args": {"which": "build"}, "results": [{"unique_id": "test.x", "status": "fail", "message": "3 rows"}]}
    assert dbt_artifacts.build_problems(failed) == ["dbt fail: test.x 3 rows"]
    assert "not `dbt build`" in dbt_artifacts.build_problems({"args": {"which": "docs"}, "results": []})[0]
    assert dbt_artifacts.build_problems(None)


def test_publish_refused_without_passed_gates(paths, tmp_path: Path) -> None:
    """`mvoi publish` (a separate process, as make calls it) refuses when the gates did not
    pass for the build's run id, and leaves the previous publication byte-identical."""
    publish.publish("run-0", build_db=paths["build"], published=paths["published"], export_dir=paths["export"])
    before = (file_digest(paths["published"]), folder_digest(paths["export"]))
    target = tmp_path / "target"
    _write_run_results(target, ["success", "warn"], invocation_id="inv-1")
    rule = validate.Rule(rule_id="fct_kpi_values.percentages_within_0_100", gate="publication",
                         asset="marts.fct_kpi_values", check="x", expectation_type="unexpected_rows_expectation",
                         kwargs={}, severity="error", description="d")
    now = dt.datetime(2026, 1, 1)
    validate.write_results_table(paths["build"], validate.GateResult(
        "landing", "inv-1", now, [validate.RuleResult(rule=rule, success=True, observed="ok")]))
    validate.write_results_table(paths["build"], validate.GateResult(
        "publication", "inv-1", now, [validate.RuleResult(rule=rule, success=False, observed="8 offending rows")]))
    env = dict(os.environ, MVOI_DB_PATH=str(paths["build"]), MVOI_PUBLISHED_PATH=str(paths["published"]),
               MVOI_EXPORT_DIR=str(paths["export"]), DBT_TARGET_PATH=str(target))
    out = subprocess.run([sys.executable, "-m", "mvoi", "publish"], env=env, cwd=PROJECT_DIR,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "REFUSED" in out.stdout and "gate publication has 1 blocking failures in run inv-1" in out.stdout
    assert (file_digest(paths["published"]), folder_digest(paths["export"])) == before

    # a failed dbt test refuses as well, whatever the gates say
    _write_run_results(target, ["success", "fail"], invocation_id="inv-1")
    out = subprocess.run([sys.executable, "-m", "mvoi", "publish"], env=env, cwd=PROJECT_DIR,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1 and "dbt fail: model.mvoi.m1" in out.stdout
    assert (file_digest(paths["published"]), folder_digest(paths["export"])) == before

    # once both gates pass for the run id, the same command publishes
    validate.write_results_table(paths["build"], validate.GateResult(
        "publication", "inv-2", now, [validate.RuleResult(rule=rule, success=True, observed="0 offending rows")]))
    validate.write_results_table(paths["build"], validate.GateResult(
        "landing", "inv-2", now, [validate.RuleResult(rule=rule, success=True, observed="ok")]))
    _write_run_results(target, ["success", "warn"], invocation_id="inv-2")
    out = subprocess.run([sys.executable, "-m", "mvoi", "publish"], env=env, cwd=PROJECT_DIR,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert published_run_id(paths["published"]) == "inv-2"


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select run_id from meta.publication").fetchone()[0], flush=True)
    sys.stdin.readline()  # hold the file open until told to go on
    print(con.execute("select run_id, count(*) from meta.publication group by all").fetchone()[0], flush=True)
    """
)


def test_reader_holding_published_db_blocks_neither_publish_nor_build(paths) -> None:
    publish.publish("run-1", build_db=paths["build"], published=paths["published"], export_dir=paths["export"])
    reader = subprocess.Popen([sys.executable, "-c", READER, str(paths["published"])],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "run-1"  # the reader holds the file open
        # the build database is another file: a build can write while the reader reads
        started = time.monotonic()
        with duckdb.connect(str(paths["build"])) as con:
            con.execute("create or replace table marts.fct_spend as select 'L1' as invoice_line_id, 2024 as invoice_year, 2.0 as amount")
        publish.publish("run-2", build_db=paths["build"], published=paths["published"], export_dir=paths["export"])
        assert time.monotonic() - started < 60
        assert published_run_id(paths["published"]) == "run-2"  # new readers see the new file
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    # the open connection keeps reading the old file, consistently, after the swap
    assert out.split() == ["run-1"]


def test_leftovers_of_an_interrupted_publish_are_cleaned(paths) -> None:
    publish.publish("run-1", build_db=paths["build"], published=paths["published"], export_dir=paths["export"])
    dead = 4_000_000  # far above the pids in use: no such process
    stale_db = paths["published"].with_name(f"{paths['published'].name}.tmp-{dead}")
    stale_db.write_bytes(b"half written")
    (paths["export"].parent / f"export.tmp-{dead}").mkdir()
    live = paths["published"].with_name(f"{paths['published'].name}.tmp-{os.getppid()}")
    live.write_bytes(b"another publish still running")
    publish.publish("run-2", build_db=paths["build"], published=paths["published"], export_dir=paths["export"])
    names = sorted(p.name for p in paths["published"].parent.iterdir())
    assert names == sorted(["export", "mvoi_published.duckdb", live.name])
    assert published_run_id(paths["published"]) == "run-2"
