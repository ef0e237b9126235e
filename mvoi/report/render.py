"""Rendering: the sections into the Jinja template (autoescaped: delivered values may hold
markup), and the atomic write of the HTML file."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from mvoi import build_status
from mvoi.paths import connect_build
from mvoi.report import queries, sections

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_NAME = "kpi_report.html.j2"


class ReportError(RuntimeError):
    """The database is not an MVOI warehouse: the report cannot be made from it."""


def _context(con: duckdb.DuckDBPyConnection, db_path: Path, is_published: bool, top_n: int,
             status: dict | None) -> dict[str, Any]:
    """Everything the template shows, read from the open database."""
    missing = queries.missing_tables(con)
    if missing:
        raise ReportError(f"{db_path} has no {', '.join(missing)}: is it a (published) MVOI warehouse?")
    provenance = sections.provenance(con, db_path, is_published)
    return {
        "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "sections": sections.kpi_sections(con),
        "completeness": sections.completeness(con),
        "sources": sections.source_comparison(con),
        "products": sections.product_groups(con, top_n),
        "quality": sections.quality(con),
        "provenance": provenance,
        "kpi_table": queries.FCT_KPI_VALUES,
        "refused_build": sections.refused_build(status, provenance["published_at"]),
        "publication_labels": sections.PUBLICATION_FIELD_LABELS,
    }


def _environment(template_dir: Path = TEMPLATE_DIR) -> jinja2.Environment:
    """Jinja with autoescape on (delivered values may hold markup) and strict undefined names;
    the site (mvoi.site.render) uses it with its own template folder."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def build_report(db_path: Path, is_published: bool = True, top_n: int = 10,
                 status: dict | None = None) -> str:
    """The report's HTML, from the database at `db_path` (opened read-only); `status` is the
    last build's outcome (mvoi.build_status), shown as a banner when that build was refused."""
    con = connect_build(db_path, read_only=True)
    try:
        context = _context(con, db_path, is_published, top_n, status)
    finally:
        con.close()
    return _environment().get_template(TEMPLATE_NAME).render(**context)


def write_report(db_path: Path, out: Path, is_published: bool = True) -> Path:
    """Write the report to `out` atomically (a reader never sees half a file), readable by all
    whom the umask allows: the report is meant to be shared."""
    text = build_report(db_path, is_published, status=build_status.read(db_path) if is_published else None)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".kpi_report.", suffix=".html", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
