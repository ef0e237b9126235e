"""The home page (the six themes at a glance), data quality and provenance, downloads."""

from __future__ import annotations

import plotly.graph_objects as go

from mvoi import build_status
from mvoi.report.queries import Row
from mvoi.report.sections import LAYER_ORDER, SCOPE_COLOURS, SCOPE_LABELS, THEME_ORDER, refused_build
from mvoi.site import deliveries, links
from mvoi.site.common import index, kpi_cell, kpi_label, status_text
from mvoi.site.data import SiteData
from mvoi.site.formatting import MIN_RECORDS, count_nl, kpi_value_nl, number_nl, pct_nl
from mvoi.site.model import Cell, Page, Table, chart

SCOPES = ("NL", *LAYER_ORDER)
DIMENSIONS = {"completeness": "Volledigheid", "validity": "Geldigheid", "uniqueness": "Uniciteit",
              "consistency": "Consistentie", "timeliness": "Tijdigheid", "accuracy": "Nauwkeurigheid",
              "traceability": "Herleidbaarheid"}


def _theme_codes(theme: Row, data: SiteData) -> list[str]:
    codes = [c.strip() for c in (theme.get("kpi_codes") or "").split(",") if c.strip()]
    return [c for c in codes if c in data.kpis] or [c for c, k in data.kpis.items() if k["theme"] == theme["theme"]]


def _trend(rows: list[Row], kpi: Row) -> str:
    """The change of the national value over the last two years, as text."""
    national = sorted((r for r in rows if r["scope_level"] == "national" and r["value"] is not None),
                      key=lambda r: r["year"])
    if len(national) < 2:
        return "–"
    previous, last = national[-2], national[-1]
    change = last["value"] - previous["value"]
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    return f"{arrow} {number_nl(change, 1)} sinds {previous['year']} ({kpi_value_nl(previous['value'], kpi['unit'], kpi['bounds'])})"


def theme_table(theme: Row, codes: list[str], data: SiteData, year: int) -> Table:
    by_key = index([r for r in data.values if r["scope_level"] != "organisation"], "kpi_code", "scope_id", "year")
    by_kpi = data.values_by_kpi()
    table = Table(f"thema-{theme['theme']}", f"{theme['name_nl']} ({year})",
                  ["KPI", *(SCOPE_LABELS[s] for s in SCOPES), "Trend NL"],
                  ["kpi_code", "scope_id", "year", "value", "record_count", "target_value", "meets_target"])
    for code in codes:
        kpi = data.kpis[code]
        found = [by_key.get((code, s, year)) for s in SCOPES]
        table.add([kpi_label(kpi), *(kpi_cell(r, kpi) for r in found), Cell(_trend(by_kpi.get(code, []), kpi), "trend")], None)
        for scope, r in zip(SCOPES, found, strict=True):
            if r:
                table.raw.append([code, scope, year, r["value"], r["record_count"], r["target_value"],
                                  r["meets_target"]])
    table.note = (f"Waarden {year}; ✓ doel gehaald, ✗ niet gehaald (per laag). Grijs: minder dan {MIN_RECORDS} "
                  "records (aantal erbij).")
    return table


def headline(theme: Row, code: str, data: SiteData, year: int) -> dict[str, str]:
    kpi = data.kpis[code]
    rows = data.values_by_kpi().get(code, [])
    national = index([r for r in rows if r["scope_level"] == "national"], "year").get((year,))
    layers = index([r for r in rows if r["scope_level"] == "government_layer"], "scope_id", "year")
    status = [f"{SCOPE_LABELS[s]}: {status_text(layers.get((s, year)))}" for s in LAYER_ORDER
              if layers.get((s, year)) and layers[(s, year)]["target_value"] is not None]
    cell = kpi_cell(national, kpi)
    return {"theme": theme["name_nl"], "theme_en": theme["name_en"] or "", "code": code, "name": kpi["name_nl"],
            "href": links.kpi(code), "value": cell.text, "cls": cell.cls, "trend": _trend(rows, kpi),
            "anchor": f"thema-{theme['theme']}", "targets": "; ".join(status) or "geen doel per laag"}


def headline_chart(code: str, data: SiteData):
    rows = sorted((r for r in data.values_by_kpi().get(code, []) if r["scope_level"] == "national"),
                  key=lambda r: r["year"])
    figure = go.Figure(go.Scatter(x=[r["year"] for r in rows], y=[r["value"] for r in rows], mode="lines+markers",
                                  line={"color": SCOPE_COLOURS["NL"]}, name="NL"))
    figure.update_xaxes(dtick=1, tickformat="d")
    return chart(f"home-{code.lower()}", f"{code} landelijk", figure, height=180,
                 margin={"l": 40, "r": 8, "t": 8, "b": 24}, showlegend=False)


def completeness_table(data: SiteData) -> Table:
    table = Table("aanlevering", "Aanlevering per entiteit", ["Entiteit", "Aangeleverd", "Geladen", "Afgekeurd",
                  "Dubbel", "Afgekeurd %"], ["entity", "raw_rows", "loaded_rows", "rejected_rows",
                                             "exact_duplicates_removed", "rejected_share"])
    for r in data.reconciliation:
        table.add([Cell(r["entity"], "label"), *(Cell(count_nl(r[c]), "num") for c in
                   ("raw_rows", "loaded_rows", "rejected_rows", "exact_duplicates_removed")),
                   Cell(pct_nl(100 * (r["rejected_share"] or 0)), "num")],
                  [r["entity"], r["raw_rows"], r["loaded_rows"], r["rejected_rows"], r["exact_duplicates_removed"],
                   r["rejected_share"]])
    return table


def provenance(data: SiteData) -> list[tuple[str, str]]:
    pub = data.publication
    published_at = pub.get("published_at")
    return [
        ("Build (run id)", str(pub.get("run_id") or "–")),
        ("Gepubliceerd", published_at.strftime("%d-%m-%Y %H:%M") if published_at else "–"),
        ("Tabellen in de publicatie", count_nl(pub.get("published_tables"))),
        ("Bron", data.db_path.name),
    ]


OUTCOMES = {"refused": "geweigerd", "failed": "mislukt"}


def later_build(data: SiteData) -> dict | None:
    """The last build when it came after this publication and did not publish (build_status.json)."""
    return refused_build(build_status.read(data.db_path), data.publication.get("published_at"))


def outcome_nl(refused: dict) -> str:
    return OUTCOMES.get(refused["outcome"], refused["outcome"])


def refused_banner(data: SiteData) -> str | None:
    """A warning when the last build after this publication was refused."""
    refused = later_build(data)
    if not refused:
        return None
    reasons = "; ".join(str(r) for r in refused["reasons"][:3])
    return (f"Een latere build ({refused['finished_at']}) is niet gepubliceerd ({outcome_nl(refused)})"
            f"{': ' + reasons if reasons else ''}. Deze site toont de laatste publicatie.")


def later_build_section(page: Page, data: SiteData) -> None:
    """The data-quality page: the later build that did not publish, with all its reasons."""
    refused = later_build(data)
    section = page.section("Latere build", anchor="latere-build")
    if not refused:
        section.text("Geen latere build die niet is gepubliceerd: deze publicatie is de laatste build.")
        return
    section.add("dl", [("Klaar", refused["finished_at"]), ("Uitkomst", f"niet gepubliceerd ({outcome_nl(refused)})")])
    section.text(*(f"Reden: {r}" for r in refused["reasons"])) if refused["reasons"] else section.text(
        "Geen reden vastgelegd.")


def home(data: SiteData) -> Page:
    year = data.latest_year or 0
    page = Page(links.HOME, "MVOI-monitor", nav=links.HOME,
                lead=f"Maatschappelijk verantwoord opdrachtgeven en inkopen: de zes thema's in één oogopslag, "
                f"landelijk en per bestuurslaag, laatste jaar {year}.")
    themes = [data.themes[t] for t in THEME_ORDER if t in data.themes]
    cards = []
    for theme in themes:
        codes = _theme_codes(theme, data)
        if codes:
            card = headline(theme, codes[0], data, year)
            card["chart"] = headline_chart(codes[0], data)
            cards.append(card)
    page.banner = refused_banner(data)
    page.section("Thema's").add("themes", cards)
    delivery_year = deliveries.completeness_year(data)
    if delivery_year is not None:
        page.section(f"Aanlevering {delivery_year}", anchor="aanlevering").table(
            deliveries.latest_table(data, delivery_year)).add("links", deliveries.home_links())
    for theme in themes:
        codes = _theme_codes(theme, data)
        if codes:
            page.section(theme["name_nl"], anchor=f"thema-{theme['theme']}").table(
                theme_table(theme, codes, data, year))
    page.section("Aanlevering en herkomst").add("dl", provenance(data)).table(completeness_table(data))
    page.section("Verder").add("links", [
        (links.ORGANISATIONS, "Organisaties: een pagina per organisatie, met zoekvak"),
        (links.PRODUCTS, "Productkaarten: alle MVI-productgroepen, gerangschikt op kans"),
        (links.SECTORS, "Sectorkaarten"), (links.QUALITY, "Datakwaliteit en herkomst"),
        (links.DOWNLOADS, "Downloads: elke tabel als CSV, de Parquet-export"),
    ])
    return page


def quality(data: SiteData) -> Page:
    page = Page(links.QUALITY, "Datakwaliteit en herkomst", nav=links.QUALITY,
                lead="Welke organisaties aanleverden, de scorecard van de negen aangeleverde entiteiten, wat geladen "
                "en afgekeurd is en waarom.")
    page.banner = refused_banner(data)
    page.section("Build").add("dl", provenance(data))
    later_build_section(page, data)
    if data.completeness:
        page.section("Volledigheid van de aanlevering", anchor=deliveries.ANCHOR).table(deliveries.years_table(data))
    page.section("Aanlevering").table(completeness_table(data))
    reasons = Table("afkeurredenen", "Afgekeurde records per reden", ["Entiteit", "Reden", "Records"],
                    ["entity", "reason_code", "row_count"])
    for r in data.rejected_counts:
        reasons.add([Cell(r["entity"], "label"), r["reason_code"], Cell(count_nl(r["row_count"]), "num")],
                    [r["entity"], r["reason_code"], r["row_count"]])
    page.section("Afgekeurd").table(reasons)
    dims = sorted({r["dq_dimension"] for r in data.scorecard})
    scores = index(data.scorecard, "entity", "dq_dimension")
    card = Table("scorecard", "Scorecard (0–100) per entiteit en dimensie",
                 ["Entiteit", *(DIMENSIONS.get(d, d) for d in dims)], ["entity", "dq_dimension", "score"])
    for entity in sorted({r["entity"] for r in data.scorecard}):
        found = [scores.get((entity, d)) for d in dims]
        card.add([Cell(entity, "label"), *(Cell(number_nl(r["score"], 1) if r else "–", "num") for r in found)], None)
        card.raw.extend([entity, d, r["score"]] for d, r in zip(dims, found, strict=True) if r)
    page.section("Scorecard").table(card)
    return page


def downloads(pages: list[Page], parquet: list[tuple[str, str]]) -> Page:
    """Every table of the site (CSV) and the Parquet export (links relative to the site)."""
    page = Page(links.DOWNLOADS, "Downloads", nav=links.DOWNLOADS,
                lead="Elke tabel van de site als CSV (UTF-8, komma-gescheiden; cellen die een spreadsheet als "
                "formule zou uitvoeren beginnen met een apostrof), en de Parquet-export van de publicatie.")
    files = [(t.csv_href, f"{p.title}: {t.title}") for p in pages for t in p.tables() if t.csv_href]
    page.section("Parquet-export").add("links", parquet) if parquet else page.section("Parquet-export").text(
        "Geen Parquet-export gevonden naast de publicatie.")
    page.section(f"CSV ({len(files)} tabellen)").add("links", files)
    return page
