"""The raw layer reads a landing folder and refuses a bad delivery with a clear message."""

from __future__ import annotations

from pathlib import Path

import duckdb

from mvoi.contract import entities
from mvoi.paths import connect_build

# the smallest selection that still loads the landing folder: the on-run-start hook loads it
# only when a selected node reads a landing source
TINY = ("run", "--select", "stg_landing__suppliers__checked")


def write_header_only_folder(folder: Path, skip: tuple[str, ...] = ()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for entity in entities().values():
        if entity.name not in skip:
            (folder / f"{entity.name}.csv").write_text(",".join(entity.columns) + "\n", encoding="utf-8")
    return folder


def test_missing_required_file_names_the_file(dbt_workspace, tmp_path):
    landing = write_header_only_folder(tmp_path / "landing", skip=("invoice_lines",))
    result = dbt_workspace.dbt(*TINY, raw_dir=landing)
    assert result.returncode != 0
    assert "invoice_lines.csv" in result.stdout
    assert "required entity" in result.stdout


def test_missing_required_column_names_file_and_column(dbt_workspace, tmp_path):
    landing = write_header_only_folder(tmp_path / "landing")
    path = landing / "contracts.csv"
    columns = [c for c in entities()["contracts"].columns if c != "start_date"]
    path.write_text(",".join(columns) + "\n", encoding="utf-8")
    result = dbt_workspace.dbt(*TINY, raw_dir=landing)
    assert result.returncode != 0
    assert f"{path}" in result.stdout
    assert "required column start_date" in result.stdout


def test_missing_optional_entity_and_columns_are_empty(dbt_workspace, tmp_path):
    landing = write_header_only_folder(tmp_path / "landing", skip=("material_reports", "tender_criteria"))
    # optional column left out, extra column added, names in other case with spaces
    lines = entities()["invoice_lines"]
    header = [f" {c.upper()} " for c in lines.columns if c != "description"] + ["cost_centre"]
    rows = ["L1,F1,00000001000000001000,S1,,2024-01-31,10.00,EUR,,CC1"]
    (landing / "invoice_lines.csv").write_text("\ufeff" + ",".join(header) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = dbt_workspace.dbt(*TINY, raw_dir=landing)
    assert result.returncode == 0, result.stdout
    assert "extra columns ignored: cost_centre" in result.stdout
    with connect_build(dbt_workspace.db_path, read_only=True) as con:
        assert con.execute("select count(*) from raw.material_reports").fetchone() == (0,)
        row = con.execute("select invoice_line_id, amount, description from raw.invoice_lines").fetchone()
        assert row == ("L1", "10.00", None)
        files = dict(con.execute("select entity, file_format from raw.landing_files").fetchall())
        assert files["tender_criteria"] == "absent" and files["invoice_lines"] == "csv"


def test_parquet_landing_is_read_as_text(dbt_workspace, tmp_path):
    landing = write_header_only_folder(tmp_path / "landing", skip=("organisations",))
    with duckdb.connect() as con:
        con.execute(
            "copy (select '00000001234567890000' as organisation_id, 'Gemeente X' as name, "
            "'gemeente' as government_layer, null as parent_organisation_id) "
            f"to '{landing / 'organisations.parquet'}' (format parquet)"
        )
    result = dbt_workspace.dbt(*TINY, raw_dir=landing)
    assert result.returncode == 0, result.stdout
    with connect_build(dbt_workspace.db_path, read_only=True) as con:
        assert con.execute("select organisation_id from raw.organisations").fetchone() == ("00000001234567890000",)
