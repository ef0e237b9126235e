"""One page per KPI: definition, chart and table per layer, organisations ranked."""

from __future__ import annotations

import plotly.graph_objects as go

from mvoi.report.queries import Row
from mvoi.report.sections import LAYER_ORDER, SCOPE_COLOURS, SCOPE_LABELS
from mvoi.site import links
from mvoi.site.common import BETTER, YEAR_BASIS, index, kpi_cell, layer_cell, layer_filter, scope_name, status_text
from mvoi.site.data import SiteData
from mvoi.site.formatting import MIN_RECORDS, count_nl, value_nl
from mvoi.site.model import Cell, Page, Table, chart

SCOPES = ("NL", *LAYER_ORDER)


def definition(kpi: Row, theme_name: str) -> list[tuple[str, str]]:
    return [
        ("Naam", kpi["name_nl"]),
        ("Naam in het Engels", kpi["name_en"] or "–"),
        ("Thema", theme_name),
        ("Eenheid", kpi["unit"]),
        ("Teller", kpi["numerator_definition"] or ""),
        ("Noemer", kpi["denominator_definition"] or "–"),
        ("Peiljaar", YEAR_BASIS.get(kpi["year_basis"], kpi["year_basis"] or "")),
        ("Richting", BETTER.get(kpi["better"], kpi["better"] or "")),
        ("Doel", kpi["target_description"] or "geen doel vastgesteld"),
    ]


def layer_table(kpi: Row, kpi_rows: list[Row], years: list[int]) -> Table:
    by_key = index([r for r in kpi_rows if r["scope_level"] != "organisation"], "scope_id", "year")
    table = Table(f"{kpi['kpi_code'].lower()}-lagen", "Per bestuurslaag en jaar", ["Bestuurslaag", *map(str, years)],
                  ["scope_id", "year", "value", "numerator", "denominator", "record_count", "target_value",
                   "meets_target"])
    for scope in SCOPES:
        found = [by_key.get((scope, y)) for y in years]
        if not any(found):
            continue
        table.add([Cell(SCOPE_LABELS.get(scope, scope), "label"), *(kpi_cell(r, kpi) for r in found)], None)
        for r in found:
            if r:
                table.raw.append([scope, r["year"], r["value"], r["numerator"], r["denominator"], r["record_count"],
                                  r["target_value"], r["meets_target"]])
    table.note = f"Grijs: minder dan {MIN_RECORDS} records (aantal tussen haakjes). ✓ doel gehaald, ✗ niet gehaald."
    return table


def layer_chart(kpi: Row, kpi_rows: list[Row]):
    figure = go.Figure()
    for scope in SCOPES:
        points = sorted((r["year"], r["value"]) for r in kpi_rows
                        if r["scope_level"] != "organisation" and r["scope_id"] == scope and r["value"] is not None)
        if points:
            figure.add_trace(go.Scatter(
                x=[p[0] for p in points], y=[p[1] for p in points], mode="lines+markers",
                name=SCOPE_LABELS.get(scope, scope),
                line={"color": SCOPE_COLOURS.get(scope), "width": 3 if scope == "NL" else 1.5},
            ))
    targets = sorted({r["target_value"] for r in kpi_rows if r["target_value"] is not None})
    for target in targets:
        figure.add_hline(y=target, line_dash="dot", line_color="#5c5c5c")
    figure.update_xaxes(dtick=1, tickformat="d")
    figure.update_yaxes(title_text=kpi["unit"], tickformat=",.0f" if kpi["unit"] in ("EUR", "t CO2e") else None)
    note = f" (stippellijn: doel {', '.join(value_nl(t, kpi['unit']) for t in targets)})" if targets else ""
    return chart(f"{kpi['kpi_code'].lower()}-trend", f"Verloop per bestuurslaag{note}", figure)


def ranking_table(kpi: Row, kpi_rows: list[Row], data: SiteData) -> Table:
    org_rows = [r for r in kpi_rows if r["scope_level"] == "organisation"]
    latest = max((r["year"] for r in org_rows), default=None)
    table = Table(f"{kpi['kpi_code'].lower()}-organisaties", f"Organisaties gerangschikt ({latest or '–'})",
                  ["#", "Organisatie", "Bestuurslaag", "Waarde", "Records", "Doel"],
                  ["rank", "organisation_id", "organisation", "government_layer", "year", "value", "record_count",
                   "meets_target"])
    current = [r for r in org_rows if r["year"] == latest]
    sign = -1 if kpi["better"] == "higher" else 1
    current.sort(key=lambda r: (r["value"] is None, sign * (r["value"] or 0), -(r["record_count"] or 0)))
    for rank, r in enumerate(current, start=1):
        org = data.organisations.get(r["scope_id"], {})
        name = scope_name("organisation", r["scope_id"], data.organisations)
        layer = org.get("government_layer")
        table.add(
            [Cell(str(rank), "num"), Cell(name, "label", href=links.organisation(r["scope_id"])),
             layer_cell(layer), kpi_cell(r, kpi), Cell(count_nl(r["record_count"]), "num"),
             status_text(r)],
            [rank, r["scope_id"], name, layer, r["year"], r["value"], r["record_count"], r["meets_target"]],
        )
    layer_filter(table, (data.organisations.get(r["scope_id"], {}).get("government_layer") for r in current))
    table.note = ("Gerangschikt op waarde (" + BETTER.get(kpi["better"], "") + "); "
                  f"waarden uit minder dan {MIN_RECORDS} records staan grijs, met het aantal.")
    return table


def kpi_page(kpi: Row, kpi_rows: list[Row], data: SiteData) -> Page:
    theme = data.themes.get(kpi["theme"], {})
    page = Page(links.kpi(kpi["kpi_code"]), f"{kpi['kpi_code']} {kpi['name_nl']}",
                lead=f"Thema {theme.get('name_nl', kpi['theme'])}.", title_en=kpi["name_en"] or None, nav=links.HOME)
    page.section("Definitie").add("dl", definition(kpi, theme.get("name_nl", kpi["theme"])))
    years = sorted({r["year"] for r in kpi_rows})
    trend = page.section("Landelijk en per bestuurslaag")
    if any(r["value"] is not None for r in kpi_rows):
        trend.chart(layer_chart(kpi, kpi_rows))
    trend.table(layer_table(kpi, kpi_rows, years))
    page.section("Organisaties").table(ranking_table(kpi, kpi_rows, data))
    return page


def pages(data: SiteData) -> list[Page]:
    by_kpi = data.values_by_kpi()
    return [kpi_page(kpi, by_kpi.get(code, []), data) for code, kpi in data.kpis.items()]
