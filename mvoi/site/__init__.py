"""`mvoi site`: the static MVOI monitoring site, made from the publication alone.

Pages (docs/site.md): home (the themes at a glance, the delivery completeness), one page per
KPI, one per organisation (also its deliveries and rejected rows) and the organisation list
with a search box and a layer filter, product cards (one per MVI product group) and sector
cards with the opportunity measure, data quality and provenance (also a later build that did not
publish), downloads (every table as CSV, the Parquet export). Long tables get a text filter
(site.js). Dutch first, Dutch number formats; the register's English names under the Dutch
ones (lang="en"). The site works offline from
the file system and from any static web server: plotly.min.js is written once into
`assets/`, nothing loads from a CDN. It reads the published database read-only and holds no
personal data.

Modules: `data` (the queries), `formatting` (Dutch numbers), `opportunity` (the measure),
`model` (tables, charts, pages), `home`, `kpi_pages`, `org_pages`, `card_pages` (the pages),
`deliveries` (delivery completeness, an organisation's deliveries and rejected rows), `render`
(templates, CSV, assets, the atomic write).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import duckdb

from mvoi.paths import published_db_path, site_dir
from mvoi.site.data import SiteDataError
from mvoi.site.render import SiteResult, write_site

__all__ = ["SiteResult", "add_arguments", "run", "write_site"]

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="published database to read (default: MVOI_PUBLISHED_PATH)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder to write (default: MVOI_SITE_DIR, site/ in the warehouse folder); replaced whole")


def run(args: argparse.Namespace) -> int:
    db_path = args.db or published_db_path()
    if not db_path.exists():
        logger.error("published database %s not found: run `make build` first, or pass --db", db_path)
        return 2
    try:
        result = write_site(db_path, args.out or site_dir())
    except (SiteDataError, duckdb.Error) as exc:
        logger.error("cannot write the site from %s: %s", db_path, exc)
        return 1
    logger.info("site written to %s: %d pages, %d CSV files (open %s)", result.out_dir, result.pages,
                result.csv_files, result.out_dir / "index.html")
    return 0
