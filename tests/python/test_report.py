"""The KPI report (`mvoi report`): built from a real publication of the bundled sample, opened in
headless Chromium, and checked against the marts.

The published database comes from the real pipeline: the session's `dbt build` of the sample
(`sample_build` in conftest.py), then `mvoi.publish.publish` (the copy step of `mvoi publish`,
without the GX gates, which have tests of their own). The report is written by the `mvoi
report` command in a subprocess, loaded with `chromium --dump-dom` (the DOM after load, so
what a reader's browser renders) and screenshotted to `warehouse/screenshots/kpi_report.png`.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from browser import PROJECT_DIR, SCREENSHOT_DIR, assert_not_blank, dump_dom, parse_dom, screenshot, visible_text
from pipeline import copy_build_database

from mvoi import report
from mvoi.paths import connect_build

THEMES = ("algemeen", "milieu", "klimaat", "circulair", "isv", "diversiteit_inclusie", "social_return")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def expected_text(value: float | None, unit: str) -> str:
    """How the report must show a KPI value, written out independently of mvoi.report:
    % / t CO2e / FTE with 1 decimal, kg CO2e/EUR with 3, EUR as '€ ' with 0; ',' groups thousands."""
    if value is None:
        return "–"
    decimals = {"%": 1, "t CO2e": 1, "FTE": 1, "kg CO2e/EUR": 3, "EUR": 0}[unit]
    text = f"{value:,.{decimals}f}"
    if re.fullmatch(r"-0(\.0*)?", text):
        text = text[1:]
    return f"€ {text}" if unit == "EUR" else f"{text} {unit}"


# --------------------------------------------------------------------------------------
# fixtures: publication -> report -> DOM


def _publish(build_db: Path, published: Path) -> str:
    """Publish with the project's own publish step; a plain copy of the marts only when that
    module is not there (it is developed in parallel)."""
    try:
        from mvoi.publish import publish
    except ImportError:
        publish = None
    if publish is not None:
        publish("test-report-run", build_db=build_db, published=published, export_dir=published.parent / "export")
        return "mvoi.publish"
    with duckdb.connect(str(published)) as con:
        con.execute(f"attach '{build_db}' as build (read_only)")
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = 'build' "
            "and table_schema in ('marts', 'reference') and table_type = 'BASE TABLE'"
        ).fetchall():
            con.execute(f"create schema if not exists {schema}")
            con.execute(f'create table {schema}."{table}" as select * from build.{schema}."{table}"')
        con.execute("create schema governance")
        con.execute("create table governance.landing_reconciliation as select * from build.governance.landing_reconciliation")
    return "copy"


@pytest.fixture(scope="module")
def published_db(sample_build, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report_published")
    published = folder / "mvoi_published.duckdb"
    _publish(sample_build.db_path, published)
    assert published.exists()
    return published


@pytest.fixture(scope="module")
def report_file(published_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "kpi_report.html"
    result = subprocess.run(
        [sys.executable, "-m", "mvoi", "report", "--db", str(published_db), "--out", str(out)],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.exists() and out.stat().st_size > 10_000
    return out


@pytest.fixture(scope="module")
def report_dom(report_file) -> str:
    return dump_dom(report_file.as_uri(), virtual_time_ms=3000)


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of `sql` on `db`, through a read-only connection closed right after."""
    with connect_build(db, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _sections(dom: str) -> dict[str, str]:
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<section class="theme" id="theme-([^"]+)".*?</section>', dom, flags=re.S)
    }


# --------------------------------------------------------------------------------------
# charts


def test_every_theme_has_a_rendered_chart_per_kpi(report_dom, sample_build):
    with connect_build(sample_build.db_path, read_only=True) as con:
        kpis_per_theme = dict(
            con.execute(
                "select theme, count(distinct kpi_code) from marts.fct_kpi_values "
                "where scope_level = 'national' group by theme"
            ).fetchall()
        )
    sections = _sections(report_dom)
    assert set(sections) == set(THEMES), f"theme sections: {sorted(sections)}"
    for theme in THEMES:
        dom = parse_dom(sections[theme])
        charts = [a for tag, a in dom.elements if tag == "svg" and "line-chart" in a.get("class", "")]
        assert len(charts) == kpis_per_theme[theme], f"{theme}: {len(charts)} charts"
        paths = [a for tag, a in dom.elements if tag == "path" and "series" in a.get("class", "")]
        points = [a for tag, a in dom.elements if tag == "circle" and "point" in a.get("class", "")]
        assert len(paths) >= len(charts), f"{theme}: charts without lines"
        assert all(re.match(r"M[\d.]+ [\d.]+", p["d"]) for p in paths), f"{theme}: malformed path"
        # every national line is drawn
        assert sum(1 for p in paths if p.get("data-scope") == "NL") == len(charts)
        assert len(points) >= len(charts)
        # coordinates stay inside the chart
        width, height = max(float(c["width"]) for c in charts), max(float(c["height"]) for c in charts)
        for point in points:
            assert 0 <= float(point["cx"]) <= width and 0 <= float(point["cy"]) <= height, point


def test_target_lines_where_a_target_applies(report_dom, sample_build):
    with connect_build(sample_build.db_path, read_only=True) as con:
        with_target = {
            r[0] for r in con.execute(
                "select distinct kpi_code from marts.fct_kpi_values "
                "where scope_level in ('national', 'government_layer') and target_value is not null"
            ).fetchall()
        }
    assert with_target, "the sample has no KPI with a target at layer level"
    articles = {
        m.group(1): m.group(0)
        for m in re.finditer(r'<article class="kpi" id="kpi-([A-Z]+-\d+)".*?</article>', report_dom, re.S)
    }
    assert len(articles) == 24
    for code, text in articles.items():
        has_line = 'class="target"' in text
        assert has_line == (code in with_target), f"{code}: target line {has_line}, target in marts {code in with_target}"


def test_product_group_bar_charts(report_dom):
    dom = parse_dom(report_dom)
    for chart_id in ("chart-top-spend", "chart-top-emissions"):
        ids = [a.get("id") for tag, a in dom.elements if tag == "svg"]
        assert chart_id in ids
    bars = [a for tag, a in dom.elements if tag == "rect" and a.get("class") == "bar"]
    assert len(bars) >= 10
    assert any(float(b["width"]) > 100 for b in bars)


# --------------------------------------------------------------------------------------
# numbers


def test_kpi_numbers_equal_the_marts(report_dom, sample_build):
    """Every national and government-layer value in the report's tables equals
    marts.fct_kpi_values of the BUILD database (so the publication copied it faithfully too)."""
    with connect_build(sample_build.db_path, read_only=True) as con:
        rows = con.execute(
            "select kpi_code, scope_id, year, value, unit, meets_target from marts.fct_kpi_values "
            "where scope_level in ('national', 'government_layer')"
        ).fetchall()
        net_shares = {k for (k,) in con.execute("select kpi_code from marts.dim_kpis where bounds = 'net'").fetchall()}
        latest = con.execute(
            "select kpi_code, value, unit from marts.fct_kpi_values where scope_level = 'national' "
            "qualify year = max(year) over (partition by kpi_code)"
        ).fetchall()
    cells = {
        (a["data-kpi"], a["data-scope"], int(a["data-year"])): (a.get("class", ""), text)
        for tag, a, text in parse_dom(report_dom).texts
        if tag == "td" and "data-year" in a
    }
    assert len(rows) > 100
    for kpi_code, scope_id, year, value, unit, meets_target in rows:
        css, text = cells[(kpi_code, scope_id, year)]
        if kpi_code in net_shares and value is not None and not 0 <= value <= 100:
            assert text == "n.m.", (kpi_code, scope_id, year, value, text)  # not meaningful, see the docs
        else:
            assert text == expected_text(value, unit), (kpi_code, scope_id, year, value, text)
        if meets_target is True:
            assert "met" in css.split(), (kpi_code, scope_id, year)
        elif meets_target is False:
            assert "missed" in css.split(), (kpi_code, scope_id, year)
        else:
            assert not {"met", "missed"} & set(css.split()), (kpi_code, scope_id, year)
    # no cell in the report without a row in the marts
    present = {k for k, (css, _) in cells.items() if "value" in css.split()}
    assert present == {(k, s, y) for k, s, y, *_ in rows}
    # the headline value per KPI: national, latest year
    headline = {a["data-kpi"]: text for tag, a, text in parse_dom(report_dom).texts
                if tag == "dd" and "national-latest" in a.get("class", "")}
    for kpi_code, value, unit in latest:
        assert headline[kpi_code] == expected_text(value, unit)


def test_completeness_section_equals_the_mart(report_dom, published_db):
    """Every scope and year of mart_delivery_completeness in the publication is one cell of the
    completeness table: delivered / expected (share), and nothing else is."""
    expected = {
        (scope_id, year): f"{delivered:,} / {expected_n:,} ({expected_text(share, '%')})"
        for scope_id, year, expected_n, delivered, share in query(
            published_db, "select scope_id, year, organisations_expected, organisations_delivered, share_delivered "
            "from marts.mart_delivery_completeness")
    }
    assert expected, "the sample publication has completeness rows"
    block = re.search(r'<section id="completeness">.*?</section>', report_dom, re.S).group(0)
    shown = {(a["data-scope"], int(a["data-completeness-year"])): text
             for tag, a, text in parse_dom(block).texts if tag == "td" and "data-completeness-year" in a}
    assert shown == expected
    assert 'href="#completeness"' in report_dom  # in the table of contents


def test_organisations_reporting_equal_fct_kpi_values_v2(report_dom, published_db):
    """The Organisaties column of each KPI table (latest year) and every value's tooltip (its
    year) show organisations_reporting / organisations_expected of fct_kpi_values_v2."""
    # v2 may hold a row per source: the report's values (v1) are the self-reported ones
    by_source = query(published_db, "select count(*) from information_schema.columns where table_schema = 'marts' "
                      "and table_name = 'fct_kpi_values_v2' and column_name = 'source'")[0][0]
    rows = query(published_db, f"""
        select kpi_code, scope_id, year, organisations_reporting, organisations_expected,
               year = max(year) over (partition by kpi_code) as is_latest
        from marts.fct_kpi_values_v2 where scope_level in ('national', 'government_layer')
        {"and source = 'self_reported'" if by_source else ""}""")
    dom = parse_dom(report_dom)
    columns = {(a["data-kpi"], a["data-scope"]): (a["data-reporting"], a["data-expected"], text)
               for tag, a, text in dom.texts if tag == "td" and "reporting" in a.get("class", "").split()}
    titles = {(a["data-kpi"], a["data-scope"], int(a["data-year"])): a["title"]
              for tag, a in dom.elements if tag == "td" and "data-year" in a and "value" in a.get("class", "")}
    latest = [(k, s, r, e) for k, s, _, r, e, is_latest in rows if is_latest]
    assert len(rows) > 100 and latest
    for kpi_code, scope_id, year, reporting, expected, _ in rows:
        assert f"organisations reporting: {reporting:,} / {expected:,} expected" in titles[(kpi_code, scope_id, year)]
    assert columns == {(k, s): (str(r), str(e), f"{r:,} / {e:,}") for k, s, r, e in latest}


def test_a_publication_without_the_delivery_marts(published_db, tmp_path):
    """A publication made before the landing store (no mart_delivery_completeness, no
    fct_kpi_values v2): the report leaves the completeness section and column out."""
    db = tmp_path / "published.duckdb"
    shutil.copyfile(published_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("drop table marts.mart_delivery_completeness")
        con.execute("drop table marts.fct_kpi_values_v2")
    html_text = report.build_report(db)
    assert 'id="completeness"' not in html_text and 'class="reporting"' not in html_text
    assert "organisations reporting" not in html_text and len(_sections(html_text)) == len(THEMES)


def test_a_few_values_by_hand(report_dom, sample_build):
    """Spot checks read straight from the DOM text, as a reader sees them."""
    text = visible_text(report_dom)
    with connect_build(sample_build.db_path, read_only=True) as con:
        for code in ("GEN-01", "KLI-02", "ISV-03", "SRO-04"):
            year, value, unit = con.execute(
                "select year, value, unit from marts.fct_kpi_values where kpi_code = ? and scope_level = 'national' "
                "order by year desc limit 1", [code]
            ).fetchone()
            assert f"National {year} {expected_text(value, unit)}" in text, code


def test_top_product_groups_equal_the_cards(report_dom, published_db):
    top_spend = query(
        published_db,
        "select product_group_id, sum(spend_eur)::double as spend from marts.mart_product_cards "
        "group by 1 order by 2 desc, 1 limit 10",
    )
    top_emissions = query(
        published_db,
        "select product_group_id, sum(emissions_t_co2e) as t from marts.mart_product_cards "
        "group by 1 order by 2 desc, 1 limit 10",
    )
    for table_id, expected, unit in (("top-spend", top_spend, "EUR"), ("top-emissions", top_emissions, "t CO2e")):
        block = re.search(rf'<table class="product-table" id="{table_id}">.*?</table>', report_dom, re.S).group(0)
        rows = re.findall(r'<tr data-product-group="([^"]+)">(.*?)</tr>', block, re.S)
        assert [r[0] for r in rows] == [e[0] for e in expected]
        for (group_id, cells), (_, amount) in zip(rows, expected, strict=False):
            assert expected_text(amount, unit) in re.sub(r"<[^>]+>", "|", cells), group_id


def test_quality_and_provenance_sections(report_dom, published_db):
    text = visible_text(report_dom)
    [(run_id, published_at)] = query(published_db, "select run_id, published_at from meta.publication")
    assert run_id in text and str(published_at) in text
    for entity, raw_rows in query(published_db, "select entity, raw_rows from meta.publication_sources"):
        assert re.search(rf"<tr><th>{entity}</th><td>{raw_rows:,}</td>", report_dom), entity
    assert 'id="scorecard"' in report_dom
    [(scored_run,)] = query(published_db, "select distinct run_id from governance.dq_scorecard")
    assert f"for build {scored_run} at" in text


# --------------------------------------------------------------------------------------
# offline and no personal data


def test_self_contained_no_external_resources(report_file, report_dom):
    for label, text in (("file", report_file.read_text(encoding="utf-8")), ("dom", report_dom)):
        assert not re.search(r"""(src|href|xlink:href|action)\s*=\s*["']?\s*(https?:)?//""", text, re.I), label
        assert not re.search(r"<link\b|<script[^>]*\bsrc=|<iframe|<img\b|@import|url\(", text, re.I), label
        assert "http://" not in text and "https://" not in text, label


def test_no_personal_data(report_file, report_dom):
    html_text = report_file.read_text(encoding="utf-8")
    for label, text in (("file", html_text), ("dom", report_dom)):
        found = EMAIL.search(text)
        assert found is None, f"{label}: e-mail address in the report: {found.group(0)}"
    sample = PROJECT_DIR / "sample"
    with open(sample / "suppliers.csv", newline="", encoding="utf-8") as fh:
        emails = {r["contact_email"].strip() for r in csv.DictReader(fh) if (r.get("contact_email") or "").strip()}
    with open(sample / "invoice_lines.csv", newline="", encoding="utf-8") as fh:
        descriptions = {r["description"].strip() for r in csv.DictReader(fh) if len((r.get("description") or "").strip()) >= 12}
    assert emails, "the sample has supplier e-mails: the check must have something to find"
    for value in emails | descriptions:
        assert value not in html_text, f"personal data in the report: {value!r}"


# --------------------------------------------------------------------------------------
# screenshot


def test_screenshot_is_not_blank(report_file, tmp_path):
    shot = screenshot(report_file.as_uri(), tmp_path / "kpi_report.png", window_size=(1280, 1400),
                      virtual_time_ms=2000)
    stats = assert_not_blank(shot)
    assert (stats["width"], stats["height"]) == (1280, 1400)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT_DIR / "kpi_report.png")


# --------------------------------------------------------------------------------------
# without a browser: formatting, the build database, the scorecard


@pytest.mark.parametrize(
    "value, unit, text",
    [
        (45.26, "%", "45.3 %"),
        (100.0, "%", "100.0 %"),
        (1234.56, "t CO2e", "1,234.6 t CO2e"),
        (0.12345, "kg CO2e/EUR", "0.123 kg CO2e/EUR"),
        (1234567.5, "EUR", "€ 1,234,568"),
        (3.25, "FTE", "3.2 FTE"),  # binary 3.25 rounds half to even
        (-0.04, "%", "0.0 %"),
        (None, "%", "–"),
        (float("nan"), "EUR", "–"),
    ],
)
def test_format_value(value, unit, text):
    assert report.format_value(value, unit) == text
    if value is None or value == value:
        assert expected_text(value, unit) == text


def test_not_a_warehouse_is_refused_clearly(published_db, tmp_path):
    """The report reads the project's own tables by name: a database without them is refused
    with their names, not rendered half."""
    db = tmp_path / "not_a_warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(f"attach '{published_db}' as pub (read_only)")
        con.execute("create schema marts")
        con.execute("create table marts.fct_kpi_values as select * from pub.marts.fct_kpi_values")
    with pytest.raises(report.ReportError, match="dim_kpis.*landing_reconciliation"):
        report.build_report(db)


def test_build_database_has_no_publication_record(sample_build):
    """Made from the build database (no meta schema): the provenance comes from
    governance.landing_reconciliation and the report says it is not a publication."""
    html_text = report.build_report(sample_build.db_path, is_published=False)
    assert 'id="unpublished-banner"' in html_text and 'id="publication-missing"' in html_text
    assert len(_sections(html_text)) == len(THEMES)
    assert 'id="scorecard"' in html_text
    for entity, raw_rows, run_id in query(
        sample_build.db_path, "select entity, raw_rows, run_id from governance.landing_reconciliation"
    ):
        assert re.search(rf"<tr><th>{entity}</th><td>{raw_rows:,}</td>", html_text), entity
        assert run_id in html_text


def test_build_database_without_scorecard(sample_build, tmp_path):
    """A build whose dbt skipped the scorecard (a test upstream failed): the report is still
    made, and says why the scorecard is missing."""
    db = tmp_path / "mvoi.duckdb"
    copy_build_database(sample_build.db_path, db)
    with duckdb.connect(str(db)) as con:
        con.execute("drop table governance.dq_scorecard")
    html_text = report.build_report(db, is_published=False)
    assert 'id="scorecard-missing"' in html_text and 'id="scorecard"' not in html_text
    assert len(_sections(html_text)) == len(THEMES)


SCORECARD_SQL = (
    "create or replace table governance.dq_scorecard as "
    "select * from (values "
    "('invoice_lines', 'landing', 'r2', timestamp '2026-02-01', 'validity', 97.5, 195, 200, 7.5), "
    "('contracts', 'landing', 'r2', timestamp '2026-02-01', 'completeness', 100.0, 50, 50, null), "
    "('fct_spend', 'warehouse', 'r2', timestamp '2026-02-01', 'consistency', 80.0, 4, 5, null)) "
    "as t(entity, entity_kind, run_id, run_at, dq_dimension, score, numerator, denominator, score_change)"
)


def test_scorecard_is_shown_per_entity_kind(published_db, tmp_path):
    db = tmp_path / "published.duckdb"
    shutil.copyfile(published_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute(SCORECARD_SQL)
    html_text = report.build_report(db)
    assert "for build r2 at 2026-02-01 00:00:00" in html_text
    block = re.search(r'<div id="scorecard">.*?</div>', html_text, re.S).group(0)
    assert "97.5 %" in block and "100.0 %" in block
    assert "195 of 200 checks pass; change against the previous build: +7.5 points" in block
    # landing entities first, then the warehouse
    kinds = re.findall(r'data-entity-kind="([^"]+)"', block)
    assert kinds == ["landing", "warehouse"]
    assert re.search(r'<td class="level-poor"[^>]*>80.0 %</td>', block)


def test_cli_falls_back_or_fails_clearly(tmp_path):
    missing = tmp_path / "nope.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "mvoi", "report", "--db", str(missing), "--out", str(tmp_path / "r.html")],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "not found" in result.stderr and str(missing) in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_net_share_outside_0_100_is_shown_as_not_meaningful(published_db, tmp_path) -> None:
    """A spend share pushed below 0 by credit notes stays in the publication but is shown as
    n.m., with the exact value in the tooltip; a share that may exceed 100 (SRO-03) is not."""
    db = tmp_path / "published.duckdb"
    shutil.copyfile(published_db, db)
    with duckdb.connect(str(db)) as con:
        kpi, scope_id, year = con.execute(
            "select kpi_code, scope_id, year from marts.fct_kpi_values where kpi_code = 'KLI-04' "
            "and scope_level = 'government_layer' order by scope_id, year limit 1").fetchone()
        con.execute("update marts.fct_kpi_values set value = -8.28 where kpi_code = ? and scope_id = ? "
                    "and year = ? and scope_level = 'government_layer'", [kpi, scope_id, year])
        sro, sro_scope, sro_year = con.execute(
            "select kpi_code, scope_id, year from marts.fct_kpi_values where kpi_code = 'SRO-03' "
            "and scope_level = 'national' order by year limit 1").fetchone()
        con.execute("update marts.fct_kpi_values set value = 140 where kpi_code = 'SRO-03' and year = ? "
                    "and scope_level = 'national'", [sro_year])
    out = tmp_path / "report.html"
    result = subprocess.run([sys.executable, "-m", "mvoi", "report", "--db", str(db), "--out", str(out)],
                            cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    cells = {(a["data-kpi"], a["data-scope"], int(a["data-year"])): (a.get("title", ""), text)
             for tag, a, text in parse_dom(out.read_text(encoding="utf-8")).texts if tag == "td" and "data-year" in a}
    title, text = cells[(kpi, scope_id, year)]
    assert text == "n.m." and "-8.28 %" in title
    assert cells[(sro, sro_scope, sro_year)][1] == "140.0 %"


# --------------------------------------------------------------------------------------
# "Publicaties en eigen opgave": the two sources side by side (issue 13)

NOTICE_THEMES = ("milieu", "klimaat", "circulair", "isv", "diversiteit_inclusie", "social_return")
BUYER_P = {"organisation_id": "00000003999999990000", "name": "Gemeente Notitiedorp",
           "government_layer": "gemeente", "parent_organisation_id": ""}
NOTICE_TENDER_COLUMNS = ["tender_id", "organisation_id", "title", "cpv_code", "contract_type", "procedure",
                         "publication_date", "award_date", "status", "estimated_value_eur", "awarded_value_eur"]
NOTICE_CRITERIA_COLUMNS = ["criterion_id", "tender_id", "theme", "criterion_kind", "ambition_level",
                           "award_weight_pct", "r_level", "source"]
SECRET_TITLE = "Gepubliceerd, niet geleverd (titel blijft buiten de publicatie)"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _lot(tender_id: str, buyer: str, title: str, contract_type: str, award_date: str, estimated: str,
         awarded: str) -> dict[str, str]:
    """An awarded, openly tendered lot as a notices landing folder holds it."""
    return dict(zip(NOTICE_TENDER_COLUMNS, (
        tender_id, buyer, title, "90910000" if contract_type == "services" else "34144900", contract_type, "open",
        "2024-01-10", award_date, "awarded", estimated, awarded), strict=True))


def _notices_from_the_sample(folder: Path, clean_ids: set[str]) -> None:
    """A notices landing folder as tests/python/test_notice_warehouse.py writes one: the
    published lots of the sample organisation O with the most tenders (their ids as O
    delivered them, so they match), except O's largest awarded tender (unpublished), one with
    other themes, one lot O did not deliver, and two lots of a buyer P that delivers nothing."""
    tenders = list({t["tender_id"]: t for t in _read_csv(PROJECT_DIR / "sample" / "tenders.csv")
                    if t["tender_id"] in clean_ids}.values())
    counts: dict[str, int] = {}
    for t in tenders:
        counts[t["organisation_id"]] = counts.get(t["organisation_id"], 0) + 1
    org_o = max(counts, key=lambda oin: (counts[oin], oin))
    tenders_o = [t for t in tenders if t["organisation_id"] == org_o]
    themes: dict[str, set[str]] = {}
    for c in _read_csv(PROJECT_DIR / "sample" / "tender_criteria.csv"):
        if c["theme"] in NOTICE_THEMES:
            themes.setdefault(c["tender_id"], set()).add(c["theme"])

    def amount(t: dict[str, str]) -> float:
        return float(t["awarded_value_eur"] or t["estimated_value_eur"] or 0)

    awarded = [t for t in tenders_o if t["status"] == "awarded"]
    unpublished = max(awarded, key=amount)
    published = [t for t in tenders_o if t is not unpublished]
    notice_themes = {t["tender_id"]: set(themes.get(t["tender_id"], ())) for t in published}
    mismatched = next(t for t in published if t["status"] == "awarded")
    notice_themes[mismatched["tender_id"]] = {"klimaat"} if notice_themes[mismatched["tender_id"]] != {"klimaat"} \
        else {"milieu"}
    extra = [  # (tender id, buyer, title, contract type, award date, estimated, awarded value)
        _lot("NL-2024-999001/LOT-0001", org_o, SECRET_TITLE, "services", "2024-05-01", "500000.00", "480000.00"),
        _lot("NL-2024-999002/LOT-0001", BUYER_P["organisation_id"], "Kavel 1", "supplies", "2024-04-10",
             "300000.00", ""),
        _lot("NL-2024-999002/LOT-0002", BUYER_P["organisation_id"], "Kavel 2", "supplies", "2024-04-12",
             "100000.00", "90000.00"),
    ]
    notice_themes.update({"NL-2024-999001/LOT-0001": {"circulair", "klimaat"}, "NL-2024-999002/LOT-0001": {"klimaat"}})
    organisation_o = next(o for o in _read_csv(PROJECT_DIR / "sample" / "organisations.csv")
                          if o["organisation_id"] == org_o)
    folder.mkdir()
    _write_csv(folder / "organisations.csv", [organisation_o, BUYER_P], list(BUYER_P))
    _write_csv(folder / "tenders.csv", published + extra, NOTICE_TENDER_COLUMNS)
    _write_csv(folder / "tender_criteria.csv", [
        {"criterion_id": f"{tender_id}/BT-774/{theme}", "tender_id": tender_id, "theme": theme,
         "criterion_kind": "declared_objective", "ambition_level": "", "award_weight_pct": "", "r_level": "",
         "source": "eforms"}
        for tender_id, found in notice_themes.items() for theme in sorted(found)
    ], NOTICE_CRITERIA_COLUMNS)


@pytest.fixture(scope="module")
def notice_publication(sample_build, tmp_path_factory) -> dict:
    """One `dbt build` of the sample with a notices folder (MVOI_NOTICES_DIR), published with
    mvoi.publish, and the report made from that publication."""
    from conftest import DbtWorkspace

    root = tmp_path_factory.mktemp("report_notices")
    clean_ids = {t for (t,) in query(sample_build.db_path, "select tender_id from marts.fct_tenders")}
    _notices_from_the_sample(root / "notices", clean_ids)
    workspace = DbtWorkspace(root)
    result = workspace.dbt("build", "--exclude-resource-type", "unit_test", MVOI_NOTICES_DIR=str(root / "notices"),
                           MVOI_LANDING_STORE=str(root / "store"))
    assert result.returncode == 0, result.stdout[-5000:]
    published = root / "published" / "mvoi_published.duckdb"
    published.parent.mkdir()
    _publish(workspace.db_path, published)
    return {"build_db": workspace.db_path, "published": published, "html": report.build_report(published)}


def _source_cells(html_text: str) -> dict[tuple, str]:
    return {(a["data-source"], a["data-kpi"], a["data-scope"], int(a["data-source-year"]), a["data-field"]): text
            for tag, a, text in parse_dom(html_text).texts if tag == "td" and "data-source" in a}


def test_source_comparison_equals_fct_kpi_values_v2(notice_publication):
    """Every value, record count and number of organisations with records in the section, for
    both sources, equals fct_kpi_values_v2 of the publication (NL and the layers, every year
    with notice values), and nothing else is shown; GEN-03 has no notice value and a note says why."""
    published, html_text = notice_publication["published"], notice_publication["html"]
    rows = query(published, """
        select source, kpi_code, scope_id, year, value, unit, record_count, organisations_reporting
        from marts.fct_kpi_values_v2 as v
        where scope_level in ('national', 'government_layer')
          and (kpi_code, year) in (select distinct kpi_code, year from marts.fct_kpi_values_v2
                                   where source = 'public_notices')""")
    assert {r[0] for r in rows} == {"self_reported", "public_notices"}
    assert {r[1] for r in rows if r[0] == "public_notices"} == {
        "GEN-01", "GEN-02", "KLI-01", "CIR-01", "CIR-02", "MIL-01", "DI-01"}
    expected = {}
    for source, kpi, scope, year, value, unit, records, organisations in rows:
        expected[(source, kpi, scope, year, "value")] = expected_text(value, unit)
        expected[(source, kpi, scope, year, "records")] = f"{records:,}"
        expected[(source, kpi, scope, year, "organisations")] = f"{organisations:,}"
    assert _source_cells(html_text) == expected
    # the latest notice year of each KPI is the table shown first
    latest = dict(query(published, "select kpi_code, max(year) from marts.fct_kpi_values_v2 "
                                   "where source = 'public_notices' group by 1"))
    for kpi, year in latest.items():
        assert f'<table class="source-table" data-kpi="{kpi}" data-year="{year}">' in html_text, kpi
    note = re.search(r'<p class="note" id="gen-03-note">(.*?)</p>', html_text, re.S).group(1)
    assert "GEN-03" in note and "ambitieniveau" in note
    assert 'id="no-notices"' not in html_text and 'href="#sources"' in html_text


def test_source_difference_is_notices_minus_self_reported(notice_publication):
    published, html_text = notice_publication["published"], notice_publication["html"]
    [(year, own, notices)] = query(published, """
        select year, max(value) filter (source = 'self_reported'), max(value) filter (source = 'public_notices')
        from marts.fct_kpi_values_v2 where kpi_code = 'GEN-01' and scope_id = 'NL'
          and year = (select max(year) from marts.fct_kpi_values_v2 where source = 'public_notices'
                      and kpi_code = 'GEN-01') group by year""")
    shown = {(a["data-kpi"], a["data-scope"], int(a["data-source-year"])): text
             for tag, a, text in parse_dom(html_text).texts if tag == "td" and a.get("data-field") == "difference"}
    diff = notices - own
    text = f"{diff:.1f}".replace("-0.0", "0.0")
    assert shown[("GEN-01", "NL", year)] == ("+" if diff > 0 and text != "0.0" else "") + text + " pp"


def test_reconciliation_counts_equal_the_build(notice_publication):
    """The publication holds the reconciliation as counts per organisation and finding only
    (no tender ids, titles or values); the report's totals and rows equal the build's
    governance.notice_reconciliation."""
    build_db, published, html_text = (notice_publication[k] for k in ("build_db", "published", "html"))
    per_org = query(build_db, "select organisation_id, finding, count(*) from governance.notice_reconciliation "
                              "group by all order by all")
    assert {f for _, f, _ in per_org} == {"published_not_delivered", "delivered_not_published", "theme_mismatch"}
    assert query(published, "select organisation_id, finding, row_count from governance.notice_reconciliation_counts "
                            "order by all") == per_org
    assert not query(published, "select 1 from information_schema.tables where table_name = 'notice_reconciliation'")
    totals = {a["data-finding-total"]: text for tag, a, text in parse_dom(html_text).texts
              if tag == "td" and "data-finding-total" in a}
    expected_totals = {}
    for _, finding, n in per_org:
        expected_totals[finding] = expected_totals.get(finding, 0) + n
    assert totals == {f: str(n) for f, n in expected_totals.items()}
    block = re.search(r'<table id="reconciliation-organisations">.*?</table>', html_text, re.S).group(0)
    shown = {(org, a["data-finding"]): text for org, row in re.findall(r'<tr data-organisation="([^"]+)">(.*?)</tr>',
                                                                       block, re.S)
             for tag, a, text in parse_dom(row).texts if tag == "td" and "data-finding" in a}
    assert {k: v for k, v in shown.items() if v != "0"} == {(o, f): str(n) for o, f, n in per_org}
    assert SECRET_TITLE not in html_text and "NL-2024-999001" not in html_text


def test_no_notices_sentence_on_the_sample_publication(report_dom):
    """The sample has no notices: one sentence says so and how to load them, and no table."""
    block = re.search(r'<section id="sources">.*?</section>', report_dom, re.S).group(0)
    text = visible_text(block)
    assert "geen aankondigingen geladen" in text
    assert "mvoi ingest-notices" in text and "--out MAP" in text and "MVOI_NOTICES_DIR=MAP make build" in text
    assert "<table" not in block and 'id="gen-03-note"' not in block
