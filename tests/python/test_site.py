"""The static site (`mvoi site`) in headless Chromium, driven by Playwright for Python through
Debian's chromium (`executable_path`; Playwright's own browser download is not used).

The site is built from a real publication of the bundled sample: the session's `dbt build`
(`sample_build` in conftest.py), `mvoi.publish.publish`, then the `mvoi site` command in a
subprocess. The network is blocked: any request that is not for a file of the site (file://
or the local static server) fails the test. Screenshots of the home page, an organisation
page, a product card and a sector card at 1400 px and 400 px go to warehouse/screenshots/.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from browser import PROJECT_DIR, SCREENSHOT_DIR, assert_not_blank, parse_dom, require_chromium, serve_directory

from mvoi.paths import connect_build
from mvoi.publish import publish
from mvoi.report.sections import SCOPE_LABELS
from mvoi.site import links
from mvoi.site.model import FILTER_ROWS

sync_api = pytest.importorskip("playwright.sync_api")

MIN_RECORDS = 5  # docs/site.md: fewer records than this are greyed, with "(n=...)"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
RIJKSWATERSTAAT = "00000001573167734000"


def expected_text(value: float | None, unit: str, bounds: str, record_count: int) -> str:
    """A KPI value as the site must show it, written out independently of mvoi.site: Dutch
    separators, decimals per unit, `n.v.t.` for a net share outside 0-100, `(n=..)` when few."""
    if value is None:
        return "–"
    if bounds == "net" and unit == "%" and not 0 <= value <= 100:
        text = "n.v.t."
    else:
        decimals = {"%": 1, "t CO2e": 1, "FTE": 1, "kg CO2e/EUR": 3, "EUR": 0}[unit]
        number = f"{value:,.{decimals}f}"
        if re.fullmatch(r"-0(\.0*)?", number):
            number = number[1:]
        number = number.replace(",", "_").replace(".", ",").replace("_", ".")
        text = f"€ {number}" if unit == "EUR" else f"{number} {unit}"
    return f"{text} (n={record_count})" if record_count < MIN_RECORDS else text


# --------------------------------------------------------------------------------------
# fixtures: publication -> site -> browser


@pytest.fixture(scope="module")
def published_db(sample_build, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site_published")
    published = folder / "mvoi_published.duckdb"
    publish("test-site-run", build_db=sample_build.db_path, published=published, export_dir=folder / "export")
    return published


@pytest.fixture(scope="module")
def site(published_db) -> Path:
    return build_site(published_db)


def build_site(published_db: Path) -> Path:
    out = published_db.parent / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mvoi", "site", "--db", str(published_db), "--out", str(out)],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (out / "index.html").exists()
    return out


@pytest.fixture(scope="module")
def browser():
    binary = require_chromium()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=binary, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


class Visit:
    """A browser context of a given width that blocks (and records) every request that is
    not for the site itself, and records console errors and page errors."""

    def __init__(self, browser, width: int, allowed_prefix: str):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.external: list[str] = []
        self.errors: list[str] = []
        self.allowed_prefix = allowed_prefix
        self.page = None
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.allowed_prefix):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def open(self, url: str):
        """`url` in the context's one tab (a new tab per page costs seconds each)."""
        if self.page is None:
            page = self.page = self.context.new_page()
            page.on("console", lambda m: self.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        self.page.goto(url, wait_until="load")
        return self.page

    def close(self) -> None:
        self.context.close()


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with connect_build(db, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


# --------------------------------------------------------------------------------------
# every page: no console error, no external request, no horizontal scroll at 400 px


def check_pages(browser, site: Path, pages: list[Path]) -> None:
    """Each page at 400 px: no console or page error, no request outside the site, no
    horizontal scroll, every Plotly chart drawn."""
    visit = Visit(browser, 400, site.as_uri())
    too_wide, charts_missing = [], []
    try:
        for path in pages:
            page = visit.open(path.as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 400:
                too_wide.append((path.relative_to(site).as_posix(), width))
            specs = page.locator("script.chart-spec").count()
            drawn = page.locator(".plot .main-svg").count()
            if specs and not drawn:
                charts_missing.append(path.relative_to(site).as_posix())
    finally:
        visit.close()
    assert visit.errors == []
    assert visit.external == []
    assert too_wide == [], f"pages wider than 400 px: {too_wide}"
    assert charts_missing == [], f"pages whose Plotly charts did not draw: {charts_missing}"


def test_every_page_loads_offline_without_errors_and_fits_400_px(site, browser):
    pages = html_pages(site)
    assert len(pages) > 60, f"expected a page per KPI, organisation, product group and sector: {len(pages)}"
    check_pages(browser, site, pages)


TABLES_TOO_WIDE = """() => Array.from(document.querySelectorAll("table"))
    .filter(t => t.scrollWidth > t.parentElement.clientWidth)
    .map(t => [t.dataset.table, t.scrollWidth, t.parentElement.clientWidth])"""


def check_tables_fit(browser, site: Path, pages: list[Path]) -> None:
    """At 1400 px every table shows all its columns: none is wider than the box that holds it
    (at 400 px a table may scroll inside its own box)."""
    visit = Visit(browser, 1400, site.as_uri())
    too_wide = []
    try:
        for path in pages:
            found = visit.open(path.as_uri()).evaluate(TABLES_TOO_WIDE)
            too_wide += [(path.relative_to(site).as_posix(), *t) for t in found]
    finally:
        visit.close()
    assert visit.errors == []
    assert too_wide == [], f"tables wider than their box at 1400 px: {too_wide}"


def wide_pages(site: Path, organisation_id: str) -> list[Path]:
    """The home, list and quality pages, three KPI pages, an organisation page and every
    product and sector card."""
    names = ["index.html", "organisaties.html", "producten.html", "sectoren.html", "kwaliteit.html",
             "kpi/gen-01.html", "kpi/kli-02.html", "kpi/isv-03.html", links.organisation(organisation_id)]
    return [site / n for n in names] + sorted((site / "product").glob("*.html")) + sorted((site / "sector").glob("*.html"))


def test_every_table_fits_at_1400_px(site, browser):
    pages = wide_pages(site, RIJKSWATERSTAAT)
    assert (site / SHOTS["product_card"]) in pages and (site / SHOTS["sector_card"]) in pages
    check_tables_fit(browser, site, pages)


def test_pages_work_from_a_static_web_server(site, browser):
    with serve_directory(site) as base:
        visit = Visit(browser, 1400, base)
        try:
            for name in ("index.html", "kpi/gen-01.html", f"organisatie/{RIJKSWATERSTAAT}.html", "producten.html",
                         "downloads.html"):
                page = visit.open(f"{base}/{name}")
                assert page.locator("h1").count() == 1
        finally:
            visit.close()
    assert visit.errors == [] and visit.external == []


def test_plotly_is_written_once_and_never_loaded_from_a_cdn(site):
    assert len(list(site.rglob("plotly*.js"))) == 1
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    for path in html_pages(site):
        text = path.read_text(encoding="utf-8")
        assert "cdn." not in text and "https://" not in text and "http://" not in text, path


# --------------------------------------------------------------------------------------
# the numbers equal fct_kpi_values


def _shown_values(page) -> dict[tuple[str, str, str], str]:
    cells = page.locator("td[data-kpi]")
    return {
        (c["kpi"], c["scope"], c["year"]): c["text"]
        for c in cells.evaluate_all(
            "cells => cells.map(c => ({kpi: c.dataset.kpi, scope: c.dataset.scope, year: c.dataset.year,"
            " text: c.textContent.trim()}))"
        )
    }


def _expected(published_db: Path, where: str, params: list) -> dict[tuple[str, str, str], str]:
    found = query(published_db, f"""
        select v.kpi_code, v.scope_id, v.year::varchar, v.value, v.unit, k.bounds, v.record_count
        from marts.fct_kpi_values as v join marts.dim_kpis as k using (kpi_code) where {where}""", params)
    return {(c, s, y): expected_text(value, unit, bounds, n) for c, s, y, value, unit, bounds, n in found}


def check_kpi_page(browser, site: Path, published_db: Path, code: str) -> None:
    """Every KPI value on the page of `code` (NL, layers, the organisations of the latest
    year) is the fct_kpi_values row it is tagged with, formatted; none is left out."""
    visit = Visit(browser, 1400, site.as_uri())
    try:
        shown = _shown_values(visit.open((site / "kpi" / f"{code.lower()}.html").as_uri()))
    finally:
        visit.close()
    layers = _expected(published_db, "kpi_code = ? and scope_level <> 'organisation'", [code])
    latest = query(published_db, "select max(year) from marts.fct_kpi_values where kpi_code = ? "
                   "and scope_level = 'organisation'", [code])[0][0]
    orgs = _expected(published_db, "kpi_code = ? and scope_level = 'organisation' and year = ?", [code, latest])
    assert layers, code
    assert shown == {**layers, **orgs}, code
    assert visit.errors == []


def check_organisation_page(browser, site: Path, published_db: Path, organisation_id: str) -> None:
    """The organisation's 24 KPI rows show its latest value of each KPI from fct_kpi_values."""
    visit = Visit(browser, 1400, site.as_uri())
    try:
        page = visit.open((site / links.organisation(organisation_id)).as_uri())
        shown = _shown_values(page)
        rows = page.locator("table[data-table$='-kpis'] tbody tr").count()
    finally:
        visit.close()
    expected = _expected(published_db, """scope_level = 'organisation' and scope_id = ? and year = (
        select max(year) from marts.fct_kpi_values as w where w.kpi_code = v.kpi_code
        and w.scope_level = 'organisation' and w.scope_id = v.scope_id)""", [organisation_id])
    assert expected and shown == expected
    assert rows == query(published_db, "select count(*) from marts.dim_kpis")[0][0] == 24
    assert visit.errors == []


@pytest.mark.parametrize("code", ["GEN-01", "KLI-02", "ISV-03", "SRO-04"])
def test_kpi_page_numbers_equal_fct_kpi_values(site, browser, published_db, code):
    check_kpi_page(browser, site, published_db, code)


def test_organisation_page_numbers_equal_fct_kpi_values(site, browser, published_db):
    check_organisation_page(browser, site, published_db, RIJKSWATERSTAAT)


def test_organisation_page_median_of_its_layer(site, browser, published_db):
    """The layer median shown for GEN-01 equals the median over the organisations of the layer."""
    (year,) = query(published_db, "select max(year) from marts.fct_kpi_values where kpi_code = 'GEN-01' "
                    "and scope_level = 'organisation' and scope_id = ?", [RIJKSWATERSTAAT])[0]
    (median,) = query(published_db, """
        select median(v.value) from marts.fct_kpi_values as v
        join marts.dim_organisations as o on o.organisation_id = v.scope_id
        where v.kpi_code = 'GEN-01' and v.scope_level = 'organisation' and v.year = ? and v.value is not null
          and o.government_layer = (select government_layer from marts.dim_organisations where organisation_id = ?)
        """, [year, RIJKSWATERSTAAT])[0]
    visit = Visit(browser, 1400, site.as_uri())
    try:
        page = visit.open((site / "organisatie" / f"{RIJKSWATERSTAAT}.html").as_uri())
        row = page.locator("table[data-table$='-kpis'] tbody tr", has_text="GEN-01")
        cells = row.locator("td").all_inner_texts()
    finally:
        visit.close()
    assert cells[3] == expected_text(median, "%", "strict", MIN_RECORDS)


# --------------------------------------------------------------------------------------
# deliveries: completeness (home, data quality) and an organisation's deliveries and rejections


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _cells(path: Path, attribute: str) -> list[tuple[dict[str, str], str]]:
    """(attributes, text) of the page's cells that carry `attribute` (the pages are static HTML)."""
    return [(a, text) for tag, a, text in parse_dom(path.read_text(encoding="utf-8")).texts
            if tag == "td" and attribute in a]


def check_completeness(site: Path, published_db: Path) -> None:
    """The home page shows mart_delivery_completeness of one year (the latest KPI year, when the
    mart has it) for every scope; the data-quality page every scope and year."""
    found = query(published_db, "select scope_id, year, organisations_expected, organisations_delivered, "
                  "share_delivered from marts.mart_delivery_completeness")
    assert found
    years = {y for _, y, *_ in found}
    (kpi_year,) = query(published_db, "select max(year) from marts.fct_kpi_values")[0]
    year = kpi_year if kpi_year in years else max(years)

    def texts(e: int, d: int, share: float) -> dict[str, str]:
        pct = expected_text(share, "%", "strict", MIN_RECORDS)
        return {"expected": _count(e), "delivered": _count(d), "share": pct,
                "delivered_of_expected": f"{_count(d)} / {_count(e)} ({pct})"}

    home = {(a["data-completeness-scope"], int(a["data-completeness-year"]), a["data-measure"]): text
            for a, text in _cells(site / "index.html", "data-completeness-year")}
    assert home == {(s, y, m): t for s, y, e, d, share in found if y == year
                    for m, t in texts(e, d, share).items() if m != "delivered_of_expected"}
    quality = {(a["data-completeness-scope"], int(a["data-completeness-year"])): text
               for a, text in _cells(site / "kwaliteit.html", "data-completeness-year")}
    assert quality == {(s, y): texts(e, d, share)["delivered_of_expected"] for s, y, e, d, share in found}
    assert 'href="kwaliteit.html#volledigheid"' in (site / "index.html").read_text(encoding="utf-8")


def check_organisation_deliveries(site: Path, published_db: Path, organisation_id: str) -> list[tuple]:
    """The organisation's deliveries and its rejected rows per delivery, entity and reason equal
    mart_organisation_deliveries; the page tells how to get the feedback file. Returns the
    deliveries (id, status, is_current, superseded_by)."""
    page = site / links.organisation(organisation_id)
    rejected = query(published_db, """
        select delivery_id, entity, reason_code, rejected_rows from marts.mart_organisation_deliveries
        where organisation_id = ? and reason_code is not null""", [organisation_id])
    deliveries = query(published_db, """
        select delivery_id, any_value(status), any_value(is_current), any_value(superseded_by),
               sum(rejected_rows)::bigint, any_value(delivery_sequence)
        from marts.mart_organisation_deliveries where organisation_id = ? group by delivery_id
        order by any_value(delivery_sequence) desc""", [organisation_id])
    assert deliveries, organisation_id
    shown = {(a["data-rejected-delivery"], a["data-rejected-entity"], a["data-rejected-reason"]): text
             for a, text in _cells(page, "data-rejected-reason")}
    assert shown == {(d, e, r): _count(n) for d, e, r, n in rejected}
    per_delivery = [(a["data-delivery-rejected"], text) for a, text in _cells(page, "data-delivery-rejected")]
    assert per_delivery == [(d, _count(n)) for d, _, _, _, n, _ in deliveries]
    text = page.read_text(encoding="utf-8")
    assert "mvoi feedback &lt;delivery_id&gt; --out DIR" in text
    current = [d for d, status, is_current, *_ in deliveries if is_current]
    if current:
        assert f"mvoi feedback {current[0]} --out terugkoppeling/" in text
    return [d[:4] for d in deliveries]


def test_completeness_equals_the_publication(site, published_db):
    check_completeness(site, published_db)


def test_organisation_page_rejected_counts_equal_the_publication(site, published_db):
    deliveries = check_organisation_deliveries(site, published_db, RIJKSWATERSTAAT)
    assert deliveries == [("landing_folder", "accepted", True, None)]  # the sample: one landing folder
    (rejected,) = query(published_db, "select sum(rejected_rows) from marts.mart_organisation_deliveries "
                        "where organisation_id = ?", [RIJKSWATERSTAAT])[0]
    assert rejected > 0, "the sample's faults include rows of Rijkswaterstaat"


def test_a_publication_without_the_delivery_marts(published_db, tmp_path):
    """A publication made before the landing store: no completeness sections, and the
    organisation pages keep the note that rejections are counted nationally."""
    import shutil

    from mvoi.site import write_site

    db = tmp_path / "mvoi_published.duckdb"
    shutil.copyfile(published_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("drop table marts.mart_delivery_completeness")
        con.execute("drop table marts.mart_organisation_deliveries")
    out = write_site(db, tmp_path / "site").out_dir
    assert "data-completeness-year" not in (out / "index.html").read_text(encoding="utf-8")
    assert 'id="volledigheid"' not in (out / "kwaliteit.html").read_text(encoding="utf-8")
    page = (out / links.organisation(RIJKSWATERSTAAT)).read_text(encoding="utf-8")
    assert "alleen landelijk geteld" in page and "mvoi feedback" not in page


# --------------------------------------------------------------------------------------
# search, downloads, personal data


def test_search_finds_an_organisation(site, browser):
    visit = Visit(browser, 400, site.as_uri())
    try:
        page = visit.open((site / "organisaties.html").as_uri())
        rows = page.locator("table[data-table='organisaties'] tbody tr")
        total = rows.count()
        page.fill("#filter-organisaties", "rijkswater")
        visible = [r.inner_text() for r in rows.all() if r.is_visible()]
        assert len(visible) == 1 and "Rijkswaterstaat" in visible[0]
        page.fill("#filter-organisaties", "gemeente")
        assert 1 < sum(r.is_visible() for r in rows.all()) < total
        page.fill("#filter-organisaties", "")
        assert sum(r.is_visible() for r in rows.all()) == total
        page.locator("table[data-table='organisaties'] a", has_text="Rijkswaterstaat").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Rijkswaterstaat"
    finally:
        visit.close()
    assert visit.errors == []


VISIBLE_NAMES = "rows => rows.filter(r => !r.hidden).map(r => r.querySelector('a').textContent.trim())"


def _shown_names(page, key: str) -> list[str]:
    """The linked names of the rows of table `key` that its filters leave visible, sorted."""
    return sorted(page.locator(f"#tabel-{key} tbody tr").evaluate_all(VISIBLE_NAMES))


def _words_match(text: str, typed: str) -> bool:
    return all(word in text.lower() for word in typed.lower().split())


def check_filters(browser, site: Path, db: Path, code: str) -> None:
    """Choosing a layer or typing words hides the rows that do not match and keeps those that
    do: the KPI page's organisation ranking (layer), the organisation list (layer and text) and
    the product groups ranked (text); the expected rows come from the publication."""
    ranked = query(db, """
        select o.name, o.government_layer from marts.fct_kpi_values as v
        join marts.dim_organisations as o on o.organisation_id = v.scope_id
        where v.kpi_code = ? and v.scope_level = 'organisation' and v.year = (select max(year)
            from marts.fct_kpi_values where kpi_code = ? and scope_level = 'organisation')""", [code, code])
    organisations = query(db, "select name, government_layer, coalesce(parent_organisation_name, '') "
                          "from marts.dim_organisations")
    groups = [name for (name,) in query(db, """select distinct g.name_nl from marts.mart_product_cards as c
        join marts.dim_product_groups as g using (product_group_id)""")]
    assert len(groups) > FILTER_ROWS, "the product groups ranked are a long table"
    visit = Visit(browser, 1400, site.as_uri())
    try:
        page = visit.open((site / links.kpi(code)).as_uri())
        key = f"{code.lower()}-organisaties"
        for layer in {layer for _, layer in ranked}:
            page.select_option(f"#laag-{key}", layer)
            assert _shown_names(page, key) == sorted(n for n, lay in ranked if lay == layer), layer
        page.select_option(f"#laag-{key}", "")
        assert _shown_names(page, key) == sorted(n for n, _ in ranked)

        page = visit.open((site / links.ORGANISATIONS).as_uri())
        layer = max(SCOPE_LABELS, key=lambda lay: sum(o[1] == lay for o in organisations))
        typed = min(n for n, lay, _ in organisations if lay == layer).split()[-1]
        page.select_option("#laag-organisaties", layer)
        page.fill("#filter-organisaties", typed)
        assert _shown_names(page, "organisaties") == sorted(
            n for n, lay, parent in organisations
            if lay == layer and _words_match(f"{n} {SCOPE_LABELS[lay]} {parent}", typed))
        page.select_option("#laag-organisaties", "")
        page.fill("#filter-organisaties", "")
        assert _shown_names(page, "organisaties") == sorted(n for n, _, _ in organisations)

        page = visit.open((site / links.PRODUCTS).as_uri())
        for typed in ("bouw", "VOEDING en", "xyz-niets"):
            page.fill("#filter-productgroepen", typed)
            assert _shown_names(page, "productgroepen") == sorted(g for g in groups if _words_match(g, typed)), typed
    finally:
        visit.close()
    assert visit.errors == []


def test_filters_hide_the_rows_that_do_not_match(site, browser, published_db):
    check_filters(browser, site, published_db, "GEN-01")


def _english(path: Path) -> list[tuple[str, dict[str, str], str]]:
    return [(tag, a, text) for tag, a, text in parse_dom(path.read_text(encoding="utf-8")).texts
            if a.get("lang") == "en"]


STRAY_ENGLISH = re.compile(r"\b(English|Scope|Numerator|Denominator|Value|Year|Target|Organisation|Search)\b")


def test_english_kpi_names_next_to_the_dutch_ones(site, published_db):
    """Every KPI page shows the register's English name under its Dutch title (lang="en"); the
    KPI tables of the home and organisation pages show it under each Dutch name; the labels
    (headings, column heads, terms) are Dutch."""
    register = dict(query(published_db, "select kpi_code, name_en from marts.dim_kpis"))
    assert len(register) == 24 and all(register.values())
    for code, name_en in register.items():
        shown = [text for tag, a, text in _english(site / links.kpi(code)) if "title-en" in a.get("class", "")]
        assert shown == [name_en], code
    home = {text for tag, a, text in _english(site / "index.html") if tag == "span"}
    assert set(register.values()) <= home
    organisation = [text for tag, _, text in _english(site / links.organisation(RIJKSWATERSTAAT)) if tag == "span"]
    assert sorted(organisation) == sorted(register.values())
    for path in html_pages(site):
        labels = [text for tag, a, text in parse_dom(path.read_text(encoding="utf-8")).texts
                  if tag in ("h1", "h2", "h3", "th", "dt", "caption", "label") and a.get("lang") != "en"]
        assert not [t for t in labels if STRAY_ENGLISH.search(t)], path


def test_a_later_refused_build_on_the_home_and_quality_pages(site, published_db, tmp_path):
    """The data-quality page shows the build and a later build that did not publish, with
    all its reasons; the home and quality pages warn about it. Without one, it says so."""
    import datetime as dt
    import json
    import shutil

    from mvoi.site import write_site

    assert "Geen latere build die niet is gepubliceerd" in (site / links.QUALITY).read_text(encoding="utf-8")
    db = tmp_path / "mvoi_published.duckdb"
    shutil.copyfile(published_db, db)
    finished = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(microsecond=0)
    reasons = ["gate <b>rejected_share</b> failed", "test not_null failed", "drie", "vier"]
    (tmp_path / "build_status.json").write_text(json.dumps(
        {"outcome": "refused", "run_id": "later", "finished_at": finished.isoformat(), "reasons": reasons}))
    out = write_site(db, tmp_path / "site").out_dir
    when = finished.strftime("%Y-%m-%d %H:%M UTC")
    for name in (links.HOME, links.QUALITY):
        banner = [text for tag, a, text in parse_dom((out / name).read_text(encoding="utf-8")).texts
                  if tag == "p" and a.get("class") == "banner"]
        assert banner == [f"Een latere build ({when}) is niet gepubliceerd (geweigerd): "
                          f"{'; '.join(reasons[:3])}. Deze site toont de laatste publicatie."], name
    quality = (out / links.QUALITY).read_text(encoding="utf-8")
    assert 'id="latere-build"' in quality and "<b>rejected_share" not in quality
    texts = [text for tag, _, text in parse_dom(quality).texts if tag in ("p", "dd")]
    assert [f"Reden: {r}" for r in reasons] == [t for t in texts if t.startswith("Reden: ")]
    assert when in texts and "niet gepubliceerd (geweigerd)" in texts
    assert "test-site-run" in texts, "the build of the publication itself"


def test_every_table_has_its_csv_and_the_downloads_page_lists_them(site):
    csv_files = {p.relative_to(site).as_posix() for p in (site / "data").glob("*.csv")}
    linked = set()
    for path in html_pages(site):
        text = path.read_text(encoding="utf-8")
        tables = text.count("<table ")
        links = re.findall(r'class="csv" href="(?:\.\./)*(data/[^"]+\.csv)"', text)
        assert len(links) == tables, path
        linked |= set(links)
    assert linked == csv_files
    downloads = (site / "downloads.html").read_text(encoding="utf-8")
    assert all(f'href="{name}"' in downloads for name in csv_files)
    assert 'href="../export/fct_kpi_values.parquet"' in downloads


def test_no_personal_data_in_the_site(site):
    for path in site.rglob("*"):
        if path.suffix in (".html", ".csv"):
            assert not EMAIL.search(path.read_text(encoding="utf-8")), path


# --------------------------------------------------------------------------------------
# screenshots


SHOTS = {
    "home": "index.html",
    "organisation": f"organisatie/{RIJKSWATERSTAAT}.html",
    "product_card": "product/kantoorgebouwen_nieuwbouw.html",
    "sector_card": "sector/bouw_en_infra.html",
}


def test_screenshots_at_1400_and_400_px(site, browser):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for width in (1400, 400):
        visit = Visit(browser, width, site.as_uri())
        try:
            for name, path in SHOTS.items():
                assert (site / path).exists(), path
                page = visit.open((site / path).as_uri())
                page.wait_for_timeout(300)
                out = SCREENSHOT_DIR / f"site_{name}_{width}.png"
                page.screenshot(path=str(out), full_page=True)
                assert_not_blank(out, min_width=width)
        finally:
            visit.close()
        assert visit.errors == []


# --------------------------------------------------------------------------------------
# a generated delivery (with faults) in a landing store: other organisations, the same checks


CORRECTED_YEAR = 2024


@pytest.fixture(scope="module")
def generated_publication(tmp_path_factory) -> Path:
    """A generated delivery (2 % faults) split per organisation and delivered into a landing
    store: one complete delivery per organisation; for the first organisation also two
    corrections of CORRECTED_YEAR (the second supersedes the first) and a refused delivery."""
    from conftest import DbtWorkspace

    from mvoi.deliveries import receive
    from mvoi.generator.core import Config, generate
    from mvoi.generator.split import correction_delivery, split_per_organisation

    root = tmp_path_factory.mktemp("site_generated")
    generate(Config(out=root / "combined", invoice_lines=4_000, seed=14, fault_rate=0.02, quiet=True))
    folders = split_per_organisation(root / "combined", root / "split")
    store = root / "store"
    for oin in sorted(folders):
        assert receive(folders[oin], oin, None, store=store)["status"] == "accepted"
    first = sorted(folders)[0]
    for factor in (1.1, 1.2):
        correction = correction_delivery(folders[first], root / f"correction-{factor}", CORRECTED_YEAR, factor)
        assert receive(correction, first, CORRECTED_YEAR, store=store)["status"] == "accepted"
    (root / "empty").mkdir()
    assert receive(root / "empty", first, None, store=store)["status"] == "refused"
    workspace = DbtWorkspace(root)
    result = workspace.dbt("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
                           MVOI_LANDING_STORE=str(store))
    assert result.returncode == 0, result.stdout[-4000:]
    published = root / "mvoi_published.duckdb"
    publish("test-site-generated", build_db=workspace.db_path, published=published, export_dir=root / "export")
    return published


def test_site_of_a_generated_delivery(generated_publication, browser):
    site = build_site(generated_publication)
    # deliveries: every rejected row belongs to its delivering organisation, so the organisation
    # counts add up to the national counts of the publication
    assert query(generated_publication, """
        select entity, reason_code, sum(rejected_rows)::bigint from marts.mart_organisation_deliveries
        where reason_code is not null group by all order by all""") == query(generated_publication, """
        select entity, reason_code, row_count from governance.rejected_row_counts order by all""")
    (corrected,) = query(generated_publication, "select organisation_id from marts.mart_organisation_deliveries "
                         "where superseded_by is not null")[0]
    deliveries = check_organisation_deliveries(site, generated_publication, corrected)
    # the refused delivery is not published (it changes nothing published: issue 11)
    assert [(status, is_current, superseded_by is not None) for _, status, is_current, superseded_by in deliveries] == [
        ("accepted", True, False), ("accepted", False, True), ("accepted", True, False)]
    page = (site / links.organisation(corrected)).read_text(encoding="utf-8")
    assert f"vervangen door {deliveries[0][0]}" in page and "geweigerd" not in page
    check_completeness(site, generated_publication)
    (busiest,) = query(generated_publication, """
        select scope_id from marts.fct_kpi_values where scope_level = 'organisation'
        group by scope_id order by count(*) desc, scope_id limit 1""")[0]
    pages = [site / name for name in ("index.html", "organisaties.html", "producten.html", "sectoren.html",
                                      "kwaliteit.html", "downloads.html", "kpi/gen-01.html", "kpi/kli-02.html",
                                      links.organisation(busiest), links.organisation(corrected))]
    pages += sorted((site / "product").glob("*.html"))[:3] + sorted((site / "sector").glob("*.html"))[:3]
    check_pages(browser, site, pages)
    check_tables_fit(browser, site, wide_pages(site, busiest))
    check_filters(browser, site, generated_publication, "GEN-01")
    check_kpi_page(browser, site, generated_publication, "GEN-01")
    check_organisation_page(browser, site, generated_publication, busiest)
