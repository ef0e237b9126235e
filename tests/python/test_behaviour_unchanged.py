"""Refactors keep the numbers: `marts.fct_kpi_values` and `governance.rejected_rows` are
identical to what they were when these digests were recorded, on the bundled sample and on
a generated delivery with 2% faults per rule.

The digests in fixtures/behaviour_digests.json were recorded on commit aee8d39 (issue 9's
changes in, before the refactors of issue 10); rejected_rows' again on 6ef3f3d, when the
criterion_kind code list (and so one reason text) gained declared_objective. Rows are compared as sorted, normalised text
(doubles to 12 significant digits: DuckDB sums doubles in no fixed order), without the run's
own id and time, and without rejected_rows' delivery_id (added by issue 11; a landing folder's rows all
carry `landing_folder`), and without rejected_rows' record_id (since issue 12 an MD5 of the
original record instead of the cleaned values; the digests without it were recorded on 348b189
and are unchanged by that switch). When a change is MEANT to change the numbers, record the digests again with
`MVOI_RECORD_DIGESTS=1 .venv/bin/pytest tests/python/test_behaviour_unchanged.py` and say
why in the commit message.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import DbtWorkspace
from pipeline import rows_digest

from mvoi.generator import Config, generate
from mvoi.paths import connect_build

DIGESTS = Path(__file__).parent / "fixtures" / "behaviour_digests.json"
FAULTY = Config(out=Path(), invoice_lines=2_000, seed=7, fault_rate=0.02, quiet=True)
TABLES = {
    "fct_kpi_values": "select * from marts.fct_kpi_values",
    "rejected_rows": "select * exclude (run_id, loaded_at, delivery_id, record_id) from governance.rejected_rows",
}


def digest(db_path: Path) -> dict[str, dict[str, object]]:
    """{table: {rows, sha256}} of the compared tables."""
    out = {}
    with connect_build(db_path, read_only=True) as con:
        for table, sql in TABLES.items():
            rows = con.execute(sql).fetchall()
            out[table] = {"rows": len(rows), "sha256": rows_digest(rows)}
    return out


def check(name: str, db_path: Path) -> None:
    actual = digest(db_path)
    recorded = json.loads(DIGESTS.read_text(encoding="utf-8")) if DIGESTS.exists() else {}
    if os.environ.get("MVOI_RECORD_DIGESTS"):
        recorded[name] = actual
        DIGESTS.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert actual == recorded[name], f"{name}: the numbers changed (see this module's docstring)"


def test_sample_numbers_unchanged(sample_build) -> None:
    check("bundled_sample", sample_build.db_path)


@pytest.fixture(scope="module")
def faulty_build(tmp_path_factory) -> DbtWorkspace:
    workspace = DbtWorkspace(tmp_path_factory.mktemp("faulty_build"))
    landing = tmp_path_factory.mktemp("faulty_delivery")
    generate(replace(FAULTY, out=landing))
    result = workspace.dbt("build", "--exclude-resource-type", "test", "unit_test", raw_dir=landing)
    assert result.returncode == 0, result.stdout[-4000:]
    return workspace


def test_faulty_delivery_numbers_unchanged(faulty_build) -> None:
    check("faulty_delivery_2000_lines_seed_7", faulty_build.db_path)
