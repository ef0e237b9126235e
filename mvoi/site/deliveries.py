"""Deliveries on the site: the delivery completeness (home page: the latest year; data-quality
page: every year) from mart_delivery_completeness, and on each organisation's page its
deliveries and its rejected rows per entity and reason from mart_organisation_deliveries.

Counts, reason codes and the landing contract's descriptions only: the rejected rows themselves
(with their delivered values) reach the organisation through `mvoi feedback`, never the site.
"""

from __future__ import annotations

from collections import defaultdict

from mvoi.report.queries import Row
from mvoi.report.sections import ENTITY_ORDER, LAYER_ORDER, SCOPE_LABELS
from mvoi.site import links
from mvoi.site.data import SiteData
from mvoi.site.formatting import count_nl, pct_nl
from mvoi.site.model import Cell, Table

ANCHOR = "volledigheid"  # the full table on the data-quality page
STATUS = {"accepted": "geaccepteerd", "refused": "geweigerd"}
FEEDBACK_COMMAND = "mvoi feedback <delivery_id> --out DIR"


def _scope_order(scope: tuple[str, str]) -> tuple[int, int, str]:
    """The nation first, then the government layers in the contract's order, then any other."""
    level, scope_id = scope
    if level == "national":
        return (0, 0, scope_id)
    return (1, LAYER_ORDER.index(scope_id) if scope_id in LAYER_ORDER else len(LAYER_ORDER), scope_id)


def _scopes(data: SiteData) -> list[tuple[str, str]]:
    return sorted({(r["scope_level"], r["scope_id"]) for r in data.completeness}, key=_scope_order)


def completeness_year(data: SiteData) -> int | None:
    """The year the home page shows: the latest KPI year when the completeness mart has it,
    else the mart's latest year; None without completeness rows."""
    years = sorted({r["year"] for r in data.completeness})
    if not years:
        return None
    return data.latest_year if data.latest_year in years else years[-1]


def _cell(text: str, r: Row, measure: str) -> Cell:
    incomplete = r["organisations_delivered"] < r["organisations_expected"]
    return Cell(text, "num incomplete" if incomplete else "num", attrs={
        "data-completeness-scope": r["scope_id"], "data-completeness-year": str(r["year"]), "data-measure": measure})


def latest_table(data: SiteData, year: int) -> Table:
    """Per scope the organisations expected to report for `year`, those that delivered, the share."""
    table = Table("volledigheid-laatste-jaar", f"Aanlevering {year}: organisaties die aanleverden",
                  ["Bestuurslaag", "Verwacht", "Aangeleverd", "Aandeel"],
                  ["scope_level", "scope_id", "year", "organisations_expected", "organisations_delivered",
                   "share_delivered"])
    found = {(r["scope_level"], r["scope_id"]): r for r in data.completeness if r["year"] == year}
    for scope in _scopes(data):
        r = found.get(scope)
        if r is None:
            continue
        table.add([Cell(SCOPE_LABELS.get(r["scope_id"], r["scope_id"]), "label"),
                   _cell(count_nl(r["organisations_expected"]), r, "expected"),
                   _cell(count_nl(r["organisations_delivered"]), r, "delivered"),
                   _cell(pct_nl(r["share_delivered"]), r, "share")],
                  [r["scope_level"], r["scope_id"], year, r["organisations_expected"], r["organisations_delivered"],
                   r["share_delivered"]])
    table.note = ("Verwacht: de organisaties die over dit jaar moeten rapporteren. Aangeleverd: met een geaccepteerde, "
                  "actuele levering die het jaar dekt. Rood: niet iedereen leverde aan.")
    return table


def years_table(data: SiteData) -> Table:
    """Every scope and year: delivered / expected (share)."""
    years = sorted({r["year"] for r in data.completeness})
    found = {(r["scope_level"], r["scope_id"], r["year"]): r for r in data.completeness}
    table = Table("volledigheid", "Aangeleverd / verwacht per jaar (aandeel)", ["Bestuurslaag", *map(str, years)],
                  ["scope_level", "scope_id", "year", "organisations_expected", "organisations_delivered",
                   "share_delivered"])
    for level, scope_id in _scopes(data):
        cells: list[Cell | str] = [Cell(SCOPE_LABELS.get(scope_id, scope_id), "label")]
        for year in years:
            r = found.get((level, scope_id, year))
            if r is None:
                cells.append(Cell("–", "num"))
                continue
            cells.append(_cell(f"{count_nl(r['organisations_delivered'])} / {count_nl(r['organisations_expected'])} "
                               f"({pct_nl(r['share_delivered'])})", r, "delivered_of_expected"))
            table.raw.append([level, scope_id, year, r["organisations_expected"], r["organisations_delivered"],
                              r["share_delivered"]])
        table.add(cells, None)
    table.note = ("Per jaar: organisaties met een geaccepteerde, actuele levering die het jaar dekt, van de organisaties "
                  "die over dat jaar moeten rapporteren (seed expected_organisations). Bron: "
                  "mart_delivery_completeness.")
    return table


def home_links() -> list[tuple[str, str]]:
    return [(f"{links.QUALITY}#{ANCHOR}", "Volledigheid van alle jaren (Datakwaliteit)")]


# --------------------------------------------------------------------------------------
# an organisation's deliveries and rejected rows


def by_organisation(data: SiteData) -> dict[str, list[Row]]:
    """organisation_id -> its rows of mart_organisation_deliveries (indexed once for all pages)."""
    out: dict[str, list[Row]] = defaultdict(list)
    for r in data.organisation_deliveries:
        out[r["organisation_id"]].append(r)
    return dict(out)


def _deliveries(rows: list[Row]) -> list[tuple[Row, int]]:
    """Each delivery once, newest first, with the organisation's rejected rows in it."""
    rejected: dict[str, int] = defaultdict(int)
    first: dict[str, Row] = {}
    for r in rows:
        first.setdefault(r["delivery_id"], r)
        rejected[r["delivery_id"]] += r["rejected_rows"] or 0
    ordered = sorted(first.values(), key=lambda r: (-(r["delivery_sequence"] or 0), r["delivery_id"]))
    return [(r, rejected[r["delivery_id"]]) for r in ordered]


def _period(r: Row) -> str:
    if r["period"] is not None:
        return str(r["period"])
    return "map, alle organisaties" if r["delivery_scope"] == "landing_folder" else "volledig"


def _state(r: Row) -> str:
    if r["status"] != "accepted":
        return "–"
    if r["is_current"]:
        return "actueel"
    return f"vervangen door {r['superseded_by']}" if r["superseded_by"] else "vervangen"


def deliveries_table(oid: str, rows: list[Row]) -> Table:
    table = Table(f"organisatie-{oid}-leveringen", "Leveringen",
                  ["Levering", "Ontvangen", "Periode", "Status", "Actueel", "Rijen", "Afgekeurd"],
                  ["delivery_id", "delivery_sequence", "delivery_scope", "period", "received_at", "status",
                   "is_current", "superseded_by", "file_count", "delivery_row_count", "rejected_rows"])
    multi = False
    for r, rejected in _deliveries(rows):
        multi = multi or (r["organisations_covered"] or 0) > 1
        received = r["received_at"].strftime("%d-%m-%Y %H:%M") if r["received_at"] else "–"
        table.add([Cell(r["delivery_id"], "code", attrs={"data-delivery": r["delivery_id"]}), received,
                   _period(r), STATUS.get(r["status"], r["status"]), _state(r),
                   Cell(count_nl(r["delivery_row_count"]), "num"),
                   Cell(count_nl(rejected), "num", attrs={"data-delivery-rejected": r["delivery_id"]})],
                  [r["delivery_id"], r["delivery_sequence"], r["delivery_scope"], r["period"], r["received_at"],
                   r["status"], r["is_current"], r["superseded_by"], r["file_count"], r["delivery_row_count"],
                   rejected])
    note = ("Nieuwste eerst. Actueel: de build leest deze levering; een latere volledige levering (of een latere "
            "levering van dezelfde periode) vervangt haar. Rijen: alle rijen van de levering; afgekeurd: de records "
            "van deze organisatie die de laatste build niet laadde.")
    if multi:
        note += " Een map met alle organisaties (landing_folder) telt de rijen van alle organisaties."
    table.note = note
    return table


def _rejection_order(r: Row) -> tuple:
    entity = r["entity"]
    return (-(r["delivery_sequence"] or 0), r["delivery_id"],
            ENTITY_ORDER.index(entity) if entity in ENTITY_ORDER else len(ENTITY_ORDER), entity,
            -r["rejected_rows"], r["reason_code"])


def rejections_table(oid: str, rows: list[Row]) -> Table:
    table = Table(f"organisatie-{oid}-afgekeurd", "Afgekeurde records per entiteit en reden",
                  ["Levering", "Entiteit", "Reden", "Omschrijving", "Records"],
                  ["delivery_id", "entity", "reason_code", "reason", "rejected_rows"])
    for r in sorted((r for r in rows if r["reason_code"] is not None), key=_rejection_order):
        table.add([Cell(r["delivery_id"], "code"), Cell(r["entity"], "label"), Cell(r["reason_code"], "code"),
                   Cell(r["reason"] or "", "label"),
                   Cell(count_nl(r["rejected_rows"]), "num", attrs={
                       "data-rejected-delivery": r["delivery_id"], "data-rejected-entity": r["entity"],
                       "data-rejected-reason": r["reason_code"]})],
                  [r["delivery_id"], r["entity"], r["reason_code"], r["reason"], r["rejected_rows"]])
    table.note = ("Per reden het aantal records dat de laatste build afkeurde (niet laadde), bij de eerste reden van elk "
                  "record. Alleen aantallen en redenen: de aangeleverde waarden staan in de terugkoppeling.")
    return table


def feedback_text(rows: list[Row]) -> str:
    """How the organisation gets its feedback file (`mvoi feedback`), with its latest current
    delivery as the example."""
    current = [r for r, _ in _deliveries(rows) if r["is_current"]]
    example = f" Voor de laatste actuele levering: mvoi feedback {current[0]['delivery_id']} --out terugkoppeling/." \
        if current else ""
    return ("Terugkoppeling: de afgekeurde records met de aangeleverde waarden, en de records die met een waarschuwing "
            "zijn geladen, staan per levering in een terugkoppelbestand (CSV en HTML) voor de organisatie zelf; ze "
            f"staan niet op deze site. Het beheer maakt het na de build met {FEEDBACK_COMMAND}.{example}")
