"""Writing the site: the pages through the Jinja templates (autoescape on), every table as a
CSV download (mvoi.csv_export), the assets (CSS, JS, plotly.min.js once) - into a fresh
folder that replaces the previous site in one rename."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from plotly.offline import get_plotlyjs

from mvoi.csv_export import write_csv
from mvoi.paths import dbt_target_dir, export_dir, gx_uncommitted_dir
from mvoi.report import render as report_render
from mvoi.site import card_pages, home, kpi_pages, links, org_pages
from mvoi.site.data import SiteData, load
from mvoi.site.formatting import MIN_RECORDS
from mvoi.site.model import Page

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "site"
ASSET_DIR = Path(__file__).resolve().parent / "assets"


@dataclass
class SiteResult:
    out_dir: Path
    pages: int
    csv_files: int


def environment():
    return report_render._environment(TEMPLATE_DIR)


def all_pages(data: SiteData) -> list[Page]:
    return [home.home(data), *kpi_pages.pages(data), *org_pages.pages(data), *card_pages.pages(data),
            home.quality(data)]


def _write_csvs(pages: list[Page], out: Path) -> int:
    folder = out / "data"
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for page in pages:
        for table in page.tables():
            name = f"{table.key}.csv"
            write_csv(folder / name, table.csv_columns, table.raw)
            table.csv_href = f"data/{name}"
            count += 1
    return count


def _parquet_links(db_path: Path, site_dir: Path) -> list[tuple[str, str]]:
    folder = export_dir(db_path)
    if not folder.is_dir():
        return []
    base = _relative(folder, site_dir)
    return [(f"{base}/{f.name}", f.name) for f in sorted(folder.glob("*.parquet"))]


def _relative(target: Path, site_dir: Path) -> str:
    return os.path.relpath(target, site_dir).replace(os.sep, "/")


def _doc_links(site_dir: Path) -> list[tuple[str, str]]:
    """The dbt docs (static, one file) and the GX Data Docs of this warehouse, when built."""
    found = [(dbt_target_dir() / "static_index.html", "dbt docs: modellen, definities en lineage"),
             (gx_uncommitted_dir() / "data_docs" / "local_site" / "index.html", "Great Expectations Data Docs")]
    return [(_relative(path, site_dir), label) for path, label in found if path.exists()]


def _write_assets(out: Path) -> None:
    assets = out / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    for name in ("site.css", "site.js"):
        shutil.copyfile(ASSET_DIR / name, assets / name)


def write_site(db_path: Path, out: Path) -> SiteResult:
    """Build the site from the publication at `db_path` into `out` (replaced as a whole)."""
    data = load(db_path)
    pages = all_pages(data)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        csv_count = _write_csvs(pages, tmp)
        pages.append(home.downloads(pages, _parquet_links(db_path, out)))
        docs = _doc_links(out)
        quality = next(p for p in pages if p.path == links.QUALITY)
        quality.section("Documentatie").add("links", docs) if docs else quality.section("Documentatie").text(
            "De dbt docs en de GX Data Docs van deze warehouse zijn (nog) niet gemaakt.")
        _write_assets(tmp)
        env = environment()
        template = env.get_template("page.html.j2")
        context = {
            "menu": links.MENU, "generated_at": dt.datetime.now(dt.UTC).strftime("%d-%m-%Y %H:%M UTC"),
            "run_id": data.publication.get("run_id") or "–", "min_records": MIN_RECORDS,
        }
        for page in pages:
            target = tmp / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(template.render(page=page, **context), encoding="utf-8")
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if out.exists():
            os.rename(out, old)
        os.rename(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SiteResult(out, len(pages), csv_count)
