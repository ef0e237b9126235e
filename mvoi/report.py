"""`mvoi report`: the KPI report, a self-contained HTML file made from the published database.

The report shows, per theme (algemeen and the six MVOI themes), every KPI of the register per
year at national and government-layer level against its target (a table and an inline SVG
trend chart), the top product groups by spend and by estimated emissions, the data-quality
scorecard and the provenance of the build (run id, publication time, source row counts).

It reads the PUBLISHED database read-only (`--db`, default `MVOI_PUBLISHED_PATH`,
`warehouse/mvoi_published.duckdb`). When that file does not exist it falls back to the build
database (`MVOI_DB_PATH`) and says so, in the log and in a banner at the top of the report.

The HTML works offline: no CDN, no external fonts, scripts or style sheets; the charts are SVG
drawn here in Python. Values are stored unrounded in the marts and rounded here for display
only (`format_value`). The report reads no personal data: every query names its columns and
none of them is a contact e-mail, an invoice description or an original landing record.

Optional tables (product cards, scorecard, publication metadata, reconciliation) are looked up
by name in any schema; when one is missing its section says so instead of failing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import logging
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import duckdb
import jinja2
from markupsafe import Markup

from mvoi import build_status
from mvoi.paths import PROJECT_DIR, build_db_path, published_db_path, report_path

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "kpi_report.html.j2"

# Display order: the cross-cutting KPIs first, then the six MVOI themes.
THEME_ORDER = ("algemeen", "milieu", "klimaat", "circulair", "isv", "diversiteit_inclusie", "social_return")
LAYER_ORDER = ("rijk", "provincie", "gemeente", "waterschap", "overig")
SCOPE_LABELS = {
    "NL": "Nederland",
    "rijk": "Rijk",
    "provincie": "Provincies",
    "gemeente": "Gemeenten",
    "waterschap": "Waterschappen",
    "overig": "Overig",
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

# Decimals shown per unit (values are stored unrounded; this is display only).
UNIT_DECIMALS = {"%": 1, "t CO2e": 1, "kg CO2e/EUR": 3, "EUR": 0, "FTE": 1}
MISSING = "–"  # en dash: no value (denominator 0)


# --------------------------------------------------------------------------------------
# number formatting (the single place where values are rounded)


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """`value` rounded to `decimals`, with a thin-space-free comma as thousands separator and a
    point as decimal sign (for example 1,234.5); `–` for a missing value."""
    if value is None:
        return MISSING
    value = float(value)
    if math.isnan(value):
        return MISSING
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "").lstrip("-") or 0) == 0:
        text = text[1:]  # no "-0.0"
    return text


def format_value(value: float | int | None, unit: str) -> str:
    """A KPI value as shown in the report: rounded per unit and followed by the unit
    (`45.3 %`, `1,234.5 t CO2e`, `0.123 kg CO2e/EUR`, `€ 12,346`, `3.5 FTE`)."""
    text = format_number(value, UNIT_DECIMALS.get(unit, 2))
    if text == MISSING:
        return text
    if unit == "EUR":
        return f"€ {text}"
    return f"{text} {unit}"


NOT_MEANINGFUL = "n.m."


def is_not_meaningful(value: float | int | None, bounds: str | None) -> bool:
    """A share of a netted total (register bounds `net`) outside 0-100. Credit notes can push
    a share of spend below 0 or above 100: the value stays in the publication (numerator and
    denominator are exact and traceable), but as a share it means nothing to a reader."""
    return bounds == "net" and value is not None and not 0 <= float(value) <= 100


def format_eur(value: float | int | None) -> str:
    return format_value(value, "EUR")


# --------------------------------------------------------------------------------------
# reading the database


@dataclass
class Catalog:
    """The tables of the database, by name, with the schemas that hold them."""

    tables: dict[str, list[str]] = field(default_factory=dict)  # name -> [schema, ...]
    columns: dict[str, list[str]] = field(default_factory=dict)  # "schema.name" -> [col, ...]

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> "Catalog":
        cat = cls()
        rows = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database() order by table_schema, table_name, ordinal_position"
        ).fetchall()
        for schema, table, column in rows:
            qualified = f"{schema}.{table}"
            if qualified not in cat.columns:
                cat.tables.setdefault(table, []).append(schema)
            cat.columns.setdefault(qualified, []).append(column)
        return cat

    def find(self, name: str, schemas: Sequence[str] = ("marts", "main")) -> str | None:
        """`"schema"."name"` of table `name`, preferring `schemas` in that order."""
        found = self.tables.get(name)
        if not found:
            return None
        for schema in schemas:
            if schema in found:
                return _qualify(schema, name)
        return _qualify(found[0], name)

    def cols(self, qualified: str) -> list[str]:
        schema, name = (part.strip('"') for part in qualified.split(".", 1))
        return self.columns.get(f"{schema}.{name}", [])


def _qualify(schema: str, name: str) -> str:
    return f'"{schema}"."{name}"'


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _pick(columns: Iterable[str], *candidates: str) -> str | None:
    available = {c.lower(): c for c in columns}
    for candidate in candidates:
        if candidate in available:
            return available[candidate]
    return None


# --------------------------------------------------------------------------------------
# SVG charts (drawn here; no JavaScript library)


def _nice_step(span: float, target_ticks: int = 5) -> float:
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _axis_range(values: list[float], unit: str) -> tuple[float, float, float]:
    lo = min(0.0, min(values)) if values else 0.0
    hi = max(values) if values else 1.0
    if unit == "%" and hi <= 100 and lo >= 0:
        hi = max(hi, 10.0)
    if hi == lo:
        hi = lo + 1.0
    step = _nice_step(hi - lo)
    lo = math.floor(lo / step) * step
    hi = math.ceil(hi / step) * step
    if unit == "%" and lo >= 0 and hi > 100 and max(values or [0]) <= 100:
        hi = 100.0
    return lo, hi, step


def _tick_decimals(step: float) -> int:
    """The fewest decimals (0-4) that show every multiple of `step` exactly."""
    for decimals in range(5):
        scaled = step * 10**decimals
        if abs(scaled - round(scaled)) < 1e-9 * max(1.0, scaled):
            return decimals
    return 4


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


@dataclass
class Series:
    key: str  # scope id (NL or a layer)
    label: str
    points: dict[int, float | None]
    colour: str
    emphasis: bool = False


@dataclass
class TargetLine:
    value: float
    label: str


def line_chart(
    chart_id: str,
    title: str,
    unit: str,
    years: list[int],
    series: list[Series],
    targets: list[TargetLine],
    width: int = 620,
    height: int = 266,
) -> Markup:
    """A trend chart: one line per scope over the years, a dashed line per target."""
    left, right, top, bottom = 56, 132, 22, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.points.values() if v is not None]
    values += [t.value for t in targets]
    lo, hi, step = _axis_range(values, unit)

    def x_of(year: int) -> float:
        if len(years) == 1:
            return left + plot_w / 2
        return left + plot_w * (years.index(year) / (len(years) - 1))

    def y_of(value: float) -> float:
        return top + plot_h * (1 - (value - lo) / (hi - lo))

    out = [
        f'<svg class="chart line-chart" id="{_esc(chart_id)}" role="img" '
        f'aria-label="{_esc(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{_esc(title)}</title>",
        f'<rect class="plot-area" x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafafa" stroke="#cccccc"/>',
    ]
    decimals = _tick_decimals(step)
    tick = lo
    while tick <= hi + step / 1000:
        y = y_of(tick)
        out.append(f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        out.append(
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{_esc(format_number(tick, decimals))}</text>"
        )
        tick += step
    for year in years:
        x = x_of(year)
        out.append(
            f'<text class="tick" x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle" font-size="11">{year}</text>'
        )
    out.append(
        f'<text class="unit" x="{left - 6}" y="{top - 10}" text-anchor="end" font-size="10" fill="#555555">{_esc(unit)}</text>'
    )
    for target in targets:
        y = y_of(target.value)
        out.append(
            f'<line class="target" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d52b1e" stroke-width="1.5" stroke-dasharray="6 4"><title>{_esc(target.label)}</title></line>'
        )
        out.append(
            f'<text class="target-label" x="{left + plot_w - 4}" y="{y - 4:.1f}" text-anchor="end" '
            f'font-size="10" fill="#d52b1e">{_esc(target.label)}</text>'
        )
    for s in series:
        segments: list[list[tuple[float, float]]] = [[]]
        for year in years:
            v = s.points.get(year)
            if v is None:
                if segments[-1]:
                    segments.append([])
                continue
            segments[-1].append((x_of(year), y_of(v)))
        d = " ".join(
            "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in seg) for seg in segments if seg
        )
        width_px = 3 if s.emphasis else 1.8
        if d:
            out.append(
                f'<path class="series" data-scope="{_esc(s.key)}" d="{d}" fill="none" '
                f'stroke="{s.colour}" stroke-width="{width_px}" stroke-linejoin="round"/>'
            )
        for year in years:
            v = s.points.get(year)
            if v is None:
                continue
            out.append(
                f'<circle class="point" data-scope="{_esc(s.key)}" data-year="{year}" cx="{x_of(year):.1f}" '
                f'cy="{y_of(v):.1f}" r="{3.5 if s.emphasis else 2.5}" fill="{s.colour}">'
                f"<title>{_esc(s.label)} {year}: {_esc(format_value(v, unit))}</title></circle>"
            )
    # legend
    lx = left + plot_w + 14
    for i, s in enumerate(series):
        ly = top + 10 + i * 18
        out.append(
            f'<line class="legend-swatch" x1="{lx}" x2="{lx + 18}" y1="{ly}" y2="{ly}" stroke="{s.colour}" '
            f'stroke-width="{3 if s.emphasis else 2}"/>'
        )
        out.append(f'<text class="legend" x="{lx + 24}" y="{ly + 4}" font-size="11">{_esc(s.label)}</text>')
    if targets:
        ly = top + 10 + len(series) * 18
        out.append(
            f'<line class="legend-swatch" x1="{lx}" x2="{lx + 18}" y1="{ly}" y2="{ly}" stroke="#d52b1e" '
            f'stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        out.append(f'<text class="legend" x="{lx + 24}" y="{ly + 4}" font-size="11">target</text>')
    if not values:
        out.append(
            f'<text class="no-data" x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" '
            f'font-size="13" fill="#777777">no data</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def bar_chart(chart_id: str, title: str, items: list[tuple[str, float]], unit: str, width: int = 680) -> Markup:
    """A horizontal bar chart: one bar per (label, value), largest first as given."""
    label_w, value_w, bar_h, gap, top = 230, 110, 18, 6, 6
    height = top * 2 + len(items) * (bar_h + gap)
    plot_w = width - label_w - value_w
    peak = max([v for _, v in items if v is not None and v > 0] or [1.0])
    out = [
        f'<svg class="chart bar-chart" id="{_esc(chart_id)}" role="img" aria-label="{_esc(title)}" '
        f'viewBox="0 0 {width} {max(height, 30)}" width="{width}" height="{max(height, 30)}">',
        f"<title>{_esc(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_h + gap)
        w = 0.0 if value is None or value <= 0 else plot_w * value / peak
        short = label if len(label) <= 34 else label[:33] + "…"
        out.append(
            f'<text class="bar-label" x="{label_w - 8}" y="{y + bar_h - 5}" text-anchor="end" font-size="11">'
            f"{_esc(short)}<title>{_esc(label)}</title></text>"
        )
        out.append(
            f'<rect class="bar" x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#01689b">'
            f"<title>{_esc(label)}: {_esc(format_value(value, unit))}</title></rect>"
        )
        out.append(
            f'<text class="bar-value" x="{label_w + w + 6:.1f}" y="{y + bar_h - 5}" font-size="11">'
            f"{_esc(format_value(value, unit))}</text>"
        )
    if not items:
        out.append('<text x="10" y="20" font-size="12" fill="#777777">no data</text>')
    out.append("</svg>")
    return Markup("".join(out))


# --------------------------------------------------------------------------------------
# sections


def _scope_order(scope_level: str, scope_id: str) -> tuple[int, int, str]:
    if scope_level == "national":
        return (0, 0, scope_id)
    if scope_id in LAYER_ORDER:
        return (1, LAYER_ORDER.index(scope_id), scope_id)
    return (1, len(LAYER_ORDER), scope_id)


def _kpi_register(con, cat: Catalog) -> tuple[dict[str, dict[str, Any]], str]:
    """kpi_code -> names, unit, definitions, direction and target text; from dim_kpis, else
    the kpi_register seed."""
    dim = cat.find("dim_kpis")
    if dim:
        rows = _rows(
            con,
            f"select kpi_code, theme, name_nl, name_en, unit, year_basis, numerator_definition, "
            f"denominator_definition, better, bounds, target_description from {dim} order by kpi_code",
        )
        return {r["kpi_code"]: r for r in rows}, dim
    seed = cat.find("kpi_register", ("reference", "marts", "main"))
    if seed:
        rows = _rows(
            con,
            f"select kpi_code, theme, name_nl, name_en, unit, year_basis, numerator as numerator_definition, "
            f"denominator as denominator_definition, better, bounds, null as target_description from {seed} "
            "order by kpi_code",
        )
        return {r["kpi_code"]: r for r in rows}, seed
    return {}, ""


def _themes(con, cat: Catalog) -> dict[str, dict[str, Any]]:
    dim = cat.find("dim_themes")
    if dim:
        rows = _rows(con, f"select theme, name_nl, name_en, description from {dim}")
        return {r["theme"]: r for r in rows}
    seed = cat.find("mvoi_themes", ("reference", "marts", "main"))
    if seed:
        rows = _rows(con, f"select theme, name_nl, name_en, description from {seed}")
        return {r["theme"]: r for r in rows}
    return {}


def _kpi_sections(con, cat: Catalog, fct: str) -> list[dict[str, Any]]:
    register, _ = _kpi_register(con, cat)
    themes = _themes(con, cat)
    rows = _rows(
        con,
        f"select kpi_code, theme, scope_level, scope_id, year, numerator, denominator, value, unit, "
        f"record_count, target_value, meets_target from {fct} "
        f"where scope_level in ('national', 'government_layer') order by kpi_code, scope_level, scope_id, year",
    )
    by_kpi: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_kpi.setdefault(r["kpi_code"], []).append(r)
    kpi_codes = sorted(set(register) | set(by_kpi), key=lambda c: (list(register).index(c) if c in register else 99, c))

    theme_names = [t for t in THEME_ORDER]
    for code in kpi_codes:
        theme = (register.get(code) or {}).get("theme") or by_kpi[code][0]["theme"]
        if theme not in theme_names:
            theme_names.append(theme)

    sections = []
    for theme in theme_names:
        info = themes.get(theme, {})
        kpis = []
        for code in kpi_codes:
            reg = register.get(code, {})
            kpi_rows = by_kpi.get(code, [])
            if (reg.get("theme") or (kpi_rows[0]["theme"] if kpi_rows else None)) != theme:
                continue
            unit = reg.get("unit") or (kpi_rows[0]["unit"] if kpi_rows else "")
            years = sorted({r["year"] for r in kpi_rows})
            scopes = sorted({(r["scope_level"], r["scope_id"]) for r in kpi_rows}, key=lambda s: _scope_order(*s))
            cells = {(r["scope_level"], r["scope_id"], r["year"]): r for r in kpi_rows}
            table_rows = []
            series = []
            extra_colours = iter(FALLBACK_COLOURS)
            for level, scope_id in scopes:
                label = SCOPE_LABELS.get(scope_id, scope_id)
                row_cells = []
                points: dict[int, float | None] = {}
                for year in years:
                    r = cells.get((level, scope_id, year))
                    if r is None:
                        row_cells.append({"year": year, "present": False, "text": "", "title": "no records"})
                        continue
                    points[year] = r["value"]
                    title = f"records: {r['record_count']}"
                    if r["denominator"] is not None:
                        title += (
                            f"; numerator {format_number(r['numerator'], 2)} / "
                            f"denominator {format_number(r['denominator'], 2)}"
                        )
                    if r["target_value"] is not None:
                        title += f"; target {format_value(r['target_value'], unit)}"
                    not_meaningful = is_not_meaningful(r["value"], reg.get("bounds"))
                    if not_meaningful:
                        title += f"; {NOT_MEANINGFUL}: {format_number(r['value'], 2)} % lies outside 0-100 (credit notes)"
                    row_cells.append(
                        {
                            "year": year,
                            "present": True,
                            "text": NOT_MEANINGFUL if not_meaningful else format_value(r["value"], unit),
                            "meets_target": r["meets_target"],
                            "has_target": r["target_value"] is not None,
                            "title": title,
                        }
                    )
                table_rows.append(
                    {"scope_level": level, "scope_id": scope_id, "label": label, "cells": row_cells}
                )
                colour = SCOPE_COLOURS.get(scope_id) or next(extra_colours, "#777777")
                series.append(Series(scope_id, label, points, colour, emphasis=level == "national"))
            # target lines: one per distinct target value, naming the scopes it applies to
            target_scopes: dict[float, list[str]] = {}
            for r in kpi_rows:
                if r["target_value"] is not None:
                    names = target_scopes.setdefault(float(r["target_value"]), [])
                    name = SCOPE_LABELS.get(r["scope_id"], r["scope_id"])
                    if name not in names:
                        names.append(name)
            targets = [
                TargetLine(value, f"target {format_value(value, unit)} ({', '.join(names)})")
                for value, names in sorted(target_scopes.items())
            ]
            name_nl = reg.get("name_nl") or code
            name_en = reg.get("name_en") or ""
            chart = line_chart(
                f"chart-{code}", f"{code} {name_nl}: trend per year", unit, years, series, targets
            )
            latest = years[-1] if years else None
            national_latest = cells.get(("national", "NL", latest)) if latest is not None else None
            kpis.append(
                {
                    "code": code,
                    "name_nl": name_nl,
                    "name_en": name_en,
                    "unit": unit,
                    "year_basis": reg.get("year_basis"),
                    "numerator": reg.get("numerator_definition"),
                    "denominator": reg.get("denominator_definition"),
                    "better": reg.get("better"),
                    "target_description": reg.get("target_description"),
                    "years": years,
                    "rows": table_rows,
                    "chart": chart,
                    "latest_year": latest,
                    "national_latest": (
                        MISSING if not national_latest
                        else NOT_MEANINGFUL if is_not_meaningful(national_latest["value"], reg.get("bounds"))
                        else format_value(national_latest["value"], unit)
                    ),
                }
            )
        if not kpis:
            continue
        sections.append(
            {
                "theme": theme,
                "name_nl": info.get("name_nl") or theme,
                "name_en": info.get("name_en") or "",
                "description": info.get("description") or "",
                "kpis": kpis,
            }
        )
    return sections


def _product_groups(con, cat: Catalog, top_n: int) -> dict[str, Any]:
    cards = cat.find("mart_product_cards")
    if cards:
        source = cards
        sql = (
            f"select product_group_id, max(product_group_name_nl) as name, max(cluster) as cluster, "
            f"sum(spend_eur)::double as spend_eur, sum(emissions_t_co2e)::double as emissions_t_co2e, "
            f"min(year) as first_year, max(year) as last_year "
            f"from {cards} group by product_group_id"
        )
    else:
        spend = cat.find("fct_spend")
        if not spend:
            return {"available": False, "note": "Neither mart_product_cards nor fct_spend is in this database."}
        source = spend
        names = cat.find("dim_product_groups")
        name_join = (
            f"left join {names} as pg on s.product_group_id = pg.product_group_id" if names else ""
        )
        name_col = "max(pg.name_nl)" if names else "s.product_group_id"
        cluster_col = "max(pg.cluster)" if names else "null"
        sql = (
            f"select s.product_group_id, {name_col} as name, {cluster_col} as cluster, "
            f"sum(s.amount)::double as spend_eur, sum(s.kg_co2e)::double / 1000 as emissions_t_co2e, "
            f"min(s.invoice_year) as first_year, max(s.invoice_year) as last_year "
            f"from {spend} as s {name_join} group by s.product_group_id"
        )
    rows = _rows(con, sql)
    for r in rows:
        r["name"] = r["name"] or r["product_group_id"]
    total_spend = sum(r["spend_eur"] or 0 for r in rows)
    total_emissions = sum(r["emissions_t_co2e"] or 0 for r in rows)
    years = [y for r in rows for y in (r["first_year"], r["last_year"]) if y is not None]

    def top(key: str) -> list[dict[str, Any]]:
        ranked = sorted(rows, key=lambda r: (-(r[key] or 0), r["product_group_id"]))[:top_n]
        return [
            {
                "rank": i + 1,
                "product_group_id": r["product_group_id"],
                "name": r["name"],
                "cluster": r["cluster"] or "",
                "spend": format_eur(r["spend_eur"]),
                "spend_share": format_value(100 * (r["spend_eur"] or 0) / total_spend if total_spend else None, "%"),
                "emissions": format_value(r["emissions_t_co2e"], "t CO2e"),
                "emissions_share": format_value(
                    100 * (r["emissions_t_co2e"] or 0) / total_emissions if total_emissions else None, "%"
                ),
                "value": r[key],
            }
            for i, r in enumerate(ranked)
        ]

    by_spend, by_emissions = top("spend_eur"), top("emissions_t_co2e")
    return {
        "available": True,
        "source": source,
        "period": f"{min(years)}–{max(years)}" if years else "",
        "total_spend": format_eur(total_spend),
        "total_emissions": format_value(total_emissions, "t CO2e"),
        "by_spend": by_spend,
        "by_emissions": by_emissions,
        "spend_chart": bar_chart(
            "chart-top-spend", "Top product groups by spend",
            [(r["name"], r["value"]) for r in by_spend], "EUR",
        ),
        "emissions_chart": bar_chart(
            "chart-top-emissions", "Top product groups by estimated emissions",
            [(r["name"], r["value"]) for r in by_emissions], "t CO2e",
        ),
    }


def _find_scorecard(cat: Catalog) -> str | None:
    for name in ("dq_scorecard", "quality_scorecard", "data_quality_scorecard", "scorecard"):
        found = cat.find(name, ("governance", "marts", "main"))
        if found:
            return found
    for name, schemas in sorted(cat.tables.items()):
        if "scorecard" in name:
            return cat.find(name, ("governance", "marts", "main"))
    return None


def _scorecard(con, cat: Catalog) -> dict[str, Any]:
    table = _find_scorecard(cat)
    if table:
        return _scorecard_table(con, cat, table)
    return _reconciliation(con, cat)


def _publication_run_id(con, cat: Catalog) -> str | None:
    publication = cat.find("publication", ("meta",))
    if publication and "run_id" in cat.cols(publication):
        row = con.execute(f"select max(run_id) from {publication}").fetchone()
        return row[0] if row else None
    return None


def _scorecard_table(con, cat: Catalog, table: str) -> dict[str, Any]:
    """The scorecard of ONE build: the published build's run when the table has it, else the
    latest by time; per entity (landing entities first, then warehouse tables when the table
    has an entity_kind) and NORA dimension, with numerator / denominator and the change
    against the previous build in the cell's tooltip."""
    cols = cat.cols(table)
    entity = _pick(cols, "entity", "source_entity", "landing_entity")
    dimension = _pick(cols, "dq_dimension", "nora_dimension", "dimension")
    score = _pick(cols, "score_pct", "score", "score_percent", "quality_score")
    numerator = _pick(cols, "numerator", "passed_count", "passed_rows", "good_rows")
    denominator = _pick(cols, "denominator", "total_count", "total_rows", "checked_rows")
    run = _pick(cols, "run_id", "build_id", "invocation_id")
    run_time = _pick(cols, "run_at", "built_at", "build_at", "loaded_at", "run_started_at", "published_at")
    kind = _pick(cols, "entity_kind")
    change = _pick(cols, "score_change")
    if not (entity and dimension and score):
        return {
            "kind": "unrecognised",
            "table": table,
            "note": f"{table} exists but has none of the expected columns (entity, dimension, score): not shown.",
        }
    where, params, build_label = "", [], ""
    published_run = _publication_run_id(con, cat) if run else None
    if published_run is not None and con.execute(
        f'select count(*) from {table} where "{run}" = ?', [published_run]
    ).fetchone()[0]:
        where, params = f'where "{run}" = ?', [published_run]
    elif run_time:
        latest = con.execute(f'select max("{run_time}") from {table}').fetchone()[0]
        if latest is not None:
            where, params = f'where "{run_time}" = ?', [latest]
    elif run and con.execute(f'select count(distinct "{run}") from {table}').fetchone()[0] == 1:
        pass  # one build only
    elif run:
        build_label = "all builds in the table (no build time to pick the latest)"
    if not build_label and (run or run_time):
        label_cols = [c for c in (run, run_time) if c]
        maxima = ", ".join(f'max("{c}")' for c in label_cols)
        found = con.execute(f"select {maxima} from {table} {where}", params).fetchone()
        build_label = " at ".join(str(v) for v in found if v is not None)
    num_sql = f'sum("{numerator}")::double' if numerator else "null"
    den_sql = f'sum("{denominator}")::double' if denominator else "null"
    kind_sql = f'coalesce("{kind}", \'\')' if kind else "''"
    change_sql = f'avg("{change}")::double' if change else "null"
    rows = _rows(
        con,
        f'select {kind_sql} as kind, "{entity}" as entity, "{dimension}" as dimension, '
        f'avg("{score}")::double as score, {num_sql} as numerator, {den_sql} as denominator, '
        f"{change_sql} as score_change from {table} {where} group by all",
        params,
    )
    # score scale: a fraction (0-1) or a percentage (0-100)? decide from numerator / denominator.
    as_fraction = False
    ratios = [
        (r["score"], r["numerator"] / r["denominator"])
        for r in rows
        if r["score"] is not None and r["numerator"] is not None and r["denominator"]
    ]
    if ratios:
        as_fraction = sum(abs(s - q) for s, q in ratios) <= sum(abs(s - 100 * q) for s, q in ratios)
    elif rows:
        as_fraction = max((r["score"] or 0) for r in rows) <= 1.0
    scale = 100 if as_fraction else 1
    dimensions = sorted({r["dimension"] for r in rows if r["dimension"] is not None})
    grid = {(r["kind"], r["entity"], r["dimension"]): r for r in rows}
    kinds = sorted({r["kind"] for r in rows}, key=lambda k: (k != "landing", k))
    groups = []
    for k in kinds:
        entities = sorted({r["entity"] for r in rows if r["kind"] == k}, key=lambda e: (_entity_order(e), e))
        table_rows = []
        for e in entities:
            cells = []
            for d in dimensions:
                r = grid.get((k, e, d))
                if r is None or r["score"] is None:
                    cells.append({"text": "", "title": "not evaluated", "level": ""})
                    continue
                pct = scale * r["score"]
                title = []
                if r["numerator"] is not None and r["denominator"] is not None:
                    title.append(f"{format_number(r['numerator'])} of {format_number(r['denominator'])} checks pass")
                if r["score_change"] is not None:
                    title.append(f"change against the previous build: {scale * r['score_change']:+.1f} points")
                level = "good" if pct >= 99 else ("fair" if pct >= 95 else "poor")
                cells.append({"text": format_value(pct, "%"), "title": "; ".join(title), "level": level})
            table_rows.append({"entity": e, "cells": cells})
        label = {
            "landing": "Landing (source) entities",
            "warehouse": "Warehouse models, seeds and marts",
        }.get(k, k or "Entities")
        groups.append({"kind": k, "label": label, "rows": table_rows})
    return {
        "kind": "scorecard",
        "table": table,
        "build": build_label,
        "dimensions": dimensions,
        "groups": groups,
    }


ENTITY_ORDER = (
    "organisations", "suppliers", "supplier_certificates", "tenders", "tender_criteria",
    "contracts", "invoice_lines", "social_return_realisations", "material_reports",
)


def _entity_order(entity: str) -> int:
    return ENTITY_ORDER.index(entity) if entity in ENTITY_ORDER else len(ENTITY_ORDER)


def _reconciliation(con, cat: Catalog) -> dict[str, Any]:
    recon = cat.find("landing_reconciliation", ("governance", "marts", "main"))
    rejected = cat.find("rejected_rows", ("governance", "marts", "main"))
    result: dict[str, Any] = {"kind": "fallback", "reconciliation": [], "rejected": [], "dimensions": []}
    if recon:
        rows = _rows(
            con,
            f"select entity, raw_rows, loaded_rows, rejected_rows, exact_duplicates_removed, is_reconciled "
            f"from {recon}",
        )
        rows.sort(key=lambda r: (_entity_order(r["entity"]), r["entity"]))
        result["reconciliation"] = [
            {
                "entity": r["entity"],
                "raw_rows": format_number(r["raw_rows"]),
                "loaded_rows": format_number(r["loaded_rows"]),
                "rejected_rows": format_number(r["rejected_rows"]),
                "duplicates": format_number(r["exact_duplicates_removed"]),
                "loaded_pct": format_value(
                    100 * r["loaded_rows"] / r["raw_rows"] if r["raw_rows"] else None, "%"
                ),
                "is_reconciled": r["is_reconciled"],
            }
            for r in rows
        ]
        result["reconciliation_table"] = recon
    counts_table = cat.find("rejected_row_counts", ("governance", "marts", "main"))
    rules = cat.find("landing_rules", ("reference", "marts", "main"))
    rows = []
    if counts_table:
        # the published database holds counts per entity and reason code, not the rows
        dimension_sql = "coalesce(r.dq_dimension, 'unknown')" if rules else "'unknown'"
        rules_join = (
            f"left join (select distinct entity, reason_code, dq_dimension from {rules}) as r "
            f"on c.entity = r.entity and c.reason_code = r.reason_code" if rules else ""
        )
        rows = _rows(
            con,
            f"select c.entity, {dimension_sql} as dq_dimension, sum(c.row_count) as n "
            f"from {counts_table} as c {rules_join} group by all",
        )
        result["rejected_table"] = counts_table + (f" with {rules}" if rules else "")
    elif rejected:
        # only the entity and the reason's dimension are read: never the original record
        rows = _rows(
            con,
            f"select entity, coalesce(dq_dimension, 'unknown') as dq_dimension, count(*) as n "
            f"from {rejected} group by all",
        )
        result["rejected_table"] = rejected
    if rows:
        dims = sorted({r["dq_dimension"] for r in rows})
        per_entity: dict[str, dict[str, int]] = {}
        for r in rows:
            per_entity.setdefault(r["entity"], {})[r["dq_dimension"]] = r["n"]
        result["dimensions"] = dims
        result["rejected"] = [
            {
                "entity": e,
                "cells": [format_number(per_entity[e].get(d)) if per_entity[e].get(d) else "" for d in dims],
                "total": format_number(sum(per_entity[e].values())),
            }
            for e in sorted(per_entity, key=lambda e: (_entity_order(e), e))
        ]
    result["available"] = bool(recon or rows)
    return result


PUBLICATION_FIELD_LABELS = {
    "run_id": "Run id (dbt invocation of the published build)",
    "published_at": "Published at (UTC)",
    "published_tables": "Tables published",
    "export_folder": "Parquet export folder",
}


def _provenance(con, cat: Catalog, db_path: Path, is_published: bool) -> dict[str, Any]:
    """Run id, publication time and source row counts: from meta.publication and
    meta.publication_sources (written by `mvoi publish`), else from the governance tables."""
    info: dict[str, Any] = {
        "db_path": str(db_path), "is_published": is_published, "fields": [], "counts": [],
        "count_columns": [], "tables": [],
    }
    publication = cat.find("publication", ("meta",))
    if publication:
        info["table"] = publication
        cols = cat.cols(publication)
        time_col = _pick(cols, "published_at", "publication_time", "run_at", "created_at")
        order = f' order by "{time_col}" desc' if time_col else ""
        rows = _rows(con, f"select * from {publication}{order} limit 1")
        for name, value in (rows[0] if rows else {}).items():
            if value is not None:
                info["fields"].append({"name": PUBLICATION_FIELD_LABELS.get(name, name), "value": str(value)})
    sources = cat.find("publication_sources", ("meta",))
    if sources:
        cols = cat.cols(sources)
        entity = _pick(cols, "entity", "source_entity")
        count = _pick(cols, "raw_rows", "row_count", "source_rows")
        extra = [c for c in ("file_name", "file_format", "loaded_at") if c in cols]
        if entity and count:
            extra_sql = "".join(f', "{c}"' for c in extra)
            rows = _rows(con, f'select "{entity}" as entity, "{count}" as n{extra_sql} from {sources}')
            info["counts"] = [
                {"entity": r["entity"], "rows": format_number(r["n"]),
                 "extra": ["" if r[c] is None else str(r[c]) for c in extra]}
                for r in sorted(rows, key=lambda r: (_entity_order(r["entity"]), r["entity"]))
            ]
            # drop the optional columns that are empty for every entity (e.g. no file for the sample)
            keep = [i for i in range(len(extra)) if any(c["extra"][i] for c in info["counts"])]
            for c in info["counts"]:
                c["extra"] = [c["extra"][i] for i in keep]
            info["count_columns"] = [extra[i] for i in keep]
            info["counts_source"] = sources
    if not info["counts"]:
        recon = cat.find("landing_reconciliation", ("governance", "marts", "main"))
        if recon:
            rows = _rows(con, f"select entity, raw_rows, run_id, loaded_at from {recon}")
            info["counts"] = [
                {"entity": r["entity"], "rows": format_number(r["raw_rows"]), "extra": []}
                for r in sorted(rows, key=lambda r: (_entity_order(r["entity"]), r["entity"]))
            ]
            info["counts_source"] = f"{recon} (raw_rows)"
            if not info["fields"] and rows:
                info["fields"] = [
                    {"name": "Run id (dbt build)", "value": str(rows[0]["run_id"])},
                    {"name": "Built at (UTC)", "value": str(rows[0]["loaded_at"])},
                ]
    published_tables = cat.find("published_tables", ("meta",))
    if published_tables and {"table_schema", "table_name", "row_count"} <= set(cat.cols(published_tables)):
        rows = _rows(con, f"select table_schema, table_name, row_count from {published_tables} order by 1, 2")
        info["tables"] = [
            {"name": f"{r['table_schema']}.{r['table_name']}", "rows": format_number(r["row_count"])} for r in rows
        ]
    return info


# --------------------------------------------------------------------------------------
# the command


def _refused_build(status: dict | None, provenance: dict[str, Any]) -> dict[str, Any] | None:
    """The latest build when it did not publish and came after the publication shown."""
    if not status or status.get("outcome") == "published":
        return None
    shown = {f["name"]: f["value"] for f in provenance["fields"]}
    published_at = shown.get(PUBLICATION_FIELD_LABELS["published_at"], "")
    finished = dt.datetime.fromisoformat(status["finished_at"]).replace(tzinfo=None)
    if published_at and dt.datetime.fromisoformat(published_at) > finished:
        return None  # a publication made after the refused build (by hand)
    return {"finished_at": finished.strftime("%Y-%m-%d %H:%M UTC"), "outcome": status["outcome"],
            "reasons": status.get("reasons") or []}


def build_report(db_path: Path, is_published: bool = True, top_n: int = 10,
                 status: dict | None = None) -> str:
    """The report's HTML, from the database at `db_path` (opened read-only); `status` is the
    last build's outcome (mvoi.build_status), shown as a banner when that build was refused."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        cat = Catalog.read(con)
        fct = cat.find("fct_kpi_values")
        if not fct:
            raise ReportError(f"{db_path} has no fct_kpi_values table: is it a (published) MVOI warehouse?")
        context = {
            "generated_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "sections": _kpi_sections(con, cat, fct),
            "products": _product_groups(con, cat, top_n),
            "quality": _scorecard(con, cat),
            "provenance": _provenance(con, cat, db_path, is_published),
            "kpi_table": fct,
        }
        context["refused_build"] = _refused_build(status, context["provenance"])
        context["publication_labels"] = PUBLICATION_FIELD_LABELS
    finally:
        con.close()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template(TEMPLATE_NAME).render(**context)


class ReportError(RuntimeError):
    pass


def write_report(db_path: Path, out: Path, is_published: bool = True) -> Path:
    text = build_report(db_path, is_published, status=build_status.read(db_path) if is_published else None)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".kpi_report.", suffix=".html", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; the report is meant to be shared
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, default=None,
        help="published database to read (default: MVOI_PUBLISHED_PATH, warehouse/mvoi_published.duckdb); "
        "when it does not exist the build database (MVOI_DB_PATH) is used, with a warning",
    )
    parser.add_argument(
        "--out", type=Path, default=None,
        help="HTML file to write (default: MVOI_REPORT_PATH, kpi_report.html in the warehouse folder)",
    )


def run(args: argparse.Namespace) -> int:
    db_path: Path = args.db or published_db_path()
    is_published = True
    if not db_path.exists():
        fallback = build_db_path()
        if args.db is None and fallback.exists():
            logger.warning(
                "published database %s not found (run `mvoi publish` first); "
                "falling back to the build database %s - the report is marked as unpublished",
                db_path, fallback,
            )
            db_path, is_published = fallback, False
        else:
            logger.error(
                "database %s not found: run `make build` (dbt build + mvoi publish) first, or pass --db",
                db_path,
            )
            return 2
    try:
        out = write_report(db_path, args.out or report_path(), is_published)
    except (ReportError, duckdb.Error) as exc:
        logger.error("cannot write the KPI report from %s: %s", db_path, exc)
        return 1
    logger.info("KPI report written to %s (from %s)", out, db_path)
    return 0
