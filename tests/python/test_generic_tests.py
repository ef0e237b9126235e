"""The project's custom generic dbt tests (macros/tests/) can fail, and pass where they should.

A dbt unit test cannot exercise a generic test, so each test macro is run here, through the
real dbt and DuckDB, on literal rows: ONE `dbt show --inline` query calls every case
(`{{ test_valid_oin(model='(select ...) as t', column_name='c') }}`) and returns the number
of rows each case fails with. The CPV cases read reference.cpv_codes, loaded from the real
seed file (seeds/reference/cpv_codes.csv) into a private DuckDB file first.

The last tests read the shared sample build (conftest `sample_build`): the on-run-end hook
stores every test result in governance.dbt_test_results and the scorecard covers every
landing entity and NORA dimension.
"""

from __future__ import annotations

import csv
import json

import pytest
from conftest import PROJECT_DIR, DbtWorkspace

from mvoi.paths import connect_build

CPV_SEED = PROJECT_DIR / "seeds" / "reference" / "cpv_codes.csv"
DIMENSIONS = {"completeness", "validity", "consistency", "uniqueness", "timeliness", "traceability"}
ENTITIES = {
    "organisations", "suppliers", "supplier_certificates", "tenders", "tender_criteria",
    "contracts", "invoice_lines", "social_return_realisations", "material_reports",
}


def _rows(columns: str, *values: str) -> str:
    """A literal table as a subquery: _rows('c', "('a')", "(null)")."""
    return f"(select * from (values {', '.join(values)}) as v({columns})) as t"


def _known_cpv() -> tuple[str, str]:
    with CPV_SEED.open(encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    return row["code"], row["check_digit"]


def _cases() -> dict[str, tuple[int, str]]:
    """case name -> (expected failing rows, the test macro call)."""
    code, digit = _known_cpv()
    wrong = str((int(digit) + 1) % 10)
    cpv_rows = _rows(
        "c",
        f"('{code}')", f"('{code}-{digit}')", f"('{code}-{wrong}')",  # valid (wrong digit: format ok)
        "('99999999')",            # 8 digits, not in the CPV 2008 list
        f"('{code}.0')",           # float artefact
        "('4523313')",             # 7 digits
        "(null)",
    )
    return {
        "valid_oin_bad": (4, "test_valid_oin(model=" + repr(_rows(
            "c", "('00000001001234567000')", "('0000000100123456700')", "('0000000100123456700a')",
            "(' 00000001001234567000')", "('')", "(null)")) + ", column_name='c')"),
        "valid_oin_good": (0, "test_valid_oin(model=" + repr(_rows(
            "c", "('00000001001234567000')", "('00000003123456780000')", "(null)")) + ", column_name='c')"),
        "valid_kvk_bad": (3, "test_valid_kvk(model=" + repr(_rows(
            "c", "('01234567')", "('1234567')", "('123456789')", "('1234567a')", "(null)")) + ", column_name='c')"),
        "valid_kvk_good": (0, "test_valid_kvk(model=" + repr(_rows(
            "c", "('01234567')", "('00000001')")) + ", column_name='c')"),
        "valid_cpv": (3, f"test_valid_cpv(model={cpv_rows!r}, column_name='c')"),
        "valid_cpv_check_digit": (4, f"test_valid_cpv(model={cpv_rows!r}, column_name='c', check_digit=true)"),
        "valid_cpv_good": (0, "test_valid_cpv(model=" + repr(_rows(
            "c", f"('{code}')", f"('{code}-{digit}')")) + ", column_name='c', check_digit=true)"),
        "valid_iso_country_bad": (4, "test_valid_iso_country(model=" + repr(_rows(
            "c", "('NL')", "('DE')", "('nl')", "('UK')", "('XK')", "('NLD')", "(null)")) + ", column_name='c')"),
        "valid_iso_country_good": (0, "test_valid_iso_country(model=" + repr(_rows(
            "c", "('NL')", "('BE')", "('GB')")) + ", column_name='c')"),
        "column_between_bounds": (2, "test_column_between(model=" + repr(_rows(
            "v", "(0)", "(100)", "(-0.01)", "(100.5)", "(null)")) + ", column_name='v', min_value=0, max_value=100)"),
        "column_between_min_only": (1, "test_column_between(model=" + repr(_rows(
            "v", "(0)", "(1e9)", "(-1)")) + ", column_name='v', min_value=0)"),
        "column_between_where": (1, "test_column_between(model=" + repr(_rows(
            "v, u", "(140, 'EUR')", "(140, '%')", "(50, '%')")) + ", column_name='v', min_value=0, max_value=100, "
            "where=\"u = '%'\")"),
        "reconciles_total_equal": (0, "test_reconciles_with(model=" + repr(_rows(
            "g, a", "('x', 1.5)", "('y', 2.5)")) + ", column_name='a', to=" + repr(_rows(
            "h, b", "('x', 4.0)")) + ", field='b')"),
        "reconciles_total_differs": (1, "test_reconciles_with(model=" + repr(_rows(
            "g, a", "('x', 1.5)", "('y', 2.5)")) + ", column_name='a', to=" + repr(_rows(
            "h, b", "('x', 4.01)")) + ", field='b')"),
        "reconciles_tolerance": (0, "test_reconciles_with(model=" + repr(_rows(
            "g, a", "('x', 1.5)", "('y', 2.5)")) + ", column_name='a', to=" + repr(_rows(
            "h, b", "('x', 4.01)")) + ", field='b', tolerance=0.05)"),
        "reconciles_grouped": (2, "test_reconciles_with(model=" + repr(_rows(
            "g, a", "('x', 1.0)", "('y', 2.0)", "(null, 3.0)")) + ", column_name='a', to=" + repr(_rows(
            "h, b", "('x', 1.0)", "('y', 2.5)", "(null, 3.0)", "('z', 0.5)")) + ", field='b', group_by=['g'], "
            "to_group_by=['h'])"),
        "reconciles_where": (0, "test_reconciles_with(model=" + repr(_rows(
            "g, a", "('x', 1.0)", "('y', 2.0)")) + ", column_name='a', to=" + repr(_rows(
            "h, b, ok", "('x', 1.0, true)", "('y', 2.0, true)", "('y', 9.0, false)")) + ", field='b', "
            "group_by=['g'], to_group_by=['h'], to_where='ok')"),
        # issue 12: yearly emissions of 25.6 million t summed in another order differ by 1.05e-6 t
        "floats_differ_noise": (0, _pairs_differing("(25600000.0, 25600000.00000105)", "(0.0, 1e-10)")),
        "floats_differ_real": (3, _pairs_differing(
            "(25600000.0, 25600000.1)", "(0.0, 1e-8)", "(-5.0, 5.0)", "(1.0, 1.0)")),
    }


def _pairs_differing(*pairs: str) -> str:
    """A query returning the (a, b) pairs of doubles that floats_differ calls different."""
    rows = ", ".join(pairs)
    return (f"'select * from (values {rows}) as t(a, b) "
            "where ' ~ floats_differ('cast(a as double)', 'cast(b as double)')")


@pytest.fixture(scope="module")
def case_failures(tmp_path_factory) -> dict[str, int]:
    workspace = DbtWorkspace(tmp_path_factory.mktemp("generic_tests"))
    with connect_build(workspace.db_path) as con:
        con.execute("create schema reference")
        con.execute(
            "create table reference.cpv_codes as select * from read_csv(?, header = true, all_varchar = true)",
            [str(CPV_SEED)],
        )
    cases = _cases()
    query = "\nunion all\n".join(
        f"select '{name}' as case_name, count(*) as failures from ({{{{ {call} }}}}) as f"
        for name, (_, call) in cases.items()
    )
    result = workspace.dbt("show", "--inline", query, "--output", "json", "--limit", "-1", "--log-format", "json")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    for line in result.stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        preview = event.get("data", {}).get("preview")
        if preview:
            return {row["case_name"]: row["failures"] for row in json.loads(preview)}
    pytest.fail("dbt show printed no result:\n" + result.stdout[-3000:])


@pytest.mark.parametrize("case", list(_cases()))
def test_generic_test_case(case_failures: dict[str, int], case: str) -> None:
    expected, _ = _cases()[case]
    assert case_failures[case] == expected, f"{case}: {case_failures[case]} failing rows, expected {expected}"


def test_every_generic_test_is_documented_with_a_severity() -> None:
    """Each custom generic test sets a default severity and is described in _tests__macros.yml."""
    import yaml

    documented = {m["name"]: m for m in yaml.safe_load(
        (PROJECT_DIR / "macros" / "tests" / "_tests__macros.yml").read_text(encoding="utf-8"))["macros"]}
    for name in ("valid_oin", "valid_kvk", "valid_cpv", "valid_iso_country", "column_between", "reconciles_with"):
        source = (PROJECT_DIR / "macros" / "tests" / f"{name}.sql").read_text(encoding="utf-8")
        assert f"{{% test {name}(" in source
        assert "config(severity=" in source, name
        doc = documented[f"test_{name}"]
        assert doc["description"].strip()
        assert all(arg.get("description") for arg in doc["arguments"]), name


def test_run_results_are_kept_in_the_warehouse(sample_build: DbtWorkspace) -> None:
    run_results = json.loads(sample_build.build_run_results.read_text(encoding="utf-8"))
    invocation = run_results["metadata"]["invocation_id"]
    tests = {r["unique_id"]: r["status"] for r in run_results["results"]
             if r["unique_id"].split(".")[0] in ("test", "unit_test")}
    with connect_build(sample_build.db_path, read_only=True) as con:
        stored = dict(con.execute(
            "select unique_id, status from governance.dbt_test_results where invocation_id = ?", [invocation]
        ).fetchall())
        entities = {row[0] for row in con.execute(
            "select distinct entity from governance.dbt_test_results "
            "where invocation_id = ? and entity is not null", [invocation]).fetchall()}
        custom = {row[0] for row in con.execute(
            "select distinct test_type from governance.dbt_test_results where invocation_id = ?", [invocation]
        ).fetchall()}
    assert stored == tests
    assert entities == ENTITIES
    assert {"valid_oin", "valid_kvk", "valid_cpv", "valid_iso_country", "column_between", "reconciles_with"} <= custom


def test_a_unit_test_is_kept_with_the_model_it_tests(sample_build: DbtWorkspace) -> None:
    """governance.dbt_test_results attaches each unit test to the model it tests (as dbt runs
    it, a unit test depends on its input fixtures instead)."""
    manifest = json.loads((sample_build.root / "target" / "manifest.json").read_text(encoding="utf-8"))
    tested = {uid: node["depends_on"]["nodes"][0] for uid, node in manifest["unit_tests"].items()}
    invocation = json.loads(sample_build.build_run_results.read_text(encoding="utf-8"))["metadata"]["invocation_id"]
    with connect_build(sample_build.db_path, read_only=True) as con:
        stored = dict(con.execute(
            "select unique_id, attached_node from governance.dbt_test_results "
            "where invocation_id = ? and resource_type = 'unit_test'", [invocation]).fetchall())
    assert stored == tested and len(tested) >= 20


def test_scorecard_covers_every_entity_and_dimension(sample_build: DbtWorkspace) -> None:
    with connect_build(sample_build.db_path, read_only=True) as con:
        rows = con.execute(
            "select entity, dq_dimension, score, numerator, denominator from governance.dq_scorecard "
            "where entity_kind = 'landing'"
        ).fetchall()
        history_runs = con.execute("select count(distinct run_id) from governance.dq_scorecard_history").fetchone()[0]
    assert {(e, d) for e, d, *_ in rows} == {(e, d) for e in ENTITIES for d in DIMENSIONS}
    for entity, dimension, score, numerator, denominator in rows:
        assert 0 <= numerator <= denominator
        if denominator:
            assert score == pytest.approx(round(100 * numerator / denominator, 2))
        else:
            assert score is None, (entity, dimension)
    # the bundled sample carries row faults: some dimension of invoice_lines scores below 100
    assert any(e == "invoice_lines" and s is not None and s < 100 for e, _, s, *_ in rows)
    assert history_runs >= 1
