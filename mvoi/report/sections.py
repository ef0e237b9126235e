"""The report's sections as the template shows them: query rows turned into formatted
texts, table cells and charts. One public function per section; no SQL here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from mvoi import contract
from mvoi.report import queries
from mvoi.report.charts import Series, TargetLine, bar_chart, line_chart
from mvoi.report.formatting import (
    MISSING,
    NOT_MEANINGFUL,
    format_eur,
    format_kpi_value,
    format_number,
    format_share,
    format_value,
    is_not_meaningful,
)
from mvoi.report.queries import Row

# Display order: the cross-cutting KPIs first, then the six MVOI themes.
THEME_ORDER = ("algemeen", "milieu", "klimaat", "circulair", "isv", "diversiteit_inclusie", "social_return")
LAYER_ORDER = contract.code_list("organisations", "government_layer")
SCOPE_LABELS = {
    "NL": "Nederland",
    "rijk": "Rijk",
    "provincie": "Provincies",
    "gemeente": "Gemeenten",
    "waterschap": "Waterschappen",
    "overig": "Overige organisaties",
}
SCOPE_COLOURS = {
    "NL": "#1b1b1b",
    "rijk": "#01689b",
    "provincie": "#e17000",
    "gemeente": "#39870c",
    "waterschap": "#8fcae7",
    "overig": "#a90061",
}
FALLBACK_COLOURS = ("#5c5c5c", "#ffb612", "#673327", "#42145f")
# landing entities in the order of the landing contract; other entities (warehouse tables) after
ENTITY_ORDER = (
    "organisations", "suppliers", "supplier_certificates", "tenders", "tender_criteria",
    "contracts", "invoice_lines", "social_return_realisations", "material_reports",
)
ENTITY_KIND_LABELS = {"landing": "Landing (source) entities", "warehouse": "Warehouse models, seeds and marts"}
PUBLICATION_FIELD_LABELS = {
    "run_id": "Run id (dbt invocation of the published build)",
    "published_at": "Published at (UTC)",
    "published_tables": "Tables published",
    "export_folder": "Parquet export folder",
}
SOURCE_FILE_COLUMNS = ("file_name", "file_format", "loaded_at")


def _scope_order(scope_level: str, scope_id: str) -> tuple[int, int, str]:
    """The nation first, then the government layers in LAYER_ORDER, then any other scope."""
    if scope_level == "national":
        return (0, 0, scope_id)
    if scope_id in LAYER_ORDER:
        return (1, LAYER_ORDER.index(scope_id), scope_id)
    return (1, len(LAYER_ORDER), scope_id)


def _entity_order(entity: str) -> tuple[int, str]:
    return (ENTITY_ORDER.index(entity) if entity in ENTITY_ORDER else len(ENTITY_ORDER), entity)


# --------------------------------------------------------------------------------------
# KPIs per theme


def _value_cell(r: Row, unit: str, bounds: str | None) -> dict[str, Any]:
    """A table cell of one scope and year: the rounded value (or n.m.), target status and a
    tooltip with the record count, numerator / denominator and target."""
    title = f"records: {r['record_count']}"
    if r["denominator"] is not None:
        title += f"; numerator {format_number(r['numerator'], 2)} / denominator {format_number(r['denominator'], 2)}"
    if r["target_value"] is not None:
        title += f"; target {format_value(r['target_value'], unit)}"
    if is_not_meaningful(r["value"], bounds):
        title += f"; {NOT_MEANINGFUL}: {format_number(r['value'], 2)} % lies outside 0-100 (credit notes)"
    return {
        "year": r["year"],
        "present": True,
        "text": format_kpi_value(r["value"], unit, bounds),
        "meets_target": r["meets_target"],
        "has_target": r["target_value"] is not None,
        "title": title,
    }


def _scopes_and_series(
    kpi_rows: list[Row], years: list[int], unit: str, bounds: str | None
) -> tuple[list[dict[str, Any]], list[Series]]:
    """The table rows (one per scope, a cell per year) and the chart's line per scope."""
    cells = {(r["scope_level"], r["scope_id"], r["year"]): r for r in kpi_rows}
    scopes = sorted({(r["scope_level"], r["scope_id"]) for r in kpi_rows}, key=lambda s: _scope_order(*s))
    extra_colours = iter(FALLBACK_COLOURS)
    table_rows, series = [], []
    for level, scope_id in scopes:
        label = SCOPE_LABELS.get(scope_id, scope_id)
        row_cells, points = [], {}
        for year in years:
            r = cells.get((level, scope_id, year))
            if r is None:
                row_cells.append({"year": year, "present": False, "text": "", "title": "no records"})
                continue
            points[year] = r["value"]
            row_cells.append(_value_cell(r, unit, bounds))
        table_rows.append({"scope_level": level, "scope_id": scope_id, "label": label, "cells": row_cells})
        colour = SCOPE_COLOURS.get(scope_id) or next(extra_colours, "#777777")
        series.append(Series(scope_id, label, points, colour, emphasis=level == "national"))
    return table_rows, series


def _target_lines(kpi_rows: list[Row], unit: str) -> list[TargetLine]:
    """One line per distinct target value, naming the scopes it applies to."""
    target_scopes: dict[float, list[str]] = {}
    for r in kpi_rows:
        if r["target_value"] is not None:
            names = target_scopes.setdefault(float(r["target_value"]), [])
            name = SCOPE_LABELS.get(r["scope_id"], r["scope_id"])
            if name not in names:
                names.append(name)
    return [
        TargetLine(value, f"target {format_value(value, unit)} ({', '.join(names)})")
        for value, names in sorted(target_scopes.items())
    ]


def _national_latest(kpi_rows: list[Row], latest: int | None, unit: str, bounds: str | None) -> str:
    """The headline: the national value of the latest year with values."""
    found = [r for r in kpi_rows if r["scope_level"] == "national" and r["scope_id"] == "NL" and r["year"] == latest]
    return format_kpi_value(found[0]["value"], unit, bounds) if found else MISSING


def _reporting_text(r: Row) -> str:
    """`5 / 7`: organisations with records for the KPI of those expected to report."""
    return f"{format_number(r['organisations_reporting'])} / {format_number(r['organisations_expected'])}"


def _add_reporting(table_rows: list[dict[str, Any]], reporting: dict[tuple, Row], latest: int | None) -> None:
    """Per scope row the organisations reporting of those expected in the latest year (a
    column of its own), and per value cell the same for its year (in the tooltip)."""
    for row in table_rows:
        for cell in row["cells"]:
            found = reporting.get((row["scope_level"], row["scope_id"], cell["year"]))
            if found is not None and cell["present"]:
                cell["title"] += f"; organisations reporting: {_reporting_text(found)} expected"
        found = reporting.get((row["scope_level"], row["scope_id"], latest))
        row["reporting"] = None if found is None else {
            "text": _reporting_text(found),
            "reporting": found["organisations_reporting"],
            "expected": found["organisations_expected"],
        }


def _kpi(reg: Row, kpi_rows: list[Row], reporting: dict[tuple, Row] | None = None) -> dict[str, Any]:
    """One KPI: its definition from dim_kpis, its table (with the organisations reporting of
    those expected, when the publication has fct_kpi_values v2) and its trend chart."""
    code, unit, bounds = reg["kpi_code"], reg["unit"], reg["bounds"]
    years = sorted({r["year"] for r in kpi_rows})
    table_rows, series = _scopes_and_series(kpi_rows, years, unit, bounds)
    chart_title = f"{code} {reg['name_nl']}: trend per year"
    latest = years[-1] if years else None
    if reporting is not None:
        _add_reporting(table_rows, reporting, latest)
    return {
        "code": code,
        "name_nl": reg["name_nl"],
        "name_en": reg["name_en"] or "",
        "unit": unit,
        "year_basis": reg["year_basis"],
        "numerator": reg["numerator_definition"],
        "denominator": reg["denominator_definition"],
        "better": reg["better"],
        "target_description": reg["target_description"],
        "years": years,
        "rows": table_rows,
        "has_reporting": reporting is not None,
        "chart": line_chart(f"chart-{code}", chart_title, unit, years, series, _target_lines(kpi_rows, unit)),
        "latest_year": latest,
        "national_latest": _national_latest(kpi_rows, latest, unit, bounds),
    }


def kpi_sections(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """A section per theme (THEME_ORDER first) with every KPI of the register in that theme."""
    register = queries.kpi_register(con)
    theme_info = queries.themes(con)
    by_kpi: dict[str, list[Row]] = {}
    for r in queries.kpi_values(con):
        by_kpi.setdefault(r["kpi_code"], []).append(r)
    reporting: dict[str, dict[tuple, Row]] | None = None
    if queries.has_table(con, queries.FCT_KPI_VALUES_V2):
        reporting = {code: {(r["scope_level"], r["scope_id"], r["year"]): r for r in found
                            if r["organisations_expected"] is not None}
                     for code, found in by_kpi.items()}
    theme_names = list(THEME_ORDER) + [t for t in dict.fromkeys(r["theme"] for r in register.values())
                                       if t not in THEME_ORDER]
    sections = []
    for theme in theme_names:
        kpis = [_kpi(reg, by_kpi.get(code, []), None if reporting is None else reporting.get(code, {}))
                for code, reg in register.items() if reg["theme"] == theme]
        if kpis:
            info = theme_info[theme]
            sections.append({"theme": theme, "name_nl": info["name_nl"], "name_en": info["name_en"],
                             "description": info["description"], "kpis": kpis})
    return sections


# --------------------------------------------------------------------------------------
# delivery completeness


def completeness(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """Per scope (the nation, then the government layers) and year: organisations expected to
    report, those that delivered, and the share; None for a publication made before the
    landing store (no mart_delivery_completeness)."""
    if not queries.has_table(con, queries.DELIVERY_COMPLETENESS):
        return None
    found = queries.delivery_completeness(con)
    years = sorted({r["year"] for r in found})
    cells = {(r["scope_level"], r["scope_id"], r["year"]): r for r in found}
    scopes = sorted({(r["scope_level"], r["scope_id"]) for r in found}, key=lambda s: _scope_order(*s))
    table_rows = []
    for level, scope_id in scopes:
        row_cells = []
        for year in years:
            r = cells.get((level, scope_id, year))
            row_cells.append(None if r is None else {
                "year": year,
                "expected": r["organisations_expected"],
                "delivered": r["organisations_delivered"],
                "text": f"{format_number(r['organisations_delivered'])} / {format_number(r['organisations_expected'])}",
                "share": format_value(r["share_delivered"], "%"),
                "complete": r["organisations_delivered"] == r["organisations_expected"],
            })
        table_rows.append({"scope_level": level, "scope_id": scope_id, "label": SCOPE_LABELS.get(scope_id, scope_id),
                           "cells": row_cells})
    return {"table": queries.DELIVERY_COMPLETENESS, "kpi_table": queries.FCT_KPI_VALUES_V2, "years": years,
            "rows": table_rows}


# --------------------------------------------------------------------------------------
# public notices and self-reported data

# the tender KPIs computed from the notices (fct_kpi_values_v2, source public_notices), in
# the register's order; GEN-03 has none (notices carry no ambition level)
NOTICE_KPIS = ("GEN-01", "GEN-02", "KLI-01", "CIR-01", "CIR-02", "MIL-01", "DI-01")
SOURCES = ("self_reported", "public_notices")
SOURCE_LABELS = {"self_reported": "Eigen opgave", "public_notices": "Publicaties"}
FINDINGS = ("published_not_delivered", "delivered_not_published", "theme_mismatch")
FINDING_LABELS = {
    "published_not_delivered": "Gepubliceerd, niet in eigen opgave",
    "delivered_not_published": "In eigen opgave, niet gepubliceerd (boven EU-drempel)",
    "theme_mismatch": "Thema's verschillen",
}


def _source_cell(r: Row | None, unit: str, bounds: str | None) -> dict[str, Any] | None:
    """One source's value, record count and organisations with records (None: no row)."""
    if r is None:
        return None
    return {
        "value": format_kpi_value(r["value"], unit, bounds),
        "records": format_number(r["record_count"]),
        "organisations": format_number(r["organisations_reporting"]),
        "title": f"{format_number(r['organisations_reporting'])} van {format_number(r['organisations_expected'])} "
                 "verwachte organisaties",
    }


def _difference(cells: dict[str, Row | None], unit: str, bounds: str | None) -> str:
    """Publications minus self-reported, in percentage points; empty when either is missing
    or not meaningful."""
    own, notices = cells.get("self_reported"), cells.get("public_notices")
    if own is None or notices is None or own["value"] is None or notices["value"] is None or unit != "%":
        return ""
    if is_not_meaningful(own["value"], bounds) or is_not_meaningful(notices["value"], bounds):
        return ""
    diff = float(notices["value"]) - float(own["value"])
    text = format_number(diff, 1)
    return f"{'+' if diff > 0 and text != '0.0' else ''}{text} pp"


def _comparison_rows(found: list[Row], year: int, register: dict[str, Row]) -> list[dict[str, Any]]:
    """Per scope (the nation, then the layers) of one KPI and year: both sources side by side."""
    by_key = {(r["scope_level"], r["scope_id"], r["source"]): r for r in found if r["year"] == year}
    scopes = sorted({(level, scope_id) for level, scope_id, _ in by_key}, key=lambda s: _scope_order(*s))
    out = []
    for level, scope_id in scopes:
        raw = {source: by_key.get((level, scope_id, source)) for source in SOURCES}
        some = next(r for r in raw.values() if r is not None)
        reg = register.get(some["kpi_code"], {})
        unit, bounds = some["unit"], reg.get("bounds")
        out.append({
            "scope_level": level, "scope_id": scope_id, "label": SCOPE_LABELS.get(scope_id, scope_id),
            "year": year,
            "cells": [{"source": source, "cell": _source_cell(raw[source], unit, bounds)} for source in SOURCES],
            "difference": _difference(raw, unit, bounds),
            "expected": format_number(some["organisations_expected"]),
        })
    return out


def _reconciliation(counts: list[Row] | None) -> dict[str, Any] | None:
    """The findings per type (totals) and per organisation (a row each, a column per finding)."""
    if counts is None:
        return None
    findings = list(FINDINGS) + sorted({r["finding"] for r in counts} - set(FINDINGS))
    totals = {f: sum(r["row_count"] for r in counts if r["finding"] == f) for f in findings}
    organisations: dict[str, dict[str, Any]] = {}
    for r in counts:
        org = organisations.setdefault(r["organisation_id"], {
            "organisation_id": r["organisation_id"], "name": r["organisation_name"] or r["organisation_id"],
            "layer": SCOPE_LABELS.get(r["government_layer"] or "", r["government_layer"] or ""), "counts": {}})
        org["counts"][r["finding"]] = org["counts"].get(r["finding"], 0) + r["row_count"]
    org_rows = sorted(organisations.values(), key=lambda o: (-sum(o["counts"].values()), o["name"]))
    return {
        "findings": [{"finding": f, "label": FINDING_LABELS.get(f, f), "count": totals[f]} for f in findings],
        "total": sum(totals.values()),
        "organisations": [{**o, "cells": [o["counts"].get(f, 0) for f in findings],
                           "total": sum(o["counts"].values())} for o in org_rows],
    }


def source_comparison(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The section "Publicaties en eigen opgave": per notice KPI, NL and the layers, the
    self-reported and the notice-based value with their record counts and organisations (the
    latest notice year first, earlier years folded), and the reconciliation's findings. Without
    notice rows only `has_notices` False (the template says how to load notices)."""
    if not queries.has_notice_source(con):
        return {"has_notices": False}
    register = queries.kpi_register(con)
    by_kpi: dict[str, list[Row]] = {}
    for r in queries.source_comparison(con):
        by_kpi.setdefault(r["kpi_code"], []).append(r)
    codes = sorted(by_kpi, key=lambda c: (NOTICE_KPIS.index(c) if c in NOTICE_KPIS else len(NOTICE_KPIS), c))
    kpis = []
    for code in codes:
        found = by_kpi[code]
        years = sorted({r["year"] for r in found if r["source"] == "public_notices"}, reverse=True)
        reg = register.get(code, {})
        kpis.append({
            "code": code, "name_nl": reg.get("name_nl", code), "latest_year": years[0],
            "rows": _comparison_rows(found, years[0], register),
            "earlier": [row for year in years[1:] for row in _comparison_rows(found, year, register)],
        })
    return {
        "has_notices": True,
        "table": queries.FCT_KPI_VALUES_V2,
        "reconciliation_table": queries.NOTICE_RECONCILIATION,
        "source_labels": [SOURCE_LABELS[s] for s in SOURCES],
        "kpis": kpis,
        "reconciliation": _reconciliation(queries.notice_reconciliation_counts(con)),
    }


# --------------------------------------------------------------------------------------
# product groups


def _ranked(groups: list[Row], key: str, top_n: int, total_spend: float, total_emissions: float) -> list[Row]:
    """The `top_n` product groups by `key`, largest first (ties by id), formatted."""
    ranked = sorted(groups, key=lambda r: (-(r[key] or 0), r["product_group_id"]))[:top_n]
    return [
        {
            "rank": i + 1,
            "product_group_id": r["product_group_id"],
            "name": r["name"] or r["product_group_id"],
            "cluster": r["cluster"] or "",
            "spend": format_eur(r["spend_eur"]),
            "spend_share": format_share(r["spend_eur"], total_spend),
            "emissions": format_value(r["emissions_t_co2e"], "t CO2e"),
            "emissions_share": format_share(r["emissions_t_co2e"], total_emissions),
            "value": r[key],
        }
        for i, r in enumerate(ranked)
    ]


def product_groups(con: duckdb.DuckDBPyConnection, top_n: int) -> dict[str, Any]:
    """The top product groups by spend and by estimated emissions, as tables and bar charts."""
    groups = queries.product_group_totals(con)
    total_spend = sum(r["spend_eur"] or 0 for r in groups)
    total_emissions = sum(r["emissions_t_co2e"] or 0 for r in groups)
    years = [y for r in groups for y in (r["first_year"], r["last_year"]) if y is not None]
    by_spend = _ranked(groups, "spend_eur", top_n, total_spend, total_emissions)
    by_emissions = _ranked(groups, "emissions_t_co2e", top_n, total_spend, total_emissions)
    return {
        "source": queries.PRODUCT_CARDS,
        "period": f"{min(years)}–{max(years)}" if years else "",
        "total_spend": format_eur(total_spend),
        "total_emissions": format_value(total_emissions, "t CO2e"),
        "by_spend": by_spend,
        "by_emissions": by_emissions,
        "spend_chart": bar_chart("chart-top-spend", "Top product groups by spend",
                                 [(r["name"], r["value"]) for r in by_spend], "EUR"),
        "emissions_chart": bar_chart("chart-top-emissions", "Top product groups by estimated emissions",
                                     [(r["name"], r["value"]) for r in by_emissions], "t CO2e"),
    }


# --------------------------------------------------------------------------------------
# data quality


def _score_cell(r: Row | None) -> dict[str, str]:
    """A scorecard cell: the score, coloured by level, with numerator / denominator and the
    change against the previous build in its tooltip."""
    if r is None or r["score"] is None:
        return {"text": "", "title": "not evaluated", "level": ""}
    title = []
    if r["numerator"] is not None and r["denominator"] is not None:
        title.append(f"{format_number(r['numerator'])} of {format_number(r['denominator'])} checks pass")
    if r["score_change"] is not None:
        title.append(f"change against the previous build: {r['score_change']:+.1f} points")
    level = "good" if r["score"] >= 99 else ("fair" if r["score"] >= 95 else "poor")
    return {"text": format_value(r["score"], "%"), "title": "; ".join(title), "level": level}


def _scorecard_group(kind: str, scores: list[Row], dimensions: list[str]) -> dict[str, Any]:
    """The table of one entity kind: a row per entity, a cell per dimension."""
    grid = {(r["entity"], r["dimension"]): r for r in scores if r["kind"] == kind}
    entities = sorted({entity for entity, _ in grid}, key=_entity_order)
    table_rows = [{"entity": e, "cells": [_score_cell(grid.get((e, d))) for d in dimensions]} for e in entities]
    return {"kind": kind, "label": ENTITY_KIND_LABELS.get(kind, kind), "rows": table_rows}


def quality(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The scorecard of the latest build: landing entities first, then warehouse tables;
    None when the build stopped before dbt made the scorecard."""
    if not queries.has_scorecard(con):
        return None
    scores = queries.scorecard(con)
    dimensions = sorted({r["dimension"] for r in scores if r["dimension"] is not None})
    kinds = sorted({r["kind"] for r in scores}, key=lambda k: (k != "landing", k))
    build = next(((r["run_id"], r["run_at"]) for r in scores), ())
    return {
        "table": queries.SCORECARD,
        "build": " at ".join(str(v) for v in build),
        "dimensions": dimensions,
        "groups": [_scorecard_group(kind, scores, dimensions) for kind in kinds],
    }


# --------------------------------------------------------------------------------------
# provenance


def _source_counts(sources: list[Row]) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows per entity with the file columns that are filled for at least one entity (the
    sample has no files)."""
    sources = sorted(sources, key=lambda r: _entity_order(r["entity"]))
    columns = [c for c in SOURCE_FILE_COLUMNS if any(r[c] is not None and str(r[c]) for r in sources)]
    counts = [
        {"entity": r["entity"], "rows": format_number(r["raw_rows"]),
         "extra": ["" if r[c] is None else str(r[c]) for c in columns]}
        for r in sources
    ]
    return counts, columns


def _publication_provenance(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """From meta.*: the publication record, the source row counts and the published tables."""
    record = queries.publication(con)
    counts, columns = _source_counts(queries.publication_sources(con))
    return {
        "table": queries.PUBLICATION,
        "published_at": record.get("published_at"),
        "fields": [{"name": PUBLICATION_FIELD_LABELS[name], "value": str(value)}
                   for name, value in record.items() if value is not None],
        "counts": counts,
        "count_columns": columns,
        "counts_source": queries.PUBLICATION_SOURCES,
        "tables": [{"name": f"{r['table_schema']}.{r['table_name']}", "rows": format_number(r["row_count"])}
                   for r in queries.published_tables(con)],
    }


def _build_provenance(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The build database has no meta schema: run id, build time and source row counts from
    governance.landing_reconciliation."""
    landed = sorted(queries.landing_counts(con), key=lambda r: _entity_order(r["entity"]))
    fields = [
        {"name": "Run id (dbt build)", "value": str(landed[0]["run_id"])},
        {"name": "Built at (UTC)", "value": str(landed[0]["loaded_at"])},
    ] if landed else []
    return {
        "table": None,
        "published_at": None,
        "fields": fields,
        "counts": [{"entity": r["entity"], "rows": format_number(r["raw_rows"]), "extra": []} for r in landed],
        "count_columns": [],
        "counts_source": f"{queries.LANDING_RECONCILIATION} (raw_rows)",
        "tables": [],
    }


def provenance(con: duckdb.DuckDBPyConnection, db_path: Path, is_published: bool) -> dict[str, Any]:
    """Run id, publication time and source row counts of the database shown."""
    found = _publication_provenance(con) if queries.has_publication(con) else _build_provenance(con)
    return {"db_path": str(db_path), "is_published": is_published, **found}


def refused_build(status: dict | None, published_at: dt.datetime | None) -> dict[str, Any] | None:
    """The latest build when it did not publish and came after the publication shown."""
    if not status or status.get("outcome") == "published":
        return None
    finished = dt.datetime.fromisoformat(status["finished_at"]).replace(tzinfo=None)
    if published_at is not None and published_at > finished:
        return None  # a publication made after the refused build (by hand)
    return {"finished_at": finished.strftime("%Y-%m-%d %H:%M UTC"), "outcome": status["outcome"],
            "reasons": status.get("reasons") or []}
