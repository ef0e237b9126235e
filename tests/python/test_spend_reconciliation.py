"""assert_kpi_spend_reconciles fails where a link of the spend chain breaks.

The singular test checks, per invoice year, that the raw invoice lines minus the rejected ones,
the loaded staging lines, fct_spend and the national spend KPIs agree. It is run with real dbt
on a copy of the shared sample build in which one link was changed after the build: the
amount of a raw line (so raw no longer matches staging), or of a fact line (so fct_spend no
longer matches staging and the KPIs). Each change must fail it with the rows that differ.
"""

from __future__ import annotations

import json

import pytest
from conftest import DbtWorkspace
from pipeline import copy_build_database

from mvoi.paths import connect_build

TEST = "assert_kpi_spend_reconciles"


def _run_test(workspace: DbtWorkspace) -> tuple[str, int]:
    """(status, failing rows) of the test on the workspace's database."""
    result = workspace.dbt("test", "--select", TEST)
    results = json.loads((workspace.root / "target" / "run_results.json").read_text(encoding="utf-8"))
    tests = [(r["status"], r["failures"]) for r in results["results"] if r["unique_id"].startswith("test.")]
    assert len(tests) == 1, result.stdout[-3000:]
    return tests[0]


@pytest.fixture
def build_copy(sample_build, tmp_path) -> tuple[DbtWorkspace, str]:
    """A copy of the sample build and the id of its first loaded invoice line."""
    copy = DbtWorkspace(tmp_path)
    copy_build_database(sample_build.db_path, copy.db_path)
    with connect_build(copy.db_path, read_only=True) as con:
        (line_id,) = con.execute("select min(invoice_line_id) from staging.stg_landing__invoice_lines").fetchone()
    return copy, line_id


@pytest.mark.parametrize("change", [
    "update raw.invoice_lines set amount = '987654.32' where trim(invoice_line_id) = ?",
    "update spend_store.marts.fct_spend set amount = amount + 1 where invoice_line_id = ?",
], ids=["raw amount", "fact amount"])
def test_a_changed_amount_fails_the_reconciliation(build_copy, change):
    copy, line_id = build_copy
    with connect_build(copy.db_path) as con:
        assert con.execute(change, [line_id]).fetchone()[0] >= 1
    status, failures = _run_test(copy)
    assert status == "fail" and failures >= 1
