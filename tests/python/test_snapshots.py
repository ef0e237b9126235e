"""The SCD2 snapshots record what each delivery said, and the models reading them report it.

Builds the staging fixture, then delivers it again with corrected contracts (value, end
date and SROI obligation of CT001; the ISV clause of CT002 switched on; CT007 withdrawn) and
corrected certificates (C004's validity shortened, C003 withdrawn). The snapshots must hold
exactly one new version per changed row (a deletion version for a withdrawn one),
fct_contract_changes must list the changes with old and new values, the two auditor
analyses must report them, and a third build of the same delivery must add nothing.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from mvoi.paths import connect_build

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "landing_staging"
# only what the snapshots, fct_contract_changes and the analyses need; the data tests of
# these models run in the project's own build
SELECT = (
    "--select", "+fct_contract_changes", "+snap_supplier_certificates", "+fct_spend",
    "--resource-type", "seed", "--resource-type", "model", "--resource-type", "snapshot",
)


def _rewrite(path: Path, transform) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = [r for r in (transform(dict(row)) for row in reader) if r is not None]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _correct_contracts(row: dict) -> dict | None:
    if row["contract_id"] == "CT001":
        row.update(contract_value_eur="120000.00", end_date="2025-10-31", sroi_obligation_eur="7500")
    elif row["contract_id"] == "CT002":
        row.update(isv_clause="ja")
    elif row["contract_id"] == "CT007":
        return None
    return row


def _correct_certificates(row: dict) -> dict | None:
    if row["certificate_id"] == "C004":
        row.update(valid_to="2024-01-31")
    elif row["certificate_id"] == "C003":
        return None
    return row


def _rows(db_path: Path, sql: str) -> list[tuple]:
    with connect_build(db_path, read_only=True) as con:
        return con.execute(sql).fetchall()


def _build(workspace, raw_dir: Path) -> None:
    result = workspace.dbt("build", *SELECT, raw_dir=raw_dir)
    assert result.returncode == 0, result.stdout[-5000:]


def _run_analysis(workspace, raw_dir: Path, name: str) -> list[tuple]:
    result = workspace.dbt("compile", "--select", name, raw_dir=raw_dir)
    assert result.returncode == 0, result.stdout[-5000:]
    sql = (workspace.root / "target" / "compiled" / "mvoi" / "analyses" / f"{name}.sql").read_text()
    return _rows(workspace.db_path, sql)


def test_snapshots_record_corrections_between_deliveries(dbt_workspace, tmp_path):
    first = tmp_path / "delivery_1"
    shutil.copytree(FIXTURE, first)
    _build(dbt_workspace, first)

    assert _rows(dbt_workspace.db_path, "select count(*) from marts.fct_contract_changes") == [(0,)]
    first_versions = _rows(
        dbt_workspace.db_path,
        "select (select count(*) from snapshots.snap_contracts), "
        "(select count(*) from snapshots.snap_supplier_certificates)",
    )[0]
    loaded = _rows(
        dbt_workspace.db_path,
        "select (select count(*) from staging.stg_landing__contracts), "
        "(select count(*) from staging.stg_landing__supplier_certificates)",
    )[0]
    assert first_versions == loaded

    second = tmp_path / "delivery_2"
    shutil.copytree(FIXTURE, second)
    _rewrite(second / "contracts.csv", _correct_contracts)
    _rewrite(second / "supplier_certificates.csv", _correct_certificates)
    _build(dbt_workspace, second)

    contract_versions = _rows(
        dbt_workspace.db_path,
        "select contract_id, count(*), "
        "count(*) filter (where dbt_valid_to is null), "
        "count(*) filter (where dbt_is_deleted = 'True') "
        "from snapshots.snap_contracts group by contract_id order by contract_id",
    )
    by_contract = {row[0]: row[1:] for row in contract_versions}
    assert by_contract["CT001"] == (2, 1, 0)
    assert by_contract["CT002"] == (2, 1, 0)
    assert by_contract["CT007"] == (2, 1, 1)  # the current version is the deletion version
    assert all(v == (1, 1, 0) for k, v in by_contract.items() if k not in {"CT001", "CT002", "CT007"})

    changes = _rows(
        dbt_workspace.db_path,
        "select contract_id, change_type, previous_contract_value_eur, contract_value_eur, "
        "contract_value_change_eur, is_contract_value_changed, previous_end_date, end_date, "
        "is_end_date_changed, previous_sroi_obligation_eur, sroi_obligation_eur, "
        "is_sroi_obligation_changed, previous_isv_clause, isv_clause, is_isv_clause_changed, "
        "is_other_attribute_changed "
        "from marts.fct_contract_changes order by contract_id",
    )
    ct001, ct002, ct007 = changes
    assert ct001[:2] == ("CT001", "changed")
    assert [float(v) for v in ct001[2:5]] == [95000.50, 120000.00, 24999.50]
    assert ct001[5] is True
    assert (str(ct001[6]), str(ct001[7]), ct001[8]) == ("2025-04-30", "2025-10-31", True)
    assert (float(ct001[9]), float(ct001[10]), ct001[11]) == (5000.0, 7500.0, True)
    assert ct001[14:] == (False, False)
    assert ct002[:2] == ("CT002", "changed")
    assert ct002[12:] == (False, True, True, False)
    assert ct002[5] is False and ct002[8] is False and ct002[11] is False
    assert ct007[:2] == ("CT007", "deleted")
    assert ct007[5] is False and ct007[15] is False

    certificate_versions = dict(
        _rows(
            dbt_workspace.db_path,
            "select certificate_id, list(coalesce(cast(valid_to as varchar), '-') || '/' || dbt_is_deleted "
            "order by dbt_valid_from) from snapshots.snap_supplier_certificates group by certificate_id",
        )
    )
    assert certificate_versions["C004"] == ["2024-12-31/False", "2024-01-31/False"]
    assert certificate_versions["C003"] == ["-/False", "-/True"]

    per_build = _run_analysis(dbt_workspace, second, "contract_changes_between_builds")
    assert len(per_build) == 1
    (_, change_count, changed, deleted, restored, value_changes, net_value, isv_on, isv_off,
     sroi_changes, end_changes, start_changes, first_year, last_year) = per_build[0]
    assert (change_count, changed, deleted, restored) == (3, 2, 1, 0)
    assert (value_changes, float(net_value), isv_on, isv_off) == (1, 24999.50, 1, 0)
    assert (sroi_changes, end_changes, start_changes) == (1, 1, 0)
    assert (first_year, last_year) == (2023, 2024)

    # C004 (ISO 14001 of S002) no longer covers S002's loaded lines of 2024-04-01: 50 + 50 EUR
    # (IL008 and IL010; IL009 is a rejected conflicting duplicate, IL011's organisation unknown)
    restated = _run_analysis(dbt_workspace, second, "supplier_certificate_changes")
    by_kpi = {(row[0], row[2], row[3]): (float(row[4]), float(row[5]), row[6]) for row in restated}
    lines_of_s002 = _rows(
        dbt_workspace.db_path,
        "select count(*), sum(amount) from marts.fct_spend "
        "where supplier_id = 'S002' and invoice_date between date '2024-02-01' and date '2024-12-31'",
    )[0]
    assert lines_of_s002[0] > 0
    assert by_kpi[("C004", "MIL-02", 2024)] == (0.0, float(lines_of_s002[1]), lines_of_s002[0])
    # C003 is a PSO level 0 certificate: it never covered DI-02, so its withdrawal restates nothing
    assert not [key for key in by_kpi if key[0] == "C003"]

    # the same delivery again: no new version, no new change
    before = _rows(
        dbt_workspace.db_path,
        "select (select count(*) from snapshots.snap_contracts), "
        "(select count(*) from snapshots.snap_supplier_certificates), "
        "(select count(*) from marts.fct_contract_changes)",
    )
    _build(dbt_workspace, second)
    after = _rows(
        dbt_workspace.db_path,
        "select (select count(*) from snapshots.snap_contracts), "
        "(select count(*) from snapshots.snap_supplier_certificates), "
        "(select count(*) from marts.fct_contract_changes)",
    )
    assert after == before
