"""The site's pieces that need no build: the opportunity measure on a hand-made case, Dutch
number formats, escaping of delivered text, and formula-safe CSV downloads."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from mvoi.site import render
from mvoi.site.formatting import MIN_RECORDS, eur_nl, number_nl, pct_nl, value_nl
from mvoi.site.model import Cell, Page, Table, few_cell
from mvoi.site.opportunity import CardTotals, opportunities, uptake


def test_opportunity_on_a_hand_made_case():
    # total spend 1000, total emissions 100
    cards = [
        CardTotals("bouw", spend_eur=600, emissions_t_co2e=20, awarded_tenders=10, awarded_tenders_with_criteria=8),
        CardTotals("ict", spend_eur=300, emissions_t_co2e=10, awarded_tenders=4, awarded_tenders_with_criteria=1),
        CardTotals("vervoer", spend_eur=100, emissions_t_co2e=70, awarded_tenders=0, awarded_tenders_with_criteria=0),
        CardTotals("leeg", spend_eur=0, emissions_t_co2e=0, awarded_tenders=2, awarded_tenders_with_criteria=0),
    ]
    # bouw:    max(0.6, 0.2) x (1 - 0.8)  = 0.12
    # ict:     max(0.3, 0.1) x (1 - 0.25) = 0.225
    # vervoer: max(0.1, 0.7) x (1 - 0)    = 0.70 (no awarded tender: uptake 0)
    # leeg:    0
    ranked = {o.card_id: o for o in opportunities(cards)}
    assert ranked["bouw"].score == pytest.approx(0.12)
    assert ranked["ict"].score == pytest.approx(0.225)
    assert ranked["vervoer"].score == pytest.approx(0.70)
    assert ranked["leeg"].score == 0
    assert [o.card_id for o in opportunities(cards)] == ["vervoer", "ict", "bouw", "leeg"]
    assert [o.rank for o in opportunities(cards)] == [1, 2, 3, 4]
    assert ranked["bouw"].spend_share == pytest.approx(0.6) and ranked["vervoer"].emissions_share == pytest.approx(0.7)
    assert all(0 <= o.score <= 1 for o in opportunities(cards))


def test_opportunity_edge_cases():
    assert uptake(0, 0) == 0 and uptake(4, 1) == 0.25 and uptake(2, 5) == 1.0
    # credit notes only (negative spend) count as nothing; no totals at all: every score 0
    only = opportunities([CardTotals("a", -50, 0, 0, 0), CardTotals("b", 0, 0, 1, 1)])
    assert [o.score for o in only] == [0, 0]
    # a tie on the score goes to the larger spend
    tie = opportunities([CardTotals("klein", 100, 300, 0, 0), CardTotals("groot", 300, 100, 0, 0)])
    assert [o.card_id for o in tie] == ["groot", "klein"]


@pytest.mark.parametrize("value, unit, expected", [
    (2933311.4, "EUR", "€ 2.933.311"),
    (65.64, "%", "65,6 %"),
    (1234.56, "t CO2e", "1.234,6 t CO2e"),
    (0.12345, "kg CO2e/EUR", "0,123 kg CO2e/EUR"),
    (3.25, "FTE", "3,2 FTE"),
    (None, "%", "–"),
    (-0.01, "%", "0,0 %"),
])
def test_dutch_number_formats(value, unit, expected):
    assert value_nl(value, unit) == expected


def test_dutch_helpers():
    assert eur_nl(1_000_000) == "€ 1.000.000" and pct_nl(100) == "100,0 %" and number_nl(12345.678, 2) == "12.345,68"
    assert number_nl(float("inf")) == "–"


def test_few_records_are_greyed_with_their_count():
    few = few_cell("50,0 %", MIN_RECORDS - 1)
    assert "few" in few.cls and few.text == f"50,0 % (n={MIN_RECORDS - 1})"
    enough = few_cell("50,0 %", MIN_RECORDS)
    assert "few" not in enough.cls and enough.text == "50,0 %"


def _hostile_page() -> Page:
    page = Page("organisatie/x.html", '<script>alert("titel")</script>', lead="<b>lead</b>")
    table = Table("hostile", "<i>tabel</i>", ["<th>"], ["name"])
    table.add([Cell('<img src=x onerror="alert(1)">', "label", href="organisatie/x.html")],
              ['=HYPERLINK("http://evil.example","klik")'])
    page.section("<h2>sectie</h2>").table(table).text("<p>tekst</p>").add("dl", [("<dt>", "<dd>")])
    return page


def _render(page: Page) -> str:
    return render.environment().get_template("page.html.j2").render(
        page=page, menu=(("index.html", "Thema's"),), generated_at="nu", run_id="r", min_records=MIN_RECORDS)


def test_delivered_text_is_escaped_everywhere(tmp_path):
    page = _hostile_page()
    render._write_csvs([page], tmp_path)
    html = _render(page)
    for raw in ("<script>alert", "<img src", "<b>lead", "<i>tabel", "<h2>sectie", "<p>tekst", "<dt><", "<th><"):
        assert raw not in html, raw
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert 'href="../organisatie/x.html"' in html and 'href="../data/hostile.csv"' in html


def test_csv_downloads_neutralise_formulas(tmp_path):
    page = _hostile_page()
    assert render._write_csvs([page], tmp_path) == 1
    with open(tmp_path / "data" / "hostile.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["name"], ['\'=HYPERLINK("http://evil.example","klik")']]


def test_a_refused_later_build_is_announced(monkeypatch, tmp_path):
    import datetime as dt
    from types import SimpleNamespace

    from mvoi.site import home

    data = SimpleNamespace(db_path=tmp_path / "mvoi_published.duckdb",
                           publication={"published_at": dt.datetime(2026, 11, 1, 12, 0)})
    monkeypatch.setattr(home.build_status, "read", lambda _: {
        "outcome": "refused", "finished_at": "2026-11-02T08:00:00+00:00", "reasons": ["<b>gate</b> failed"]})
    banner = home.refused_banner(data)
    assert banner and "02-11-2026" not in banner and "2026-11-02 08:00 UTC" in banner and "<b>gate</b> failed" in banner
    monkeypatch.setattr(home.build_status, "read", lambda _: {"outcome": "published",
                                                              "finished_at": "2026-11-02T08:00:00+00:00"})
    assert home.refused_banner(data) is None


def _delivery_row(delivery_id: str, sequence: int, **extra) -> dict:
    row = {"organisation_id": "00000001000000000001", "delivery_id": delivery_id, "delivery_sequence": sequence,
           "delivery_scope": "complete", "period": None, "received_at": dt.datetime(2026, 11, sequence, 9, 30),
           "status": "accepted", "is_current": True, "superseded_by": None, "file_count": 9,
           "delivery_row_count": 1200, "organisations_covered": 1, "entity": None, "reason_code": None,
           "reason": None, "rejected_rows": 0}
    return {**row, **extra}


def test_an_organisations_deliveries_and_rejections_by_hand():
    from mvoi.site import deliveries

    rows = [
        _delivery_row("D000001", 1, entity="invoice_lines", reason_code="invalid_amount", reason="amount <b>", rejected_rows=3),
        _delivery_row("D000001", 1, entity="tenders", reason_code="missing_key", reason="tender_id", rejected_rows=1),
        _delivery_row("D000002", 2, delivery_scope="period", period=2024, is_current=False, superseded_by="D000003",
                      delivery_row_count=300),
        _delivery_row("D000003", 3, delivery_scope="period", period=2024, delivery_row_count=1300),
        _delivery_row("D000004", 4, status="refused", is_current=False, file_count=0, delivery_row_count=0),
    ]
    table = deliveries.deliveries_table("x", rows)
    shown = [[c.text for c in row] for row in table.rows]
    assert shown == [
        ["D000004", "04-11-2026 09:30", "volledig", "geweigerd", "–", "0", "0"],
        ["D000003", "03-11-2026 09:30", "2024", "geaccepteerd", "actueel", "1.300", "0"],
        ["D000002", "02-11-2026 09:30", "2024", "geaccepteerd", "vervangen door D000003", "300", "0"],
        ["D000001", "01-11-2026 09:30", "volledig", "geaccepteerd", "actueel", "1.200", "4"],
    ]
    rejections = deliveries.rejections_table("x", rows)
    # entities in contract order (tenders before invoice_lines); only the rows with a reason
    assert [[c.text for c in row] for row in rejections.rows] == [
        ["D000001", "tenders", "missing_key", "tender_id", "1"],
        ["D000001", "invoice_lines", "invalid_amount", "amount <b>", "3"],
    ]
    assert rejections.raw == [["D000001", "tenders", "missing_key", "tender_id", 1],
                              ["D000001", "invoice_lines", "invalid_amount", "amount <b>", 3]]
    text = deliveries.feedback_text(rows)
    assert "mvoi feedback <delivery_id> --out DIR" in text and "mvoi feedback D000003 --out terugkoppeling/" in text


def test_completeness_year_is_the_latest_kpi_year_when_present():
    from types import SimpleNamespace

    from mvoi.site import deliveries

    rows = [{"scope_level": "national", "scope_id": "NL", "year": y, "organisations_expected": 2,
             "organisations_delivered": 1, "share_delivered": 50.0} for y in (2023, 2024, 2025)]
    assert deliveries.completeness_year(SimpleNamespace(completeness=rows, latest_year=2024)) == 2024
    assert deliveries.completeness_year(SimpleNamespace(completeness=rows, latest_year=2026)) == 2025
    assert deliveries.completeness_year(SimpleNamespace(completeness=[], latest_year=2024)) is None
    table = deliveries.latest_table(SimpleNamespace(completeness=rows, latest_year=2024), 2024)
    assert [[c.text for c in row] for row in table.rows] == [["Nederland", "2", "1", "50,0 %"]]
    assert "incomplete" in table.rows[0][2].cls


def test_long_tables_get_a_text_filter_and_layer_tables_a_layer_filter():
    from mvoi.site.common import layer_cell, layer_filter
    from mvoi.site.model import FILTER_ROWS

    short = Table("kort", "Kort", ["Naam"], ["name"])
    for i in range(FILTER_ROWS):
        short.add([f"rij {i}"], [i])
    long = Table("lang", "Lang", ["Naam"], ["name"])
    for i in range(FILTER_ROWS + 1):
        long.add([f"rij {i}"], [i])
    layered = Table("lagen", "Lagen", ["Naam", "Bestuurslaag"], ["name", "layer"], search="Zoek <een> organisatie")
    for name, layer in (("A", "waterschap"), ("B", "gemeente"), ("C", "<x>"), ("D", None)):
        layered.add([name, layer_cell(layer)], [name, layer])
    layer_filter(layered, ["waterschap", "gemeente", "<x>", None])
    assert short.search_label is None and long.search_label == "Zoek in deze tabel"
    assert layered.search_label == "Zoek <een> organisatie"
    # the usual layer order, then unknown layers; no empty option for a missing layer
    assert layered.layers == [("gemeente", "Gemeenten"), ("waterschap", "Waterschappen"), ("<x>", "<x>")]
    page = Page("organisaties.html", "Organisaties")
    page.section("Alles").table(short).table(long).table(layered)
    html = _render(page)
    assert 'id="filter-kort"' not in html and 'id="filter-lang"' in html and 'id="filter-lagen"' in html
    assert 'data-filters="tabel-lang"' in html and 'id="laag-lagen"' in html and 'id="laag-lang"' not in html
    assert "Zoek &lt;een&gt; organisatie" in html and '<option value="&lt;x&gt;">&lt;x&gt;</option>' in html
    assert 'data-layer="gemeente"' in html and 'data-layer="&lt;x&gt;"' in html and 'data-layer=""' in html


def test_english_names_are_marked_as_english_and_escaped():
    from mvoi.site.common import kpi_label

    kpi = {"kpi_code": "GEN-01", "name_nl": "MVI-toepassingsgraad", "name_en": "MVI <b>rate</b>"}
    cell = kpi_label(kpi)
    assert cell.text == "GEN-01 MVI-toepassingsgraad" and cell.en == "MVI <b>rate</b>" and cell.href == "kpi/gen-01.html"
    page = Page("kpi/gen-01.html", "GEN-01 MVI-toepassingsgraad", title_en="MVI <i>rate</i>")
    table = Table("k", "KPI's", ["KPI"], ["kpi_code"])
    table.add([cell], ["GEN-01"])
    page.section("KPI's").table(table).english("A <script>description</script>")
    html = _render(page)
    assert '<p class="title-en" lang="en">MVI &lt;i&gt;rate&lt;/i&gt;</p>' in html
    assert '<span class="en" lang="en">MVI &lt;b&gt;rate&lt;/b&gt;</span>' in html
    assert '<p class="en" lang="en">A &lt;script&gt;description&lt;/script&gt;</p>' in html


def test_card_tables_per_year_split_the_tender_shares_off():
    from mvoi.site.card_pages import SUMMED, criteria_table, year_table

    card = dict.fromkeys(SUMMED, 0) | {"year": 2024, "spend_eur": 1000.0, "emissions_t_co2e": 2.5, "contract_count": 3,
                                       "contract_value_eur": 5000.0, "awarded_tender_count": 4,
                                       "awarded_tenders_with_criteria_count": 2, "awarded_tenders_klimaat_count": 1}
    years, criteria = year_table("p-jaren", [card]), criteria_table("p-criteria", [card])
    assert [c.text for c in years.rows[0]] == ["2024", "€ 1.000", "2,5 t CO2e", "3", "€ 5.000"]
    shown = {h: c.text for h, c in zip(criteria.columns, criteria.rows[0], strict=True)}
    assert shown["Gegund"] == "4" and shown["Met criteria"] == "50,0 % (n=4)" and shown["Klimaat"] == "25,0 % (n=4)"
    assert len(criteria.columns) == len(criteria.csv_columns) and len(criteria.raw[0]) == len(criteria.csv_columns)
    assert len(years.raw[0]) == len(years.csv_columns)
    assert criteria_table("leeg", [card | {"awarded_tender_count": 0}]).rows[0][2].text == "–"
