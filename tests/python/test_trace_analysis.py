"""The auditor's trace analysis (analyses/trace_kpi_value.sql) runs, and the records it lists
add up to the published fct_kpi_values row, for a KPI of every kind of record and scope.

Both use the same formulas (kpi_formulas()); this test runs the compiled analysis against the
session's sample build, so an analysis that no longer matches the mart fails here, not only
when an auditor notices.
"""

from __future__ import annotations

import pytest

from mvoi.paths import connect_build

# one KPI per kind of record, each at another scope level
CASES = [
    ("GEN-04", "national"),  # invoice lines
    ("GEN-02", "government_layer"),  # awarded tenders
    ("ISV-02", "national"),  # contracts by start year
    ("SRO-03", "national"),  # contracts by end year
    ("SRO-04", "national"),  # social-return realisations
    ("CIR-03", "organisation"),  # material reports
]


@pytest.mark.parametrize("kpi_code, scope_level", CASES)
def test_trace_reconciles_with_the_published_row(sample_build, kpi_code, scope_level) -> None:
    with connect_build(sample_build.db_path, read_only=True) as con:
        scope_id, year, record_count = con.execute(
            "select scope_id, year, record_count from marts.fct_kpi_values "
            "where kpi_code = ? and scope_level = ? order by record_count desc, scope_id, year limit 1",
            [kpi_code, scope_level]).fetchone()
    variables = f"{{kpi_code: {kpi_code}, scope_level: {scope_level}, scope_id: '{scope_id}', year: {year}}}"
    compiled = sample_build.dbt("compile", "-s", "trace_kpi_value", "--vars", variables)
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    sql = (sample_build.root / "target" / "compiled" / "mvoi" / "analyses" / "trace_kpi_value.sql").read_text()
    with connect_build(sample_build.db_path, read_only=True) as con:
        rows, reconciled = con.execute(f"select count(*), bool_and(is_reconciled) from ({sql})").fetchone()
    assert rows == record_count and reconciled, (kpi_code, scope_level, scope_id, year, rows, record_count)
