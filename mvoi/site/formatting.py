"""Dutch number formats for the site: `€ 2.933.311`, `65,6 %`, `1.234,5 t CO2e`.

Values are stored unrounded in the publication; the site rounds them here and nowhere else,
so a table cell, a chart label and a headline agree. The decimals per unit are the report's
(mvoi.report.formatting.UNIT_DECIMALS); only the separators differ (Dutch: `.` groups
thousands, `,` is the decimal sign).
"""

from __future__ import annotations

import math

from mvoi.report.formatting import MISSING, format_number, format_value, is_not_meaningful

NOT_MEANINGFUL = "n.v.t."  # a share of a netted total outside 0-100 (credit notes)

# A value computed from fewer records than this is shown greyed, with its record count
# (docs/site.md): with one or two tenders a share jumps between 0 % and 100 %.
MIN_RECORDS = 5


def _dutch(text: str) -> str:
    """English separators (1,234.5) swapped for Dutch ones (1.234,5); units hold neither."""
    return text.translate(_SWAP)


_SWAP = str.maketrans({",": ".", ".": ","})


def number_nl(value: float | int | None, decimals: int = 0) -> str:
    """`value` rounded to `decimals` in Dutch notation (1.234,5); `–` when missing."""
    if value is not None and math.isinf(float(value)):
        return MISSING
    return _dutch(format_number(value, decimals))


def value_nl(value: float | int | None, unit: str) -> str:
    """A KPI value with its unit, rounded as in the report: `65,6 %`, `€ 2.933.311`,
    `0,123 kg CO2e/EUR`, `3,5 FTE`."""
    if value is not None and math.isinf(float(value)):
        return MISSING
    return _dutch(format_value(value, unit))


def kpi_value_nl(value: float | int | None, unit: str, bounds: str | None) -> str:
    """A KPI value for a cell: `n.v.t.` for a net share outside 0-100 (see the report)."""
    return NOT_MEANINGFUL if is_not_meaningful(value, bounds) else value_nl(value, unit)


def eur_nl(value: float | int | None) -> str:
    return value_nl(value, "EUR")


def pct_nl(value: float | int | None) -> str:
    return value_nl(value, "%")


def count_nl(value: int | float | None) -> str:
    return number_nl(value, 0)


def is_few(record_count: int | float | None) -> bool:
    """True when a value rests on fewer than MIN_RECORDS records (shown greyed)."""
    return record_count is not None and record_count < MIN_RECORDS
