"""Number formatting and escaping: the single place where values are rounded for display.

Values are stored unrounded in the marts; the report rounds them here, per unit, and nowhere
else, so that a table cell, a chart tooltip and a headline always agree.
"""

from __future__ import annotations

import html
import math
from typing import Any

# Decimals shown per unit (values are stored unrounded; this is display only).
UNIT_DECIMALS = {"%": 1, "t CO2e": 1, "kg CO2e/EUR": 3, "EUR": 0, "FTE": 1}
MISSING = "–"  # en dash: no value (denominator 0)
NOT_MEANINGFUL = "n.m."


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


def format_eur(value: float | int | None) -> str:
    return format_value(value, "EUR")


def format_share(part: float | None, total: float | None) -> str:
    """`part` as a percentage of `total`; `–` when the total is 0 or missing."""
    return format_value(100 * (part or 0) / total if total else None, "%")


def is_not_meaningful(value: float | int | None, bounds: str | None) -> bool:
    """A share of a netted total (register bounds `net`) outside 0-100. Credit notes can push
    a share of spend below 0 or above 100: the value stays in the publication (numerator and
    denominator are exact and traceable), but as a share it means nothing to a reader."""
    return bounds == "net" and value is not None and not 0 <= float(value) <= 100


def format_kpi_value(value: float | int | None, unit: str, bounds: str | None) -> str:
    """A KPI value for a table cell or headline: `n.m.` for a net share outside 0-100."""
    return NOT_MEANINGFUL if is_not_meaningful(value, bounds) else format_value(value, unit)


def esc(text: Any) -> str:
    """`text` safe inside SVG/HTML markup and attribute values (delivered data may hold markup)."""
    return html.escape(str(text), quote=True)
