"""Product cards (one page per MVI product group) and sector cards (one per sector), with the
opportunity measure (mvoi.site.opportunity) ranking them, and "Niet ingedeeld" explained."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import plotly.graph_objects as go

from mvoi.report.queries import Row
from mvoi.site import links
from mvoi.site.data import CARD_THEMES as THEMES
from mvoi.site.data import SiteData
from mvoi.site.formatting import MIN_RECORDS, count_nl, eur_nl, number_nl, pct_nl, value_nl
from mvoi.site.model import Cell, Page, Section, Table, chart, few_cell
from mvoi.site.opportunity import CardTotals, Opportunity, opportunities

SUMMED = ("spend_eur", "emissions_t_co2e", "contract_value_eur", "contract_count", "awarded_tender_count",
          "awarded_tenders_with_criteria_count", "invoice_line_count", "uncovered_isv_risk_spend_eur",
          *(f"awarded_tenders_{t}_count" for t, _ in THEMES))
OPPORTUNITY_TEXT = (
    "Kans = max(s, e) × (1 − u) × 100, met s het aandeel in de totale uitgaven, e het aandeel in de geschatte "
    "emissies en u het aandeel van de gegunde aanbestedingen met MVOI-criteria (0 als er geen gegunde "
    "aanbesteding was), over alle jaren van de publicatie. Veel uitgaven of emissies en weinig criteria geven "
    "een grote kans (0 tot 100)."
)
UNCLASSIFIED_TEXT = (
    "‘Niet ingedeeld’ zijn de uitgaven waarvan de CPV-code (van de factuurregel of, als die ontbreekt, van het "
    "contract) onder geen enkel CPV-prefix van de MVI-productgroepen valt, of die helemaal geen CPV-code hebben. "
    "De tabel toont welke CPV-afdelingen (de eerste twee cijfers) erin vallen."
)


def totals(cards: list[Row], key: str) -> dict[str, Row]:
    """Sum of the card measures over all years, per card id."""
    out: dict[str, Row] = defaultdict(lambda: dict.fromkeys(SUMMED, 0))
    for r in cards:
        for column in SUMMED:
            out[r[key]][column] += r[column] or 0
    return dict(out)


def ranked(summed: dict[str, Row]) -> list[Opportunity]:
    return opportunities(
        CardTotals(card_id, r["spend_eur"], r["emissions_t_co2e"], r["awarded_tender_count"],
                   r["awarded_tenders_with_criteria_count"])
        for card_id, r in summed.items()
    )


def ranking_table(key: str, title: str, summed: dict[str, Row], name: Callable[[str], str],
                  href: Callable[[str], str]) -> Table:
    table = Table(key, title, ["#", "Naam", "Uitgaven", "Aandeel", "Emissies", "Aandeel", "Gegund",
                               "Met criteria", "Kans"],
                  ["rank", "id", "name", "spend_eur", "spend_share", "emissions_t_co2e", "emissions_share",
                   "awarded_tenders", "awarded_tenders_with_criteria", "uptake", "opportunity"])
    for o in ranked(summed):
        r = summed[o.card_id]
        awarded = r["awarded_tender_count"]
        table.add(
            [Cell(str(o.rank), "num"), Cell(name(o.card_id), "label", href=href(o.card_id)),
             Cell(eur_nl(r["spend_eur"]), "num"), Cell(pct_nl(100 * o.spend_share), "num"),
             Cell(value_nl(r["emissions_t_co2e"], "t CO2e"), "num"), Cell(pct_nl(100 * o.emissions_share), "num"),
             Cell(count_nl(awarded), "num"),
             few_cell(pct_nl(100 * o.uptake), awarded) if awarded else Cell("–", "num"),
             Cell(number_nl(100 * o.score, 1), "num opportunity")],
            [o.rank, o.card_id, name(o.card_id), r["spend_eur"], o.spend_share, r["emissions_t_co2e"],
             o.emissions_share, awarded, r["awarded_tenders_with_criteria_count"], o.uptake, o.score],
        )
    table.note = OPPORTUNITY_TEXT + f" Grijs: minder dan {MIN_RECORDS} gegunde aanbestedingen (aantal erbij)."
    return table


def opportunity_chart(key: str, summed: dict[str, Row], name: Callable[[str], str], top: int = 15):
    best = ranked(summed)[:top][::-1]
    figure = go.Figure(go.Bar(x=[100 * o.score for o in best], y=[name(o.card_id) for o in best], orientation="h",
                              marker_color="#01689b", hovertemplate="%{y}: %{x:.1f}<extra></extra>"))
    figure.update_xaxes(title_text="kans")
    return chart(key, f"De {len(best)} grootste kansen", figure, height=max(260, 26 * len(best) + 60),
                 margin={"l": 8, "r": 16, "t": 8, "b": 40}, showlegend=False)


YEAR_MEASURES = ("spend_eur", "emissions_t_co2e", "contract_count", "contract_value_eur", "invoice_line_count",
                 "uncovered_isv_risk_spend_eur")
TENDER_COUNTS = ("awarded_tender_count", "awarded_tenders_with_criteria_count",
                 *(f"awarded_tenders_{t}_count" for t, _ in THEMES))


def year_table(key: str, cards: list[Row]) -> Table:
    """Per year: spend, emissions, contracts and contract value (the tender shares: criteria_table)."""
    table = Table(key, "Per jaar", ["Jaar", "Uitgaven", "Emissies", "Contracten", "Contractwaarde"],
                  ["year", *YEAR_MEASURES])
    for r in sorted(cards, key=lambda r: r["year"]):
        table.add([Cell(str(r["year"]), "label"), Cell(eur_nl(r["spend_eur"]), "num"),
                   Cell(value_nl(r["emissions_t_co2e"], "t CO2e"), "num"), Cell(count_nl(r["contract_count"]), "num"),
                   Cell(eur_nl(r["contract_value_eur"]), "num")],
                  [r["year"], *(r[c] for c in YEAR_MEASURES)])
    return table


def _share(count: int | None, awarded: int) -> Cell:
    """The share of the awarded tenders, greyed with their count when few."""
    if not awarded:
        return Cell("–", "num")
    return few_cell(pct_nl(100 * (count or 0) / awarded), awarded)


def criteria_table(key: str, cards: list[Row]) -> Table:
    """Per year: the awarded tenders and the share with MVOI criteria, in all and per theme."""
    table = Table(key, "Gegunde aanbestedingen met criteria, per jaar en thema",
                  ["Jaar", "Gegund", "Met criteria", *(label for _, label in THEMES)], ["year", *TENDER_COUNTS])
    for r in sorted(cards, key=lambda r: r["year"]):
        awarded = r["awarded_tender_count"] or 0
        table.add([Cell(str(r["year"]), "label"), Cell(count_nl(awarded), "num"),
                   *(_share(r[c], awarded) for c in TENDER_COUNTS[1:])],
                  [r["year"], *(r[c] for c in TENDER_COUNTS)])
    table.note = (f"Aandelen: van de gegunde aanbestedingen in dat jaar; grijs bij minder dan {MIN_RECORDS} "
                  "gegunde aanbestedingen (aantal erbij).")
    return table


def measures(section: Section, prefix: str, cards: list[Row]) -> Section:
    """The spend chart, the year table and the tender-criteria table of a product or sector card."""
    if cards:
        section.chart(spend_chart(f"{prefix}-uitgaven", cards))
    return section.table(year_table(f"{prefix}-jaren", cards)).table(criteria_table(f"{prefix}-criteria", cards))


def spend_chart(key: str, cards: list[Row]):
    rows = sorted(cards, key=lambda r: r["year"])
    figure = go.Figure([
        go.Bar(x=[r["year"] for r in rows], y=[r["spend_eur"] for r in rows], name="uitgaven (EUR)",
               marker_color="#01689b", hovertemplate="%{x}: € %{y:,.0f}<extra></extra>"),
    ])
    figure.update_xaxes(dtick=1, tickformat="d")
    figure.update_yaxes(title_text="EUR", tickformat=",.0f")
    return chart(key, "Uitgaven per jaar", figure)


def _facts(group: Row, sector_name: str, o: Opportunity | None, total: Row) -> list[tuple[str, str]]:
    return [
        ("Sector", sector_name),
        ("Cluster", group.get("cluster") or "–"),
        ("ISV-risico", group.get("isv_risk_category") or "geen"),
        ("Circulaire prioriteit", "ja" if group.get("is_circular_priority") else "nee"),
        ("CPV-prefixen", group.get("cpv_prefixes") or "–"),
        ("Onafgedekte ISV-risico-uitgaven", eur_nl(total.get("uncovered_isv_risk_spend_eur"))),
        ("Kans (rang)", f"{number_nl(100 * o.score, 1)} (nr. {o.rank})" if o else "–"),
    ]


def cpv_table(group_id: str, data: SiteData) -> Table:
    table = Table(f"product-{group_id}-cpv", "Top-CPV-codes naar uitgaven", ["CPV", "Omschrijving", "Uitgaven",
                  "Factuurregels"], ["cpv_code", "description_nl", "spend_eur", "invoice_line_count"])
    for r in data.top_cpv.get(group_id, []):
        table.add([Cell(r["cpv_code"], "label"), r["description_nl"] or "–", Cell(eur_nl(r["spend_eur"]), "num"),
                   Cell(count_nl(r["invoice_line_count"]), "num")],
                  [r["cpv_code"], r["description_nl"], r["spend_eur"], r["invoice_line_count"]])
    return table


def unclassified_table(data: SiteData) -> Table:
    table = Table("niet-ingedeeld-cpv", "Niet ingedeeld: CPV-afdelingen", ["Afdeling", "Omschrijving", "Uitgaven",
                  "Factuurregels"], ["cpv_division", "description_nl", "spend_eur", "invoice_line_count"])
    for r in data.unclassified_divisions:
        table.add([Cell(r["division"] or "geen CPV", "label"), r["description_nl"] or "–",
                   Cell(eur_nl(r["spend_eur"]), "num"), Cell(count_nl(r["invoice_line_count"]), "num")],
                  [r["division"], r["description_nl"], r["spend_eur"], r["invoice_line_count"]])
    return table


def org_table(key: str, group_ids: set[str], data: SiteData) -> Table:
    """The organisations that spend in these product groups, by spend."""
    spend: dict[str, float] = defaultdict(float)
    for r in data.org_product_spend:
        if r["product_group_id"] in group_ids:
            spend[r["organisation_id"]] += r["spend_eur"] or 0
    table = Table(key, "Organisaties naar uitgaven", ["Organisatie", "Uitgaven"], ["organisation_id", "spend_eur"])
    for oid, amount in sorted(spend.items(), key=lambda kv: -kv[1]):
        name = data.organisations.get(oid, {}).get("name", oid)
        table.add([Cell(name, "label", href=links.organisation(oid)), Cell(eur_nl(amount), "num")], [oid, amount])
    return table


def product_page(group_id: str, data: SiteData, summed: dict[str, Row], ranks: dict[str, Opportunity]) -> Page:
    group = data.product_groups.get(group_id, {"name_nl": group_id})
    sector = data.sectors.get(group.get("sector_id") or "", {})
    cards = [r for r in data.product_cards if r["product_group_id"] == group_id]
    page = Page(links.product(group_id), f"Productkaart: {group['name_nl']}", title_en=group.get("name_en") or None,
                nav=links.PRODUCTS)
    page.section("Kenmerken").add("dl", _facts(group, sector.get("name_nl", "–"), ranks.get(group_id),
                                               summed.get(group_id, {})))
    if group.get("sector_id"):
        page.sections[-1].add("links", [(links.sector(group["sector_id"]), f"Sectorkaart {sector.get('name_nl')}")])
    if group.get("is_unclassified"):
        page.section("Wat valt eronder").text(UNCLASSIFIED_TEXT).table(unclassified_table(data))
    measures(page.section("Uitgaven, contracten en aanbestedingen"), f"product-{group_id}", cards)
    page.section("CPV-codes").table(cpv_table(group_id, data))
    page.section("Organisaties").table(org_table(f"product-{group_id}-organisaties", {group_id}, data))
    return page


def products_index(data: SiteData, summed: dict[str, Row]) -> Page:
    def name(g: str) -> str:
        return data.product_groups.get(g, {}).get("name_nl", g)

    page = Page(links.PRODUCTS, "Productkaarten",
                lead="Alle MVI-productgroepen, gerangschikt op kans: waar veel wordt uitgegeven of uitgestoten en "
                "weinig aanbestedingen MVOI-criteria hebben.", nav=links.PRODUCTS)
    section = page.section("Kansen")
    if summed:
        section.chart(opportunity_chart("productgroepen-kans", summed, name))
    section.table(ranking_table("productgroepen", "Productgroepen gerangschikt op kans", summed, name, links.product))
    page.section("Niet ingedeeld", anchor="niet-ingedeeld").text(UNCLASSIFIED_TEXT).table(unclassified_table(data))
    return page


def sector_page(sector_id: str, data: SiteData, summed: dict[str, Row], group_totals: dict[str, Row],
                ranks: dict[str, Opportunity]) -> Page:
    sector = data.sectors.get(sector_id, {"name_nl": sector_id})
    o = ranks.get(sector_id)
    page = Page(links.sector(sector_id), f"Sectorkaart: {sector['name_nl']}", title_en=sector.get("name_en") or None,
                lead="De productkaart-maten opgeteld over de productgroepen van deze sector.", nav=links.SECTORS)
    page.section("Kenmerken").add("dl", [
        ("Productgroepen", count_nl(sector.get("product_group_count"))),
        ("Kans (rang)", f"{number_nl(100 * o.score, 1)} (nr. {o.rank})" if o else "–"),
    ])
    if sector.get("description"):
        page.sections[-1].english(sector["description"])
    if sector.get("is_unclassified"):
        page.sections[-1].text(UNCLASSIFIED_TEXT)
    cards = [r for r in data.sector_cards if r["sector_id"] == sector_id]
    measures(page.section("Uitgaven, contracten en aanbestedingen"), f"sector-{sector_id}", cards)
    groups = {g for g, r in data.product_groups.items() if r.get("sector_id") == sector_id}
    own = {g: r for g, r in group_totals.items() if g in groups}
    page.section("Productgroepen van deze sector").table(ranking_table(
        f"sector-{sector_id}-productgroepen", "Productgroepen gerangschikt op kans (binnen de sector)", own,
        lambda g: data.product_groups.get(g, {}).get("name_nl", g), links.product))
    page.section("Organisaties").table(org_table(f"sector-{sector_id}-organisaties", groups, data))
    return page


def sectors_index(data: SiteData, summed: dict[str, Row]) -> Page:
    def name(s: str) -> str:
        return data.sectors.get(s, {}).get("name_nl", s)

    page = Page(links.SECTORS, "Sectorkaarten", lead="De sectoren, elk een optelling van zijn productgroepen, "
                "gerangschikt op kans.", nav=links.SECTORS)
    section = page.section("Kansen")
    if summed:
        section.chart(opportunity_chart("sectoren-kans", summed, name))
    section.table(ranking_table("sectoren", "Sectoren gerangschikt op kans", summed, name, links.sector))
    return page


def pages(data: SiteData) -> list[Page]:
    products = totals(data.product_cards, "product_group_id")
    sectors = totals(data.sector_cards, "sector_id")
    product_ranks = {o.card_id: o for o in ranked(products)}
    sector_ranks = {o.card_id: o for o in ranked(sectors)}
    return [
        products_index(data, products),
        *(product_page(g, data, products, product_ranks) for g in data.product_groups),
        sectors_index(data, sectors),
        *(sector_page(s, data, sectors, products, sector_ranks) for s in data.sectors),
    ]


