"""The incremental spend fact gives exactly the marts of a full refresh.

Builds the hand-computed landing fixture without some invoice lines, then delivers the
landing again with those lines appended (late-arriving lines inside and outside the
look-back window), one line corrected, one line withdrawn and one certificate changed (which
changes the enrichment of old lines). An incremental `dbt run` must then give the same
fct_spend and fct_kpi_values as a `--full-refresh` of the same delivery.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from pipeline import rows_digest

from mvoi.paths import connect_build

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "landing_handcalc"
SELECT = ("--select", "+fct_kpi_values")
HELD_BACK = {"L2", "L13", "L20"}  # L2 is an early line (outside the look-back of 2025 lines)


def _rewrite(path: Path, transform) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = [r for r in (transform(dict(row)) for row in reader) if r is not None]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _table(db_path: Path, sql: str) -> list[tuple]:
    with connect_build(db_path, read_only=True) as con:
        return sorted(con.execute(sql).fetchall(), key=repr)


def test_incremental_spend_equals_full_refresh(dbt_workspace, tmp_path):
    first = tmp_path / "delivery_1"
    second = tmp_path / "delivery_2"
    shutil.copytree(FIXTURE, first)
    shutil.copytree(FIXTURE, second)
    _rewrite(first / "invoice_lines.csv", lambda r: None if r["invoice_line_id"] in HELD_BACK else r)

    def corrected(row):
        if row["invoice_line_id"] == "L4":
            return None  # withdrawn from the delivery
        if row["invoice_line_id"] == "L16":
            row["amount"] = "5100.00"  # corrected amount of an old line
        return row

    _rewrite(second / "invoice_lines.csv", corrected)

    def extended(row):
        if row["certificate_id"] == "C1":
            row["valid_to"] = "2024-12-31"  # now also covers L6 (2024-07-01)
        return row

    _rewrite(second / "supplier_certificates.csv", extended)

    seeded = dbt_workspace.dbt("seed", raw_dir=first)
    assert seeded.returncode == 0, seeded.stdout[-4000:]
    initial = dbt_workspace.dbt("run", *SELECT, raw_dir=first)
    assert initial.returncode == 0, initial.stdout[-4000:]
    incremental = dbt_workspace.dbt("run", *SELECT, raw_dir=second)
    assert incremental.returncode == 0, incremental.stdout[-4000:]

    spend_sql = "select * from marts.fct_spend"
    kpi_sql = "select * from marts.fct_kpi_values"
    spend_incremental = _table(dbt_workspace.db_path, spend_sql)
    kpis_incremental = _table(dbt_workspace.db_path, kpi_sql)

    refreshed = dbt_workspace.dbt("run", *SELECT, "--full-refresh", raw_dir=second)
    assert refreshed.returncode == 0, refreshed.stdout[-4000:]
    spend_full = _table(dbt_workspace.db_path, spend_sql)
    kpis_full = _table(dbt_workspace.db_path, kpi_sql)

    ids = {row[0] for row in spend_full}
    assert HELD_BACK <= ids and "L4" not in ids  # the scenario really happened
    assert spend_incremental == spend_full
    # doubles to 12 significant digits: DuckDB sums doubles in no fixed order (rows_digest)
    assert rows_digest(kpis_incremental) == rows_digest(kpis_full), (kpis_incremental, kpis_full)
