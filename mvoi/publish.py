"""`mvoi publish`: write-audit-publish, the publish step.

Only when the last `dbt build` (target/run_results.json) has no error-severity failure
(status `error` or `fail`; `warn` is fine) and both GX gates passed for that build's run id
(governance.gx_validation_results), a NEW DuckDB file is written next to the published one
(`<published>.tmp-<pid>`): a copy of the spend fact's own database file (dbt builds
marts.fct_spend there; mvoi.paths.spend_db_path), then the other public tables copied from
the build database, and a `meta` schema describing the publication; the file is checkpointed and closed, the Parquet export
of the marts is written into a new folder, and then:

- the database file is moved onto `MVOI_PUBLISHED_PATH` with `os.replace` (atomic: a reader
  sees the old or the new file, never a half-written one; a BI tool holding the old file
  open keeps reading the old file and is never blocked);
- the export folder is swapped (old renamed away, new renamed in, old deleted).

The published file is never opened read-write. On any failure the temporary files are
removed and the previous publication stays as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mvoi import dbt_artifacts, paths, validate
from mvoi.build_lock import locked
from mvoi.paths import build_db_path, published_db_path

logger = logging.getLogger(__name__)

# governance tables a BI user or auditor needs (rejected_rows itself is not published: its
# original_record may hold personal data; its counts per entity and reason are; of
# notice_reconciliation, whose rows carry tender ids and values, only the counts per
# organisation and finding are published, for the KPI report's "Publicaties en eigen opgave")
GOVERNANCE_TABLES = ("landing_reconciliation", "gx_validation_results")
GOVERNANCE_PATTERNS = ("%scorecard%", "dq_%")
GOVERNANCE_COUNTS = {
    "rejected_row_counts": ("rejected_rows", "entity, reason_code"),
    "row_warning_counts": ("row_warnings", "entity, reason_code"),
    "notice_reconciliation_counts": ("notice_reconciliation", "organisation_id, finding"),
}


class PublishError(RuntimeError):
    """Publication refused or failed; the previous publication is untouched."""


@dataclass
class Publication:
    run_id: str
    published_path: Path
    export_dir: Path
    tables: list[str]
    published_at: dt.datetime


def export_dir_for(published: Path) -> Path:
    """The Parquet export folder of a published database (MVOI_EXPORT_DIR, default
    `export/` beside the published file)."""
    return paths.export_dir(published)


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = ? and table_type = 'BASE TABLE' order by 1, 2", [catalog]
    ).fetchall()
    out: dict[str, list[str]] = {}
    for schema, table in rows:
        out.setdefault(schema, []).append(table)
    return out


def _own_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The tables of the connection's own database file, by schema."""
    return _tables(con, con.execute("select current_database()").fetchone()[0])


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        for p in (path, Path(str(path) + ".wal")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(published: Path, export_dir: Path) -> list[Path]:
    """Remove what an interrupted publish left behind (`*.tmp-<pid>`, `export.old-<pid>`) when
    that process is gone. Never touches the publication itself."""
    removed = []
    for folder, prefixes in ((published.parent, (f"{published.name}.tmp-",)),
                             (export_dir.parent, (f"{export_dir.name}.tmp-", f"{export_dir.name}.old-"))):
        if not folder.exists():
            continue
        for path in folder.iterdir():
            for prefix in prefixes:
                rest = path.name[len(prefix):] if path.name.startswith(prefix) else ""
                pid = rest.split(".")[0]
                if pid.isdigit() and not _pid_alive(int(pid)):
                    if prefix.endswith(".old-") and not export_dir.exists():
                        os.rename(path, export_dir)  # a swap interrupted half-way: put it back
                    else:
                        _remove(path)
                    removed.append(path)
    return removed


def _copy_public_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, list[str]], export: Path) -> list[str]:
    """Copy the marts (also to Parquet in `export`, with the spend fact the file started with),
    the public governance tables, the counts of the quarantine and warnings, and the reference
    seeds from the attached build database; returns the published tables as `schema.table`."""
    copied: list[str] = []

    def copy(schema: str, table: str) -> None:
        con.execute(f"create table {schema}.{_q(table)} as select * from build.{schema}.{_q(table)}")
        copied.append(f"{schema}.{table}")

    started_with = _own_tables(con).get("marts", [])
    copied += [f"marts.{table}" for table in started_with]
    for table in tables.get("marts", []):
        copy("marts", table)
    for table in sorted([*started_with, *tables.get("marts", [])]):
        con.execute(f"copy marts.{_q(table)} to {validate._sql_text(str(export / (table + '.parquet')))} "
                    "(format parquet)")
    governance = set(tables.get("governance", []))
    wanted = [t for t in GOVERNANCE_TABLES if t in governance]
    wanted += sorted(
        t for t in governance
        if t not in wanted and any(con.execute("select ? like ?", [t, p]).fetchone()[0] for p in GOVERNANCE_PATTERNS)
    )
    for table in wanted:
        copy("governance", table)
    for target, (source, keys) in GOVERNANCE_COUNTS.items():
        if source in governance:
            con.execute(f"create table governance.{target} as select {keys}, count(*) as row_count "
                        f"from build.governance.{source} group by all order by all")
            copied.append(f"governance.{target}")
    for table in tables.get("reference", []):
        copy("reference", table)
    return copied


def _write_meta(con: duckdb.DuckDBPyConnection, tables: dict[str, list[str]], copied: list[str], run_id: str,
                published_at: dt.datetime, export_name: str) -> None:
    """meta: what was published, from which build and which delivery."""
    con.execute(
        "create table meta.publication as select ? as run_id, ? as published_at, "
        "? as published_tables, ? as export_folder",
        [run_id, published_at, len(copied), export_name],
    )
    if "landing_files" in tables.get("raw", []):
        con.execute(
            "create table meta.publication_sources as select entity, "
            "regexp_extract(file_path, '[^/]+$') as file_name, file_format, row_count as raw_rows, "
            "loaded_at from build.raw.landing_files order by entity"
        )
    elif "landing_reconciliation" in tables.get("governance", []):
        con.execute(
            "create table meta.publication_sources as select entity, null::varchar as file_name, "
            "'sample' as file_format, raw_rows, null::timestamp as loaded_at "
            "from build.governance.landing_reconciliation order by entity"
        )
    counts = " union all ".join(
        f"select '{schema}' as table_schema, '{table}' as table_name, count(*) as row_count "
        f"from {schema}.{_q(table)}"
        for schema, table in (name.split(".", 1) for name in copied)
    )
    con.execute(f"create table meta.published_tables as {counts} order by 1, 2")


def _start_from_spend_store(spend_db: Path, tmp_db: Path) -> None:
    """Start the new publication as a copy of the spend fact's own database file (dbt builds
    marts.fct_spend there: profiles.yml), keeping only that table: a file copy takes a fraction
    of a second where rewriting 10M lines into a new file took 20 s. Nothing to do for a build
    database without that file (its marts are all copied)."""
    if not spend_db.exists():
        return
    with paths.connect(spend_db) as con:  # anything still in its write-ahead log goes into the file
        con.execute("checkpoint")
        leftovers = [(schema, table) for schema, names in _own_tables(con).items() for table in names
                     if (schema, table) != ("marts", "fct_spend")]
    if Path(str(spend_db) + ".wal").exists():
        raise PublishError(f"{spend_db} still has a write-ahead log after checkpoint")
    shutil.copyfile(spend_db, tmp_db)
    if leftovers:  # e.g. a temporary table of an interrupted dbt run
        with paths.connect(tmp_db) as con:
            for schema, table in leftovers:
                con.execute(f"drop table {_q(schema)}.{_q(table)}")


def publish(run_id: str, build_db: Path | None = None, published: Path | None = None,
            export_dir: Path | None = None) -> Publication:
    """Copy the public tables of the build database to a new published database and
    Parquet export, then swap them in. Checks nothing: see `check_preconditions`."""
    build_db = Path(build_db or build_db_path()).resolve()
    published = Path(published or published_db_path()).resolve()
    export_dir = Path(export_dir or export_dir_for(published)).resolve()
    if published == build_db:
        raise PublishError("the published database must not be the build database")
    published.parent.mkdir(parents=True, exist_ok=True)
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    for path in remove_stale_temporaries(published, export_dir):
        logger.info("removed %s, left by an interrupted publish", path)
    tag = f"tmp-{os.getpid()}"
    tmp_db = published.with_name(f"{published.name}.{tag}")
    tmp_export = export_dir.with_name(f"{export_dir.name}.{tag}")
    old_export = export_dir.with_name(f"{export_dir.name}.old-{os.getpid()}")
    for leftover in (tmp_db, tmp_export, old_export):
        _remove(leftover)
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    copied: list[str] = []
    try:
        tmp_export.mkdir()
        _start_from_spend_store(paths.spend_db_path(build_db), tmp_db)
        with paths.connect(tmp_db) as con:
            con.execute(f"attach {validate._sql_text(str(build_db))} as build (read_only)")
            tables = _tables(con, "build")
            if not tables.get("marts") and not _own_tables(con).get("marts"):
                raise PublishError(f"the build database {build_db} has no tables in schema marts")
            for schema in ("marts", "governance", "reference", "meta"):
                con.execute(f"create schema if not exists {schema}")
            copied += _copy_public_tables(con, tables, tmp_export)
            _write_meta(con, tables, copied, run_id, published_at, export_dir.name)
            con.execute("detach build")
            con.execute("checkpoint")
        (tmp_export / "_publication.json").write_text(
            json.dumps({"run_id": run_id, "published_at": published_at.isoformat(), "tables": copied}, indent=2),
            encoding="utf-8",
        )
        if Path(str(tmp_db) + ".wal").exists():
            raise PublishError(f"{tmp_db} still has a write-ahead log after checkpoint")

        # swap: the database file atomically, then the export folder
        os.replace(tmp_db, published)
        if export_dir.exists():
            os.rename(export_dir, old_export)
        os.rename(tmp_export, export_dir)
        _remove(old_export)
    except BaseException:
        _remove(tmp_db)
        _remove(tmp_export)
        if old_export.exists() and not export_dir.exists():
            os.rename(old_export, export_dir)
        raise
    logger.info("published %d tables to %s (run %s)", len(copied), published, run_id)
    return Publication(run_id=run_id, published_path=published, export_dir=export_dir,
                       tables=copied, published_at=published_at)


def check_preconditions(run_id: str, build_db: Path, run_results: dict | None) -> list[str]:
    """Everything that forbids publishing this build (empty: publish)."""
    problems = dbt_artifacts.build_problems(run_results)
    ok, why = validate.gates_passed_in_run(build_db, run_id)
    if not ok:
        problems.append(why)
    return problems


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, help="build database (default: MVOI_DB_PATH)")
    parser.add_argument("--published", type=Path, default=None,
                        help="published database (default: MVOI_PUBLISHED_PATH)")
    parser.add_argument("--run-id", default=None,
                        help="run id whose gate results allow the publication (default: the last dbt build's)")


@locked
def run(args: argparse.Namespace) -> int:
    build_db = Path(args.db or build_db_path())
    run_results = dbt_artifacts.run_results()
    run_id = args.run_id or dbt_artifacts.current_run_id()
    try:
        problems = check_preconditions(run_id, build_db, run_results)
        if problems:
            print("Publication REFUSED; the previous publication is unchanged:")
            print("\n".join(f"  - {p}" for p in problems))
            return 1
        publication = publish(run_id, build_db=build_db, published=args.published)
    except (PublishError, duckdb.Error, OSError) as exc:
        print(f"Publication FAILED; the previous publication is unchanged: {exc}")
        return 1
    print(
        f"Published run {publication.run_id}: {len(publication.tables)} tables -> "
        f"{publication.published_path} (read-only for consumers); Parquet -> {publication.export_dir}"
    )
    return 0
