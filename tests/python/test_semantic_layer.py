"""The MetricFlow semantic layer answers with the numbers of fct_kpi_values.

After a real `dbt build` of the bundled sample into a private DuckDB file, `mf validate-configs`
checks the semantic models and metrics against the warehouse, and `mf query` asks every KPI
metric the layer defines (numerator, denominator, record count, ratio and value) per year at national,
government-layer and organisation level. Each answer must equal the matching fct_kpi_values
row (1e-6 relative tolerance), and the rows must be the same: a (scope, year) that
fct_kpi_values has and MetricFlow lacks, or the other way round, fails.

How mf finds the build: it reads `<project dir>/target/semantic_manifest.json` (a fixed path,
DBT_TARGET_PATH is not honoured) with the project dir from DBT_PROJECT_DIR or the working
directory, and connects through the profile (profiles.yml reads MVOI_DB_PATH). The test gives
mf a mirror of the project in the temp folder: symlinks to the project's files and a `target`
link to the workspace's target folder, so nothing is written into the repository.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess

import pytest
from conftest import BIN_DIR, PROJECT_DIR, DbtWorkspace  # the shared helper of tests/python

from mvoi.paths import connect_build

# top-level entries of the project that dbt (run by mf as `dbt debug`) needs to load it
PROJECT_ENTRIES = (
    "dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "snapshots", "analyses",
    "tests", "docs",
)
REL_TOL = 1e-6
ABS_TOL = 1e-9

# grouping of fct_kpi_values' scope_level -> (mf group-by, csv column of the scope id)
SCOPES = {
    "national": ("metric_time__year", None),
    "government_layer": ("metric_time__year,organisation__government_layer", "organisation__government_layer"),
    "organisation": ("metric_time__year,organisation", "organisation"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DbtWorkspace:
    """The bundled sample built once: everything the semantic layer (its exposure) and
    fct_kpi_values are computed from, without the data tests (other suites run those)."""
    workspace = DbtWorkspace(tmp_path_factory.mktemp("semantic"))
    result = workspace.dbt(
        "build", "--select", "+exposure:semantic_layer", "+fct_kpi_values",
        "--exclude", "resource_type:test", "resource_type:unit_test",
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert (workspace.root / "target" / "semantic_manifest.json").exists()
    mirror = workspace.root / "project"
    mirror.mkdir()
    for entry in PROJECT_ENTRIES:
        if (PROJECT_DIR / entry).exists():
            (mirror / entry).symlink_to(PROJECT_DIR / entry)
    (mirror / "target").symlink_to(workspace.root / "target")
    return workspace


def run_mf(workspace: DbtWorkspace, *args: str) -> subprocess.CompletedProcess:
    mirror = workspace.root / "project"
    return subprocess.run(
        [str(BIN_DIR / "mf"), *args],
        cwd=mirror,
        env=workspace.env(DBT_PROJECT_DIR=str(mirror)),
        capture_output=True,
        text=True,
        timeout=600,
    )


def kpi_metrics(workspace: DbtWorkspace) -> dict[str, str]:
    """kpi_code -> base metric name (kpi_<code>) of every KPI the semantic manifest defines."""
    manifest = json.loads((workspace.root / "target" / "semantic_manifest.json").read_text())
    names = {metric["name"] for metric in manifest["metrics"]}
    kpis = {}
    for name in names:
        if name.startswith("kpi_") and not name.endswith(
            ("_numerator", "_denominator", "_ratio", "_record_count")
        ):
            kpis[name[len("kpi_"):].replace("_", "-").upper()] = name
    return kpis


def all_metric_names(workspace: DbtWorkspace) -> list[str]:
    manifest = json.loads((workspace.root / "target" / "semantic_manifest.json").read_text())
    return sorted(metric["name"] for metric in manifest["metrics"] if metric["name"].startswith("kpi_"))


def as_float(text: str | None) -> float | None:
    return None if text in (None, "") else float(text)


def close(actual: float | None, expected: float | None) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return math.isclose(actual, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def mf_rows(workspace: DbtWorkspace, metrics: list[str], scope_level: str) -> list[dict[str, str]]:
    group_by, _ = SCOPES[scope_level]
    out = workspace.root / f"mf_{scope_level}.csv"
    result = run_mf(
        workspace, "query", "--metrics", ",".join(metrics), "--group-by", group_by,
        "--csv", str(out), "--quiet",
    )
    assert result.returncode == 0 and out.exists(), result.stdout[-4000:] + result.stderr[-4000:]
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def expected_rows(workspace: DbtWorkspace, scope_level: str) -> dict[tuple[str, str, int], tuple]:
    with connect_build(workspace.db_path, read_only=True) as con:
        rows = con.execute(
            """
            select kpi_code, scope_id, year, numerator, denominator, value, record_count
            from marts.fct_kpi_values
            where scope_level = ?
            """,
            [scope_level],
        ).fetchall()
    return {(row[0], row[1], row[2]): tuple(row[3:]) for row in rows}


def test_every_kpi_of_the_register_is_a_metric(built: DbtWorkspace) -> None:
    """The docs say all 24 KPIs are in the semantic layer; the manifest must agree."""
    with connect_build(built.db_path, read_only=True) as con:
        register = {row[0] for row in con.execute("select kpi_code from reference.kpi_register").fetchall()}
    assert len(register) == 24
    assert set(kpi_metrics(built)) == register


def test_mf_validate_configs(built: DbtWorkspace) -> None:
    """Semantic validation and the data-warehouse checks of every dimension, entity, measure
    and metric against the built database."""
    result = run_mf(built, "validate-configs")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Successfully validated metrics against data warehouse" in output, output[-4000:]
    assert "ERRORS: 0" in output


@pytest.mark.parametrize("scope_level", list(SCOPES))
def test_mf_query_equals_fct_kpi_values(built: DbtWorkspace, scope_level: str) -> None:
    kpis = kpi_metrics(built)
    rows = mf_rows(built, all_metric_names(built), scope_level)
    expected = expected_rows(built, scope_level)
    _, scope_column = SCOPES[scope_level]

    actual: dict[tuple[str, str, int], tuple] = {}
    ratios: dict[tuple[str, str, int], float | None] = {}
    for row in rows:
        if not row["metric_time__year"]:
            continue  # records without a KPI year (e.g. SRO-03 of open-ended contracts)
        year = int(row["metric_time__year"][:4])
        scope_id = "NL" if scope_column is None else row[scope_column]
        for code, metric in kpis.items():
            record_count = as_float(row[f"{metric}_record_count"])
            if record_count is None:
                continue  # no record of the KPI's (denominator) domain in this scope and year
            value = as_float(row[metric])
            if f"{metric}_denominator" in row:
                numerator = as_float(row[f"{metric}_numerator"])
                denominator = as_float(row[f"{metric}_denominator"])
            else:
                numerator, denominator = value, None
            actual[(code, scope_id, year)] = (numerator, denominator, value, record_count)
            if f"{metric}_ratio" in row:
                ratios[(code, scope_id, year)] = as_float(row[f"{metric}_ratio"])

    assert set(kpis) == {key[0] for key in expected}, "fct_kpi_values and the layer have different KPIs"
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    assert not missing, f"rows of fct_kpi_values the semantic layer lacks: {missing[:10]}"
    assert not extra, f"rows of the semantic layer fct_kpi_values lacks: {extra[:10]}"

    mismatches = []
    for key, (exp_num, exp_den, exp_value, exp_count) in sorted(expected.items()):
        act_num, act_den, act_value, act_count = actual[key]
        for part, act, exp in (("numerator", act_num, exp_num), ("denominator", act_den, exp_den),
                               ("value", act_value, exp_value), ("record_count", act_count, exp_count)):
            if not close(act, exp):
                mismatches.append((key, part, act, exp))
        if key in ratios and not close(None if ratios[key] is None else ratios[key] * 100, exp_value):
            mismatches.append((key, "ratio x 100", ratios[key], exp_value))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:10]}"
    # the comparison covered real data, not an empty build
    assert len(expected) >= 24
