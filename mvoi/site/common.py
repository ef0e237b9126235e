"""Helpers shared by the page builders: KPI value and name cells, scope names, layer cells
and the layer filter, quantiles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from mvoi.report.queries import Row
from mvoi.report.sections import LAYER_ORDER, SCOPE_LABELS
from mvoi.site import links
from mvoi.site.formatting import MISSING, kpi_value_nl
from mvoi.site.model import Cell, Table, few_cell

BETTER = {"higher": "hoger is beter", "lower": "lager is beter"}
YEAR_BASIS = {
    "award": "jaar van gunning", "invoice": "factuurjaar", "start": "startjaar van het contract",
    "end_date": "jaar van afronding van het contract", "period_end": "einde van de rapportageperiode",
}


def scope_name(scope_level: str, scope_id: str, organisations: dict[str, Row]) -> str:
    if scope_level == "organisation":
        org = organisations.get(scope_id)
        return org["name"] if org else scope_id
    return SCOPE_LABELS.get(scope_id, scope_id)


def kpi_label(kpi: Row) -> Cell:
    """A KPI's code and Dutch name, linked to its page, with its English name on a second line."""
    return Cell(f"{kpi['kpi_code']} {kpi['name_nl']}", "label", href=links.kpi(kpi["kpi_code"]),
                en=kpi.get("name_en") or None)


def layer_cell(layer: str | None) -> Cell:
    """A government layer, named in Dutch and tagged (data-layer) for the table's layer filter."""
    return Cell(SCOPE_LABELS.get(layer, layer or MISSING), attrs={"data-layer": layer or ""})


def layer_filter(table: Table, layers: Iterable[str | None]) -> Table:
    """Give `table` a layer filter offering the layers of its rows (in the usual order)."""
    present = {layer for layer in layers if layer}
    order = [*LAYER_ORDER, *sorted(present - set(LAYER_ORDER))]
    table.layers = [(layer, SCOPE_LABELS.get(layer, layer)) for layer in order if layer in present]
    return table


def status_class(row: Row | None) -> str:
    if row is None or row.get("meets_target") is None:
        return ""
    return "met" if row["meets_target"] else "missed"


def status_text(row: Row | None) -> str:
    if row is None or row.get("meets_target") is None:
        return "geen doel" if row is None or row.get("target_value") is None else MISSING
    return "gehaald" if row["meets_target"] else "niet gehaald"


def kpi_cell(row: Row | None, kpi: Row) -> Cell:
    """The cell of one fct_kpi_values row: formatted, greyed with its count when few records
    support it, coloured by target status, and tagged for the tests (data-kpi/-scope/-year)."""
    if row is None:
        return Cell(MISSING, "num")
    text = kpi_value_nl(row["value"], kpi["unit"], kpi["bounds"])
    cell = few_cell(text, row["record_count"], f"num value {status_class(row)}".strip(),
                    **{"data-kpi": row["kpi_code"], "data-scope": str(row["scope_id"]), "data-year": str(row["year"])})
    if not cell.title:
        cell.title = f"{row['record_count']} records"
    return cell


def quantiles(values: list[float]) -> tuple[float, float, float] | None:
    """(p25, median, p75) with linear interpolation; None without values."""
    clean = [float(v) for v in values if v is not None]
    if not clean:
        return None
    p25, p50, p75 = np.percentile(clean, [25, 50, 75])
    return float(p25), float(p50), float(p75)


def index(rows: list[Row], *keys: str) -> dict[tuple[Any, ...], Row]:
    return {tuple(r[k] for k in keys): r for r in rows}
