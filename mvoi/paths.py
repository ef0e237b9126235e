"""Where things are: the project root and every output location of a warehouse.

One setting places a whole warehouse: `MVOI_WAREHOUSE_DIR` (default `warehouse/`). Every
output of a build lives under it, so two warehouses (the sample and a trial delivery, say)
never share a publication, a report, dbt's target folder or GX's results. The finer variables
still override one location each:

| location                     | variable                  | default under the warehouse dir |
|------------------------------|---------------------------|---------------------------------|
| build database               | `MVOI_DB_PATH`            | `mvoi.duckdb`                   |
| its spend fact (`spend_store`)| (none)                   | `mvoi_spend.duckdb`, beside the build database |
| published database           | `MVOI_PUBLISHED_PATH`     | `mvoi_published.duckdb`         |
| Parquet export               | `MVOI_EXPORT_DIR`         | `export/` beside the publication|
| KPI report                   | `MVOI_REPORT_PATH`        | `kpi_report.html`               |
| static site                  | `MVOI_SITE_DIR`           | `site/`                         |
| dbt target (docs, results)   | `DBT_TARGET_PATH`         | `target/`                       |
| dbt logs                     | `DBT_LOG_PATH`            | `logs/`                         |
| GX results and Data Docs     | `MVOI_GX_UNCOMMITTED_DIR` | `gx/`                           |
| landing store (deliveries)   | `MVOI_LANDING_STORE`      | `landing_store/`                |
| build lock                   | (none)                    | `mvoi.duckdb.lock`, beside the build database |
| outcome of the last build    | (none)                    | `build_status.json`, beside the publication |
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROFILES_FILE = PROJECT_DIR / "profiles.yml"


def _path(value: str | os.PathLike) -> Path:
    """A configured path; a relative one is relative to the project folder (where make runs)."""
    path = Path(value)
    return path if path.is_absolute() else PROJECT_DIR / path


def _setting(variable: str, default: Path) -> Path:
    value = os.environ.get(variable, "").strip()
    return _path(value) if value else default


def sample_dir() -> Path:
    """The bundled sample: the landing folder a build reads when MVOI_RAW_DIR is unset."""
    return PROJECT_DIR / "sample"


def warehouse_dir() -> Path:
    """The warehouse folder (MVOI_WAREHOUSE_DIR, default warehouse/)."""
    return _setting("MVOI_WAREHOUSE_DIR", PROJECT_DIR / "warehouse")


def build_db_path() -> Path:
    """The build database (MVOI_DB_PATH)."""
    return _setting("MVOI_DB_PATH", warehouse_dir() / "mvoi.duckdb")


def spend_db_path(build_db: Path | None = None) -> Path:
    """The database file of `marts.fct_spend`, beside the build database (`<name>_spend.duckdb`;
    profiles.yml attaches it to dbt's connection as `spend_store`, the name given here)."""
    build_db = Path(build_db or build_db_path())
    return build_db.with_name(re.sub(r"(\.duckdb)?$", "_spend.duckdb", build_db.name, count=1))


SPEND_CATALOG = "spend_store"


def published_db_path() -> Path:
    """The published database for BI tools (MVOI_PUBLISHED_PATH)."""
    return _setting("MVOI_PUBLISHED_PATH", warehouse_dir() / "mvoi_published.duckdb")


def export_dir(published: Path | None = None) -> Path:
    """The Parquet export of the publication (MVOI_EXPORT_DIR, default beside it)."""
    return _setting("MVOI_EXPORT_DIR", (published or published_db_path()).parent / "export")


def report_path() -> Path:
    """The HTML KPI report (MVOI_REPORT_PATH)."""
    return _setting("MVOI_REPORT_PATH", warehouse_dir() / "kpi_report.html")


def site_dir() -> Path:
    """The static monitoring site written by `mvoi site` (MVOI_SITE_DIR)."""
    return _setting("MVOI_SITE_DIR", warehouse_dir() / "site")


def dbt_target_dir() -> Path:
    """dbt's target folder: run results, manifest, docs (DBT_TARGET_PATH)."""
    return _setting("DBT_TARGET_PATH", warehouse_dir() / "target")


def dbt_log_dir() -> Path:
    """dbt's log folder (DBT_LOG_PATH)."""
    return _setting("DBT_LOG_PATH", warehouse_dir() / "logs")


def gx_uncommitted_dir() -> Path:
    """GX's validation results and Data Docs (MVOI_GX_UNCOMMITTED_DIR)."""
    return _setting("MVOI_GX_UNCOMMITTED_DIR", warehouse_dir() / "gx")


def landing_store_dir() -> Path:
    """The landing store: the deliveries received by `mvoi deliver` and their register
    (MVOI_LANDING_STORE)."""
    return _setting("MVOI_LANDING_STORE", warehouse_dir() / "landing_store")


def build_lock_path() -> Path:
    """The lock that serialises the builds of one build database (and its publication)."""
    db = build_db_path()
    return db.with_name(db.name + ".lock")


def build_status_path(published: Path | None = None) -> Path:
    """The outcome of the last build, beside the publication it would have replaced (the
    report made from that publication reads it to flag a refused build)."""
    return (published or published_db_path()).parent / "build_status.json"


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for the project's own connections: MVOI_MEMORY_LIMIT, else the
    default of dbt's profile (profiles.yml), so that dbt and the rest of a build share one
    default, written once. 3GB keeps a build's largest process, DuckDB plus Python, under
    4 GB at 10M invoice lines; DuckDB spills to disk beyond it."""
    return os.environ.get("MVOI_MEMORY_LIMIT") or _profile_default("MVOI_MEMORY_LIMIT")


def _profile_default(variable: str) -> str:
    """The default profiles.yml gives `variable` (`env_var('VARIABLE', 'default')`)."""
    match = re.search(r"env_var\(\s*'" + variable + r"'\s*,\s*'([^']+)'\s*\)",
                      PROFILES_FILE.read_text(encoding="utf-8"))
    if match is None:
        raise RuntimeError(f"{PROFILES_FILE} gives {variable} no default: set {variable}, or restore its default there")
    return match.group(1)


def connect(database: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (in memory without `database`) under duckdb_memory_limit. DuckDB's
    own default is 80% of the machine's memory, which the publish step of a 100M-line build
    took: 15.9 GB. No progress bar: the build prints its own phases, and a bar per query
    filled the logs of large builds."""
    con = duckdb.connect(str(database) if database is not None else ":memory:", read_only=read_only,
                         config={"memory_limit": duckdb_memory_limit()})
    con.execute("set enable_progress_bar = false")  # a connection setting, not a database one
    return con


def attach_spend_sql(build_db: Path, read_only: bool) -> str | None:
    """The ATTACH statement of the build database's spend fact file as SPEND_CATALOG (None when
    the file does not exist), for any DuckDB connection that reads its view marts.fct_spend."""
    spend = spend_db_path(build_db)
    if not spend.exists():
        return None
    quoted = str(spend).replace("'", "''")
    return f"attach '{quoted}' as {SPEND_CATALOG} ({'read_only' if read_only else 'read_write'})"


def connect_build(database: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the build database with its spend fact attached (when the file exists),
    so that its view marts.fct_spend reads as it does in dbt."""
    database = Path(database or build_db_path())
    con = connect(database, read_only=read_only)
    attach = attach_spend_sql(database, read_only)
    if attach:
        con.execute(attach)
    return con


def output_environment() -> dict[str, str]:
    """Every location as an environment variable, for dbt and the sub-commands a build runs."""
    published = published_db_path()
    return {
        "MVOI_WAREHOUSE_DIR": str(warehouse_dir()),
        "MVOI_DB_PATH": str(build_db_path()),
        "MVOI_PUBLISHED_PATH": str(published),
        "MVOI_EXPORT_DIR": str(export_dir(published)),
        "MVOI_REPORT_PATH": str(report_path()),
        "MVOI_SITE_DIR": str(site_dir()),
        "DBT_TARGET_PATH": str(dbt_target_dir()),
        "DBT_LOG_PATH": str(dbt_log_dir()),
        "MVOI_GX_UNCOMMITTED_DIR": str(gx_uncommitted_dir()),
        "MVOI_LANDING_STORE": str(landing_store_dir()),
    }
