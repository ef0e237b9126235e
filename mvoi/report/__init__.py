"""`mvoi report`: the KPI report, a self-contained HTML file made from the published database.

The report shows, per theme (algemeen and the six MVOI themes), every KPI of the register per
year at national and government-layer level against its target (a table and an inline SVG
trend chart, with the organisations reporting of those expected), the delivery completeness
per layer and year, the tender KPIs of the two sources side by side (self-reported and public
notices, with the reconciliation's finding counts; docs/notices.md "In the report"), the top
product groups by spend and by estimated emissions, the data-quality scorecard and the
provenance of the build (run id, publication time, source row counts).

It reads the PUBLISHED database read-only (`--db`, default `MVOI_PUBLISHED_PATH`,
`warehouse/mvoi_published.duckdb`). When that file does not exist it falls back to the build
database (`MVOI_DB_PATH`) and says so, in the log and in a banner at the top of the report;
the build database has no meta schema, so the provenance then comes from the governance tables.

The HTML works offline: no CDN, no external fonts, scripts or style sheets; the charts are SVG
drawn in Python. Values are stored unrounded in the marts and rounded for display only.

Modules: `queries` (the project's tables, by name), `sections` (rows into formatted sections),
`charts` (SVG), `formatting` (rounding and escaping), `render` (template and file); this
module holds the command (`add_arguments`, `run`) and the public names.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import duckdb

from mvoi.paths import build_db_path, published_db_path, report_path
from mvoi.report.charts import Series, TargetLine, bar_chart, line_chart
from mvoi.report.formatting import (
    MISSING,
    NOT_MEANINGFUL,
    UNIT_DECIMALS,
    format_eur,
    format_number,
    format_value,
    is_not_meaningful,
)
from mvoi.report.render import ReportError, build_report, write_report

__all__ = [
    "MISSING", "NOT_MEANINGFUL", "UNIT_DECIMALS", "ReportError", "Series", "TargetLine", "add_arguments",
    "bar_chart", "build_report", "format_eur", "format_number", "format_value", "is_not_meaningful",
    "line_chart", "run", "write_report",
]

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, default=None,
        help="published database to read (default: MVOI_PUBLISHED_PATH, warehouse/mvoi_published.duckdb); "
        "when it does not exist the build database (MVOI_DB_PATH) is used, with a warning",
    )
    parser.add_argument(
        "--out", type=Path, default=None,
        help="HTML file to write (default: MVOI_REPORT_PATH, kpi_report.html in the warehouse folder)",
    )


def _database(requested: Path | None) -> tuple[Path, bool] | None:
    """(database to read, is it a publication); the build database only when no --db was
    given and there is no publication yet; None when there is nothing to read."""
    db_path = requested or published_db_path()
    if db_path.exists():
        return db_path, True
    fallback = build_db_path()
    if requested is None and fallback.exists():
        logger.warning(
            "published database %s not found (run `mvoi publish` first); "
            "falling back to the build database %s - the report is marked as unpublished",
            db_path, fallback,
        )
        return fallback, False
    logger.error("database %s not found: run `make build` (dbt build + mvoi publish) first, or pass --db", db_path)
    return None


def run(args: argparse.Namespace) -> int:
    found = _database(args.db)
    if found is None:
        return 2
    db_path, is_published = found
    try:
        out = write_report(db_path, args.out or report_path(), is_published)
    except (ReportError, duckdb.Error) as exc:
        logger.error("cannot write the KPI report from %s: %s", db_path, exc)
        return 1
    logger.info("KPI report written to %s (from %s)", out, db_path)
    return 0
