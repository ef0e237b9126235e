"""End to end: the hand-computed landing fixture through the whole pipeline.

tests/python/fixtures/landing_handcalc/ holds a small landing delivery (nine entities) built to
hit the edge cases of the KPI register, and expected_kpi_values.csv, every row of
marts.fct_kpi_values worked out by hand (the arithmetic is in the README.md next to it).
The test runs the real `dbt build` on it (own DuckDB file, target and log folders) and
compares the table with the expected rows: same set of (kpi_code, scope_level, scope_id,
year), and every column equal (floats within 1e-9 relative).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from mvoi.paths import connect_build

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "landing_handcalc"
KEY = ("kpi_code", "scope_level", "scope_id", "year")
FLOAT_COLUMNS = ("numerator", "denominator", "value", "target_value")
COLUMNS = (
    "kpi_code", "theme", "scope_level", "scope_id", "year", "numerator", "denominator",
    "value", "unit", "record_count", "target_value", "meets_target",
)


def _parse_expected(row: dict[str, str]) -> dict[str, object]:
    parsed: dict[str, object] = dict(row)
    parsed["year"] = int(row["year"])
    parsed["record_count"] = int(row["record_count"])
    for column in FLOAT_COLUMNS:
        parsed[column] = float(row[column]) if row[column] != "" else None
    parsed["meets_target"] = {"": None, "true": True, "false": False}[row["meets_target"]]
    return parsed


def _expected_rows() -> dict[tuple, dict[str, object]]:
    with (FIXTURE / "expected_kpi_values.csv").open(encoding="utf-8", newline="") as handle:
        rows = [_parse_expected(r) for r in csv.DictReader(handle)]
    keyed = {tuple(r[k] for k in KEY): r for r in rows}
    assert len(keyed) == len(rows), "expected_kpi_values.csv has duplicate keys"
    return keyed


def _close(actual: float | None, expected: float | None) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)


@pytest.fixture(scope="module")
def handcalc_build(tmp_path_factory):
    """One full `dbt build` of the fixture, shared by the tests of this module."""
    from conftest import DbtWorkspace  # the shared helper of tests/python

    workspace = DbtWorkspace(tmp_path_factory.mktemp("handcalc"))
    result = workspace.dbt("build", raw_dir=FIXTURE)
    return workspace, result


def test_build_succeeds(handcalc_build):
    _, result = handcalc_build
    assert result.returncode == 0, result.stdout[-6000:]


def test_fct_kpi_values_matches_hand_calculation(handcalc_build):
    workspace, result = handcalc_build
    assert workspace.db_path.exists(), result.stdout[-6000:]
    with connect_build(workspace.db_path, read_only=True) as con:
        cursor = con.execute(f"select {', '.join(COLUMNS)} from marts.fct_kpi_values")
        actual = {tuple(r[COLUMNS.index(k)] for k in KEY): dict(zip(COLUMNS, r, strict=False)) for r in cursor.fetchall()}
    expected = _expected_rows()

    missing = sorted(set(expected) - set(actual))
    unexpected = sorted(set(actual) - set(expected))
    assert not missing, f"rows expected but not built: {missing}"
    assert not unexpected, f"rows built but not expected: {unexpected}"

    mismatches = []
    for key, want in expected.items():
        got = actual[key]
        for column in COLUMNS:
            if column in FLOAT_COLUMNS:
                same = _close(got[column], want[column])
            else:
                same = got[column] == want[column]
            if not same:
                mismatches.append(f"{key} {column}: built {got[column]!r}, expected {want[column]!r}")
    assert not mismatches, "\n".join(mismatches)


def test_all_24_kpis_present(handcalc_build):
    workspace, _ = handcalc_build
    with connect_build(workspace.db_path, read_only=True) as con:
        codes = {r[0] for r in con.execute("select distinct kpi_code from marts.fct_kpi_values").fetchall()}
    assert len(codes) == 24
