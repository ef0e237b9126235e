"""Typed frames -> text rows in the landing contract's spelling (ISO dates, '.' decimals)."""

from __future__ import annotations

import numpy as np

from mvoi.generator.reference import Reference
from mvoi.generator.world import Frame

Row = dict[str, "str | None"]

MONEY_COLUMNS = {
    "estimated_value_eur", "awarded_value_eur", "contract_value_eur", "sroi_obligation_eur",
    "realised_value_eur",
}
DECIMAL1_COLUMNS = {"material_total_kg", "secondary_material_kg"}
DECIMAL2_COLUMNS = {"placements_fte"}
CPV_COLUMNS = {"cpv_code"}


def cpv_strings(ref: Reference, idx: np.ndarray, with_check: np.ndarray) -> np.ndarray:
    """`XXXXXXXX-D` with the official check digit, or the bare 8 digits (also valid)."""
    full = np.char.add(np.char.add(ref.cpv_code[idx].astype(str), "-"), ref.cpv_check[idx].astype(str))
    return np.where(with_check, full, ref.cpv_code[idx].astype(str)).astype(object)


def _fmt_dates(values: np.ndarray) -> list:
    out = np.datetime_as_string(values, unit="D").astype(object)
    out[np.isnat(values)] = None
    return list(out)


def _fmt_float(values: np.ndarray, fmt: str) -> list:
    return [None if np.isnan(v) else fmt % v for v in values]


def render(frame: Frame, columns: tuple[str, ...], ref: Reference, rng: np.random.Generator) -> list[Row]:
    """The frame as a list of text rows with exactly the contract's columns."""
    rendered: dict[str, list] = {}
    for col in columns:
        values = frame[col]
        if col in CPV_COLUMNS:
            rendered[col] = list(cpv_strings(ref, values, rng.random(len(values)) < 0.85))
        elif values.dtype.kind == "M":
            rendered[col] = _fmt_dates(values)
        elif col in MONEY_COLUMNS or col in DECIMAL2_COLUMNS:
            rendered[col] = _fmt_float(values.astype(float), "%.2f")
        elif col in DECIMAL1_COLUMNS:
            rendered[col] = _fmt_float(values.astype(float), "%.1f")
        else:
            rendered[col] = list(values)
    n = len(frame)
    return [{col: rendered[col][i] for col in columns} for i in range(n)]
