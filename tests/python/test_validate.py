"""The GX gates (mvoi validate) on real DuckDB files: gate 1 on a generated landing delivery
loaded as raw tables, gate 2 on hand-built marts; results appended to the warehouse."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from mvoi import contract, validate

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def private_gx_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    gx_dir = tmp_path / "gx_uncommitted"
    monkeypatch.setenv("MVOI_GX_UNCOMMITTED_DIR", str(gx_dir))
    return gx_dir


def load_raw(db: Path, landing: Path) -> None:
    """raw.<entity> as the load_landing() macro makes them: every column as text."""
    with duckdb.connect(str(db)) as con:
        con.execute("create schema if not exists raw")
        con.execute("create schema if not exists reference")
        con.execute(
            "create or replace table reference.cpv_codes as select * from read_csv(?, all_varchar = true)",
            [str(PROJECT_DIR / "seeds" / "reference" / "cpv_codes.csv")],
        )
        for entity in contract.entities().values():
            cols = ", ".join(f'"{c}"' for c in entity.columns)
            con.execute(
                f"create or replace table raw.{entity.name} as select {cols} from "
                "read_csv(?, all_varchar = true, header = true)", [str(landing / f"{entity.name}.csv")]
            )


@pytest.fixture(scope="module")
def delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated landing folder with the generator's heavy fault rate (2% per rule)."""
    out = tmp_path_factory.mktemp("landing")
    subprocess.run(
        [sys.executable, "-m", "mvoi", "generate", "--out", str(out), "--invoice-lines", "1500",
         "--fault-rate", "0.02", "--seed", "7", "--quiet"],
        cwd=PROJECT_DIR, check=True, capture_output=True, timeout=300,
    )
    return out


def test_thresholds_and_severities_come_from_config() -> None:
    catalog = {f"raw.{e.name}": set(e.columns) for e in contract.entities().values()}
    catalog["reference.cpv_codes"] = {"code"}
    rules = {r.rule_id: r for a in validate.landing_assets(catalog) for r in a.rules}
    # severity follows the landing contract: fatal -> error, warning -> warning
    assert rules["organisations.organisation_id.format"].severity == "error"
    assert rules["suppliers.kvk_number.format"].severity == "warning"
    assert rules["invoice_lines.invoice_line_id.key_unique"].mostly == 0.95
    assert rules["invoice_lines.currency.code_list"].kwargs["value_set"] == ["EUR"]
    assert rules["invoice_lines.amount.format"].mostly == 0.97  # a per-rule override
    assert rules["invoice_lines.invoice_date.year_range"].kwargs["max_value"] == dt.date.today().year + 1
    assert rules["organisations.columns_present"].kwargs["column_set"] == list(
        contract.entities()["organisations"].columns)
    # every rule names a landing reason code that exists (or is a table-level rule)
    reasons = {(e, r) for e, r in validate._contract_severities()}
    for rule in rules.values():
        if rule.reason_code:
            assert (rule.rule_id.split(".")[0], rule.reason_code) in reasons, rule.rule_id
    pub = {r.rule_id: r for a in validate.publication_assets({}) for r in a.rules}
    assert pub["fct_kpi_values.percentages_within_0_100"].severity == "error"
    assert pub["fct_kpi_values.kli03_organisation_plausible"].severity == "warning"


def test_landing_gate_passes_row_faults_and_refuses_systematic_ones(delivery: Path, tmp_path: Path,
                                                                     private_gx_dir: Path) -> None:
    db = tmp_path / "build.duckdb"
    load_raw(db, delivery)
    result = validate.run_gate("landing", db_path=db, run_id="run-ok")
    assert result.success, result.summary()
    assert len(result.results) > 100
    assert not [r for r in result.results if r.exception], result.summary()
    assert (private_gx_dir / "data_docs" / "local_site" / "index.html").exists()

    # a systematic fault: a third of the invoice dates in Dutch notation, amounts with a comma
    with duckdb.connect(str(db)) as con:
        con.execute(
            "update raw.invoice_lines set invoice_date = strftime(try_cast(invoice_date as date), '%d-%m-%Y'), "
            "amount = replace(amount, '.', ',') where hash(invoice_line_id) % 3 = 0"
        )
    env = dict(os.environ, MVOI_DB_PATH=str(db), DBT_TARGET_PATH=str(tmp_path / "no_target"))
    out = subprocess.run([sys.executable, "-m", "mvoi", "validate", "--gate", "landing", "--run-id", "run-bad"],
                         cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 1, out.stdout + out.stderr[-2000:]
    assert "GX gate 'landing' FAILED" in out.stdout
    failing = [line for line in out.stdout.splitlines() if line.strip().startswith("[ERROR")]
    assert any("invoice_lines.invoice_date.format" in line and '-' in line for line in failing), out.stdout
    assert any("invoice_lines.amount.format" in line for line in failing), out.stdout

    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute(
            "select run_id, bool_and(success or severity = 'warning') from governance.gx_validation_results "
            "group by run_id order by run_id").fetchall()
        row = con.execute(
            "select data_asset, expectation_type, column_name, severity, success, element_count, unexpected_count, "
            "mostly, observed_value from governance.gx_validation_results "
            "where run_id = 'run-bad' and rule_id = 'invoice_lines.invoice_date.format'").fetchone()
    assert runs == [("run-bad", False), ("run-ok", True)]  # appended, kept across runs
    asset, etype, column, severity, success, elements, unexpected, mostly, observed = row
    assert (asset, etype, column, severity, success) == (
        "raw.invoice_lines.as_read", "expect_column_values_to_match_regex", "invoice_date", "error", False)
    assert unexpected > 0.25 * elements and mostly == 0.97
    assert "rows fail" in observed


def test_landing_gate_scratch_file_gives_the_same_results(delivery: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Too many landing rows for memory: the as-read tables go to a scratch file beside the
    build database instead, removed when the gate ends; every rule's outcome is the same, and
    the build database itself is never written by the gate's rules."""
    db = tmp_path / "build.duckdb"
    load_raw(db, delivery)
    in_memory = validate.run_gate("landing", db_path=db, run_id="memory", write_results=False, build_docs=False)
    monkeypatch.setattr(validate, "SCRATCH_IN_MEMORY_MAX_ROWS", 0)
    scratch_existed = []
    remove = validate._remove_scratch

    def remove_and_record(path: Path) -> None:
        scratch_existed.append(validate.scratch_path(path).exists())
        remove(path)

    monkeypatch.setattr(validate, "_remove_scratch", remove_and_record)
    on_disk = validate.run_gate("landing", db_path=db, run_id="disk", write_results=False, build_docs=False)
    assert scratch_existed[-1] and not validate.scratch_path(db).exists()

    def outcomes(result: validate.GateResult) -> list[tuple]:
        return sorted((r.rule.rule_id, r.success, r.element_count, r.unexpected_count) for r in result.results)

    assert outcomes(on_disk) == outcomes(in_memory)
    assert len(in_memory.results) > 100 and not [r for r in in_memory.results if r.exception]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select distinct schema_name from duckdb_tables() order by 1").fetchall() == [
            ("raw",), ("reference",)]


def make_marts(db: Path) -> None:
    """Small but consistent marts for the publication gate."""
    with duckdb.connect(str(db)) as con:
        for schema in ("staging", "marts", "governance", "reference"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            "create or replace table reference.kpi_register as select * from (values "
            "('GEN-01', 'algemeen', '%', 'awarded tenders', 'higher', 'strict'), "
            "('GEN-04', 'algemeen', '%', 'spend', 'higher', 'net'), ('KLI-02', 'klimaat', 't CO2e', null, 'lower', 'none'), "
            "('KLI-03', 'klimaat', 'kg CO2e/EUR', 'spend', 'lower', 'none')) "
            "as t(kpi_code, theme, unit, denominator, better, bounds)"
        )
        con.execute("create or replace table reference.emission_factors as select * from (values "
                    "('00', 0.26), ('09', 1.2), ('72', 0.1)) as t(cpv_division, kg_co2e_per_eur)")
        con.execute(
            "create or replace table marts.fct_spend as select * from (values "
            "('L1', '00000001000000000001', 2024, 100.0, 'EUR'), ('L2', '00000001000000000001', 2024, 50.0, 'EUR'), "
            "('L3', '00000001000000000002', 2024, 250.0, 'EUR')) "
            "as t(invoice_line_id, organisation_id, invoice_year, amount, currency)"
        )
        con.execute("create or replace table staging.stg_landing__invoice_lines as "
                    "select invoice_line_id, amount from marts.fct_spend")
        # per organisation: spend, contract-covered spend, kg CO2e
        orgs = [("00000001000000000001", "gemeente", 150.0, 100.0, 2, 60.0),
                ("00000001000000000002", "rijk", 250.0, 250.0, 1, 50.0)]
        rows = []
        for scope_level, scope_id, members in (
            ("organisation", orgs[0][0], [orgs[0]]), ("organisation", orgs[1][0], [orgs[1]]),
            ("government_layer", "gemeente", [orgs[0]]), ("government_layer", "rijk", [orgs[1]]),
            ("national", "NL", orgs),
        ):
            spend = sum(m[2] for m in members)
            covered = sum(m[3] for m in members)
            kg = sum(m[5] for m in members)
            n = sum(m[4] for m in members)
            rows += [
                ("GEN-04", "algemeen", scope_level, scope_id, 2024, covered, spend, covered / spend * 100, "%", n),
                ("KLI-02", "klimaat", scope_level, scope_id, 2024, kg / 1000, None, kg / 1000, "t CO2e", n),
                ("KLI-03", "klimaat", scope_level, scope_id, 2024, kg, spend, kg / spend, "kg CO2e/EUR", n),
            ]
        con.execute(
            "create or replace table marts.fct_kpi_values (kpi_code varchar, theme varchar, scope_level varchar, "
            "scope_id varchar, year integer, numerator double, denominator double, value double, unit varchar, "
            "record_count bigint, target_value double, meets_target boolean)"
        )
        con.executemany("insert into marts.fct_kpi_values values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null)", rows)
        con.execute(
            "create or replace table governance.landing_reconciliation as select e as entity, 10 as raw_rows, "
            "8 as loaded_rows, 1 as rejected_rows, 1 as exact_duplicates_removed, 1 / 9 as rejected_share, "
            "case when e = 'invoice_lines' then 400.0 end as delivered_amount, "
            "case when e = 'invoice_lines' then 10.0 end as rejected_amount, "
            "case when e = 'invoice_lines' then 0.025 end as rejected_amount_share, true as is_reconciled "
            "from unnest(?) as t(e)", [list(contract.entities())]
        )


def test_publication_gate_on_marts(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    make_marts(db)
    ok = validate.run_gate("publication", db_path=db, run_id="pub-ok", build_docs=False)
    assert ok.success, ok.summary()
    assert not [r for r in ok.results if r.exception], ok.summary()

    with duckdb.connect(str(db)) as con:
        # the national spend no longer equals the organisations' and the spend fact;
        # a percentage above 100; a KPI row without its scope
        con.execute("update marts.fct_kpi_values set denominator = denominator + 5, "
                    "value = numerator / (denominator + 5) * 100 "
                    "where kpi_code = 'GEN-04' and scope_level = 'national'")
        con.execute("insert into marts.fct_kpi_values values "
                    "('GEN-01', 'algemeen', 'national', 'NL', 2024, 6, 5, 120, '%', 5, null, null)")
        con.execute("insert into marts.fct_kpi_values values "
                    "('GEN-04', 'algemeen', 'organisation', null, 2024, 1, 2, 50, '%', 1, null, null)")
        con.execute("alter table marts.fct_spend add column contact_email varchar")
        # a tenth of the spend quarantined (1 of 9 lines is tolerated: at most 3 lines)
        con.execute("update governance.landing_reconciliation set rejected_amount = 40, rejected_amount_share = 0.1 "
                    "where entity = 'invoice_lines'")
    bad = validate.run_gate("publication", db_path=db, run_id="pub-bad", build_docs=False)
    assert not bad.success
    failed = {r.rule.rule_id for r in bad.results if not r.success}
    assert {
        "fct_kpi_values.national_equals_sum_of_organisations",
        "fct_kpi_values.national_spend_equals_fct_spend",
        "fct_kpi_values.percentages_within_0_100",
        "fct_kpi_values.scope_id_not_null",
        "columns.no_personal_data_in_marts",
        "landing_reconciliation.spend_rejected_within_limit",
    } <= failed, bad.summary()
    assert "landing_reconciliation.rejected_share_within_limit" not in failed  # 1 row: tolerated
    assert "fct_kpi_values.kli02_equals_kli03_numerator" not in failed
    summary = bad.summary()
    assert "publication | marts.fct_kpi_values | fct_kpi_values.percentages_within_0_100" in summary
    assert not [r for r in bad.results if r.exception], summary


def test_missing_mart_fails_the_gate(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    result = validate.run_gate("publication", db_path=db, run_id="none", build_docs=False)
    assert not result.success
    assert all(not r.success for r in result.results if r.rule.asset == "marts.fct_kpi_values")
    assert "table marts.fct_kpi_values does not exist" in result.summary()


def test_governance_gates_doc_lists_every_rule() -> None:
    doc = (PROJECT_DIR / "docs" / "governance_gates.md").read_text(encoding="utf-8")
    catalog = {f"raw.{e.name}": set(e.columns) for e in contract.entities().values()}
    for asset in [*validate.landing_assets(catalog), *validate.publication_assets(catalog)]:
        for rule in asset.rules:
            line = next((x for x in doc.splitlines() if x.startswith(f"| `{rule.rule_id}` | {rule.asset} |")), None)
            assert line, f"{rule.rule_id} missing from docs/governance_gates.md: run `mvoi validate --list-rules`"
            assert f"| {rule.severity} | {rule.allowed} |" in line, f"{rule.rule_id}: severity/threshold out of date"


def test_landing_gate_checks_come_from_the_contract() -> None:
    """Every GX check of the landing gate is a `gx` check of a landing rule, on the rule's
    column, with the column's format, code list or reference from the contract."""
    formats = contract.formats()
    catalog = {f"raw.{e.name}": set(e.columns) for e in contract.entities().values()}
    catalog["reference.cpv_codes"] = {"code"}
    rules = {r.rule_id: r for a in validate.landing_assets(catalog) for r in a.rules}
    expected = set()
    for entity in contract.entities().values():
        for rule in entity.rules:
            column = entity.column(rule.column)
            for check in rule.gx:
                name = check["check"]
                if name == "format":
                    assert column.format in formats, f"{entity.name}.{column.name}: unknown format {column.format}"
                if name == "code_list":
                    assert column.values, f"{entity.name}.{column.name}: a code_list check needs values"
                if name == "references":
                    assert column.references, f"{entity.name}.{column.name}: a references check needs references"
                rule_id = f"{entity.name}.{column.name}.{name}"
                assert rule_id not in expected, f"{rule_id} is named by two rules"
                expected.add(rule_id)
                assert rules[rule_id].reason_code == rule.reason_code
    column_checks = {i for i, r in rules.items() if r.column and r.check not in ("key_present", "key_unique")}
    assert column_checks == expected
    assert rules["suppliers.size_class.code_list"].kwargs["value_set"] == list(
        contract.code_list("suppliers", "size_class"))


def test_staging_and_the_gate_read_the_same_format_regexes() -> None:
    """Staging's parse macros take their regex from the contract (landing_format), as the GX
    gate does, so they agree: the integer format loads 3.0 as 3 and refuses 3.5."""
    macros = PROJECT_DIR / "macros" / "landing"
    for macro, name in [("parse_int", "integer"), ("parse_amount", "amount"), ("parse_number", "number"),
                        ("parse_iso_date", "iso_date"), ("is_valid_oin", "oin"), ("is_valid_kvk", "kvk"),
                        ("normalize_cpv", "cpv")]:
        assert f"landing_format('{name}')" in (macros / f"{macro}.sql").read_text(encoding="utf-8"), macro
    integer = contract.formats()["integer"]
    for value, ok in [("3", True), ("-2", True), ("3.0", True), ("3.00", True), ("3.5", False),
                      ("1e2", False), ("drie", False), ("3.", False), ("+3", False)]:
        assert bool(re.match(integer, value)) == ok, value
    catalog = {f"raw.{e.name}": set(e.columns) for e in contract.entities().values()}
    catalog["reference.cpv_codes"] = {"code"}
    rules = {r.rule_id: r for a in validate.landing_assets(catalog) for r in a.rules}
    assert rules["supplier_certificates.level.format"].kwargs["regex"] == integer
