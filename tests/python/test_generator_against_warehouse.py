"""A fault-free generated delivery passes every rule of the warehouse's own staging.

The generator's tests check its output with a Python reading of the landing contract; this
test holds it to the rules the warehouse applies: a delivery made with `--fault-rate 0` runs
through the real staging and governance models, and not one row is rejected, warned about or
removed as a duplicate. (With faults, tests/python/test_failure_behaviour.py compares the
warehouse's quarantine with the generator's manifest.)
"""

from __future__ import annotations

from pathlib import Path

from mvoi.generator.core import Config, generate
from mvoi.paths import connect_build


def test_fault_free_delivery_loads_without_rejections_or_warnings(dbt_workspace, tmp_path: Path):
    landing = tmp_path / "landing"
    generate(Config(out=landing, invoice_lines=2_000, seed=11, fault_rate=0.0, quiet=True))
    result = dbt_workspace.dbt(
        "build", "--select", "+rejected_rows", "+row_warnings", "+landing_reconciliation",
        "--exclude-resource-type", "unit_test", "--indirect-selection", "cautious", raw_dir=landing,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    with connect_build(dbt_workspace.db_path, read_only=True) as con:
        rejected = con.execute(
            "select entity, reason_code, count(*) from governance.rejected_rows group by all"
        ).fetchall()
        warnings = con.execute(
            "select entity, reason_code, count(*) from governance.row_warnings group by all"
        ).fetchall()
        totals = con.execute(
            "select sum(raw_rows), sum(loaded_rows), sum(rejected_rows), sum(exact_duplicates_removed) "
            "from governance.landing_reconciliation"
        ).fetchone()
    assert rejected == []
    assert warnings == []
    raw_rows, loaded_rows, rejected_rows, duplicates = totals
    assert raw_rows > 2_000 and loaded_rows == raw_rows and rejected_rows == 0 and duplicates == 0
