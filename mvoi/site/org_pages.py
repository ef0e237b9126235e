"""One page per organisation (its KPIs against its layer, targets, product-group profile,
records loaded, its deliveries and rejected rows) and the organisation list with its search box and
layer filter."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import plotly.graph_objects as go

from mvoi.report.queries import Row
from mvoi.report.sections import SCOPE_LABELS
from mvoi.site import deliveries, links
from mvoi.site.common import index, kpi_cell, kpi_label, layer_cell, layer_filter, quantiles, status_text
from mvoi.site.data import SiteData
from mvoi.site.formatting import MIN_RECORDS, count_nl, eur_nl, kpi_value_nl, number_nl, pct_nl, value_nl
from mvoi.site.model import Cell, Page, Table, chart, few_cell
from mvoi.site.opportunity import CardTotals, opportunities

ENTITIES = (
    ("tenders", "Aanbestedingen"), ("contracts", "Contracten"), ("invoice_lines", "Factuurregels"),
    ("social_return_realisations", "SROI-realisaties"), ("material_reports", "Materiaalrapportages"),
)


def layer_stats(data: SiteData) -> dict[tuple[str, str, int], tuple[float, float, float]]:
    """(kpi, layer, year) -> (p25, median, p75) over the organisations of that layer."""
    grouped: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    for r in data.values:
        org = data.organisations.get(r["scope_id"]) if r["scope_level"] == "organisation" else None
        if org and r["value"] is not None:
            grouped[(r["kpi_code"], org["government_layer"], r["year"])].append(r["value"])
    return {key: q for key, values in grouped.items() if (q := quantiles(values))}


@dataclass
class Lookups:
    """What every organisation page needs, indexed once (a page per organisation must not
    scan all KPI values again: 1,000 organisations x 120,000 rows)."""

    stats: dict[tuple[str, str, int], tuple[float, float, float]]
    latest: dict[str, dict[str, Row]]  # organisation -> kpi_code -> its latest row
    layer_rows: dict[tuple, Row]  # (kpi_code, layer, year) -> government_layer row
    spend: dict[str, dict[str, Row]]  # organisation -> product group -> spend row
    tenders: dict[str, dict[str, Row]]  # organisation -> product group -> tender counts
    deliveries: dict[str, list[Row]] = field(default_factory=dict)  # organisation -> mart_organisation_deliveries


def lookups(data: SiteData) -> Lookups:
    latest: dict[str, dict[str, Row]] = defaultdict(dict)
    for r in data.values:
        if r["scope_level"] == "organisation":
            current = latest[r["scope_id"]].get(r["kpi_code"])
            if current is None or r["year"] > current["year"]:
                latest[r["scope_id"]][r["kpi_code"]] = r
    spend: dict[str, dict[str, Row]] = defaultdict(dict)
    for r in data.org_product_spend:
        spend[r["organisation_id"]][r["product_group_id"]] = r
    tenders: dict[str, dict[str, Row]] = defaultdict(dict)
    for r in data.org_product_tenders:
        tenders[r["organisation_id"]][r["product_group_id"]] = r
    layer_rows = index([r for r in data.values if r["scope_level"] == "government_layer"], "kpi_code", "scope_id",
                       "year")
    return Lookups(layer_stats(data), latest, layer_rows, spend, tenders, deliveries.by_organisation(data))


def kpi_table(org: Row, data: SiteData, lk: Lookups) -> Table:
    oid, layer = org["organisation_id"], org["government_layer"]
    latest = lk.latest.get(oid, {})
    table = Table(f"organisatie-{oid}-kpis", "De 24 KPI's tegenover de eigen bestuurslaag",
                  ["KPI", "Jaar", "Waarde", "Mediaan laag", "Spreiding (p25–p75)", "Doel", "Status"],
                  ["kpi_code", "year", "value", "record_count", "layer_median", "layer_p25", "layer_p75",
                   "target_value", "meets_target"])
    for code, kpi in data.kpis.items():
        r = latest.get(code)
        year = r["year"] if r else None
        q = lk.stats.get((code, layer, year)) if r else None
        unit, bounds = kpi["unit"], kpi["bounds"]
        target = r["target_value"] if r else None
        if r and target is None:
            layer_row = lk.layer_rows.get((code, layer, year))
            target = layer_row["target_value"] if layer_row else None
        table.add(
            [kpi_label(kpi), Cell(str(year or "–"), "num"),
             kpi_cell(r, kpi), Cell(kpi_value_nl(q[1], unit, bounds) if q else "–", "num"),
             Cell(f"{value_nl(q[0], unit)} – {value_nl(q[2], unit)}" if q else "–", "num"),
             Cell(value_nl(target, unit) if target is not None else "geen", "num"), status_text(r)],
            [code, year, r["value"] if r else None, r["record_count"] if r else None,
             q[1] if q else None, q[0] if q else None, q[2] if q else None, target,
             r["meets_target"] if r else None],
        )
    table.note = (f"Per KPI het laatste jaar met een waarde. Mediaan en spreiding over de organisaties van de laag "
                  f"{SCOPE_LABELS.get(layer, layer)} in dat jaar. Grijs: minder dan {MIN_RECORDS} records.")
    return table


def percent_chart(org: Row, data: SiteData, lk: Lookups):
    """The percentage KPIs: the organisation's value, the layer median and p25-p75."""
    latest = lk.latest.get(org["organisation_id"], {})
    codes, values, medians, lows, highs = [], [], [], [], []
    for code, kpi in data.kpis.items():
        r = latest.get(code)
        q = lk.stats.get((code, org["government_layer"], r["year"])) if r else None
        if kpi["unit"] != "%" or r is None or r["value"] is None or q is None:
            continue
        codes.append(code)
        values.append(r["value"])
        medians.append(q[1])
        lows.append(q[1] - q[0])
        highs.append(q[2] - q[1])
    if not codes:
        return None
    figure = go.Figure([
        go.Bar(x=codes, y=values, name=org["name"], marker_color="#01689b"),
        go.Scatter(x=codes, y=medians, mode="markers", name="mediaan laag (p25–p75)",
                   marker={"color": "#e17000", "size": 9, "symbol": "diamond"},
                   error_y={"type": "data", "symmetric": False, "array": highs, "arrayminus": lows,
                            "color": "#e17000"}),
    ])
    figure.update_yaxes(title_text="%")
    return chart(f"organisatie-{org['organisation_id']}-kpis", "KPI's in % tegenover de laag", figure)


def records_table(org: Row, data: SiteData) -> Table:
    counts = data.org_records.get(org["organisation_id"], {})
    table = Table(f"organisatie-{org['organisation_id']}-records", "Geladen records", ["Entiteit", "Records"],
                  ["entity", "loaded_records"])
    for entity, label in ENTITIES:
        table.add([Cell(label, "label"), Cell(count_nl(counts.get(entity, 0)), "num")], [entity, counts.get(entity, 0)])
    return table


def profile_table(org: Row, data: SiteData, lk: Lookups) -> Table:
    oid = org["organisation_id"]
    spend, tenders = lk.spend.get(oid, {}), lk.tenders.get(oid, {})
    cards = [CardTotals(g, (spend.get(g) or {}).get("spend_eur") or 0, (spend.get(g) or {}).get("emissions_t_co2e") or 0,
                        (tenders.get(g) or {}).get("awarded_tender_count") or 0,
                        (tenders.get(g) or {}).get("awarded_tenders_with_criteria_count") or 0)
             for g in sorted(set(spend) | set(tenders))]
    table = Table(f"organisatie-{oid}-productgroepen", "Productgroepprofiel, gerangschikt op kans",
                  ["#", "Productgroep", "Uitgaven", "Aandeel", "Aanbestedingen", "Met criteria", "Kans"],
                  ["rank", "product_group_id", "spend_eur", "spend_share", "emissions_share", "awarded_tenders",
                   "uptake", "opportunity"])
    by_id = {c.card_id: c for c in cards}
    for o in opportunities(cards):
        card, group = by_id[o.card_id], data.product_groups.get(o.card_id, {})
        table.add(
            [Cell(str(o.rank), "num"), Cell(group.get("name_nl", o.card_id), "label", href=links.product(o.card_id)),
             Cell(eur_nl(card.spend_eur), "num"), Cell(pct_nl(100 * o.spend_share), "num"),
             Cell(count_nl(card.awarded_tenders), "num"),
             few_cell(pct_nl(100 * o.uptake), card.awarded_tenders) if card.awarded_tenders else Cell("–", "num"),
             Cell(number_nl(100 * o.score, 1), "num")],
            [o.rank, o.card_id, card.spend_eur, o.spend_share, o.emissions_share, card.awarded_tenders, o.uptake,
             o.score],
        )
    table.note = ("Kans = max(aandeel uitgaven, aandeel emissies) × (1 − aandeel gegunde aanbestedingen met "
                  "MVOI-criteria), binnen deze organisatie, × 100. Zie Productkaarten. Grijs: minder dan "
                  f"{MIN_RECORDS} gegunde aanbestedingen (aantal erbij).")
    return table


def organisation_page(org: Row, data: SiteData, lk: Lookups) -> Page:
    layer = SCOPE_LABELS.get(org["government_layer"], org["government_layer"])
    lead = f"Bestuurslaag: {layer}."
    if org.get("parent_organisation_name"):
        lead += f" Onderdeel van {org['parent_organisation_name']}."
    page = Page(links.organisation(org["organisation_id"]), org["name"], lead=lead, nav=links.ORGANISATIONS)
    section = page.section("KPI's")
    figure = percent_chart(org, data, lk)
    if figure:
        section.chart(figure)
    section.table(kpi_table(org, data, lk))
    page.section("Productgroepen").table(profile_table(org, data, lk))
    section = page.section("Aanlevering", anchor="aanlevering").table(records_table(org, data))
    delivered = lk.deliveries.get(org["organisation_id"])
    if not data.organisation_deliveries:  # a publication made before mart_organisation_deliveries
        section.text(
            "Afgekeurde records worden in deze publicatie alleen landelijk geteld (per entiteit en reden, zie "
            "Datakwaliteit). De afgekeurde records zelf (met de aangeleverde waarden) blijven in de builddatabase.")
    elif not delivered:
        section.text("Geen levering van deze organisatie in het register.")
    else:
        oid = org["organisation_id"]
        section.table(deliveries.deliveries_table(oid, delivered)).table(deliveries.rejections_table(oid, delivered))
        section.text(deliveries.feedback_text(delivered))
    return page


def list_page(data: SiteData) -> Page:
    page = Page(links.ORGANISATIONS, "Organisaties",
                lead="Zoek een organisatie op naam, of kies een bestuurslaag; elke organisatie heeft een eigen pagina.",
                nav=links.ORGANISATIONS)
    table = Table("organisaties", "Alle organisaties", ["Organisatie", "Bestuurslaag", "Onderdeel van",
                  "Factuurregels", "Aanbestedingen"],
                  ["organisation_id", "name", "government_layer", "parent_organisation_name", "invoice_lines",
                   "tenders"], search="Zoek een organisatie (naam of bestuurslaag)")
    for oid, org in sorted(data.organisations.items(), key=lambda kv: kv[1]["name"]):
        counts = data.org_records.get(oid, {})
        layer = org["government_layer"]
        table.add([Cell(org["name"], "label", href=links.organisation(oid)), layer_cell(layer),
                   org.get("parent_organisation_name") or "–", Cell(count_nl(counts.get("invoice_lines", 0)), "num"),
                   Cell(count_nl(counts.get("tenders", 0)), "num")],
                  [oid, org["name"], layer, org.get("parent_organisation_name"), counts.get("invoice_lines", 0),
                   counts.get("tenders", 0)])
    layer_filter(table, (org["government_layer"] for org in data.organisations.values()))
    page.section("Zoeken").table(table)
    return page


def pages(data: SiteData) -> list[Page]:
    lk = lookups(data)
    return [list_page(data), *(organisation_page(org, data, lk) for org in data.organisations.values())]
