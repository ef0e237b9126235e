"""Deliveries in the landing store, built for real: `mvoi deliver` into a store, `dbt build` from
its current state, `mvoi gate-and-publish` (issue 11; docs/deliveries.md).

Generated fault-free data (`mvoi generate --per-organisation`) is built three ways: as one
combined landing folder, and delivered organisation by organisation into a store in two
orders. The store of the second order then takes an identical re-delivery, refused deliveries
and a correction of one organisation's year; a last store holds two organisations whose
different suppliers, tenders and contracts share their source ids.

One store workspace is reused throughout (its paths stay fixed, so dbt parses the project once):
the tests below run in file order and each says what state it leaves.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
from pipeline import Pipeline, marts_content, rows_digest

from mvoi.generator.split import correction_delivery, split_per_organisation
from mvoi.paths import connect_build

N_LINES = 1500
SEED = 11
CORRECTED_YEAR = 2024
KPI_KEY = ("kpi_code", "scope_level", "scope_id", "year")
COMPLETE_KPIS: dict[tuple, tuple] = {}  # the KPIs of every organisation's complete delivery (first test)


def _generate(out: Path) -> None:
    from mvoi.generate import main

    assert main(["--out", str(out), "--invoice-lines", str(N_LINES), "--seed", str(SEED),
                 "--per-organisation", "--quiet"]) == 0


def _organisations(generated: Path) -> list[str]:
    return json.loads((generated / "_organisations.json").read_text())["organisations"]


def _deliver(pipe: Pipeline, folder: Path, oin: str, period: int | None = None):
    args = ["deliver", str(folder), "--organisation", oin]
    if period is not None:
        args += ["--period", str(period)]
    return pipe.mvoi(*args)


def _fill_store(pipe: Pipeline, generated: Path, organisations: list[str]) -> None:
    shutil.rmtree(pipe.store, ignore_errors=True)
    for oin in organisations:
        step = _deliver(pipe, generated / oin, oin)
        assert step.returncode == 0, step.tail()


def _build(pipe: Pipeline) -> None:
    step = pipe.dbt_build()
    assert step.returncode == 0, step.tail()


def _kpis(db: Path) -> dict[tuple, tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute("select * from marts.fct_kpi_values")
        names = [d[0] for d in cur.description]
        key = [names.index(k) for k in KPI_KEY]
        return {tuple(row[i] for i in key): row for row in cur.fetchall()}


def _digest(kpis: dict[tuple, tuple]) -> str:
    return rows_digest(list(kpis.values()))


def _register(pipe: Pipeline) -> list[dict]:
    return [json.loads(line) for line in (pipe.store / "register.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    _generate(out)
    return out


@pytest.fixture(scope="module")
def combined_kpis(generated, tmp_path_factory) -> dict[tuple, tuple]:
    pipe = Pipeline(tmp_path_factory.mktemp("combined"))
    pipe.deliver(generated / "_combined")
    _build(pipe)
    return _kpis(pipe.db_path)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Pipeline:
    return Pipeline(tmp_path_factory.mktemp("store"), landing_mode=False)


def test_per_organisation_deliveries_in_two_orders_equal_one_combined_delivery(
        generated, combined_kpis, store) -> None:
    organisations = _organisations(generated)
    assert len(organisations) >= 5
    for order in (sorted(organisations), sorted(organisations, reverse=True)):
        _fill_store(store, generated, order)
        _build(store)
        kpis = _kpis(store.db_path)
        assert kpis.keys() == combined_kpis.keys()
        assert _digest(kpis) == _digest(combined_kpis), f"delivery order {order[:2]}... differs"
    COMPLETE_KPIS.update(kpis)
    with connect_build(store.db_path, read_only=True) as con:
        # every fact row names its delivery, and each organisation's lines come from its own
        (bad,) = con.execute("""
            select count(*) from marts.fct_spend as spend
            left join raw.deliveries as d on spend.delivery_id = d.delivery_id
            where d.organisation_id is distinct from spend.organisation_id""").fetchone()
    assert bad == 0
    # left: the store holds one complete delivery per organisation (reverse order), built


def _without(folder: Path, target: Path, entity: str) -> Path:
    shutil.copytree(folder, target)
    (target / f"{entity}.csv").unlink()
    return target


def _latin1(folder: Path, target: Path) -> Path:
    """A copy whose invoice_lines.csv is saved as Latin-1 with an e-acute in a description."""
    shutil.copytree(folder, target)
    path = target / "invoice_lines.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("description")] = "Caf\u00e9"
    with path.open("w", newline="", encoding="latin-1") as f:
        csv.writer(f).writerows(rows)
    return target


def _drop_column(folder: Path, target: Path, entity: str, column: str) -> Path:
    shutil.copytree(folder, target)
    path = target / f"{entity}.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    index = rows[0].index(column)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([r[:index] + r[index + 1:] for r in rows])
    return target


def test_identical_and_refused_deliveries_change_nothing(generated, store, tmp_path: Path) -> None:
    """The same files again, and refused deliveries (a missing required file, a file that is not
    UTF-8, a missing required column): the first is recognised and records nothing, the others
    are in the register as refused with a reason naming the file (and the column); the next
    build publishes the same content as before (one build for both, to keep the suite short)."""
    step = store.gate_and_publish()
    assert step.returncode == 0, step.tail()
    before = marts_content(store.published)
    kpis_before = _kpis(store.db_path)
    stored = sorted(p.name for p in (store.store / "deliveries").iterdir())

    first, second = _organisations(generated)[:2]
    register = _register(store)
    again = _deliver(store, generated / first, first)
    assert again.returncode == 0, again.tail()
    assert "identical to" in again.output and "nothing changed" in again.output
    assert _register(store) == register

    source = generated / second
    cases = {
        "organisations.csv": _without(source, tmp_path / "no_organisations", "organisations"),
        "invoice_lines.csv": _latin1(source, tmp_path / "latin1"),
        "amount": _drop_column(source, tmp_path / "no_amount", "invoice_lines", "amount"),
    }
    for named, folder in cases.items():
        step = _deliver(store, folder, second)
        assert step.returncode == 1, step.tail()
        last = _register(store)[-1]
        assert last["status"] == "refused" and last["organisation_id"] == second
        assert named in last["reason"], last["reason"]
    assert "invoice_lines.csv" in _register(store)[-1]["reason"]  # the file of the missing column
    assert sorted(p.name for p in (store.store / "deliveries").iterdir()) == stored

    _build(store)
    assert store.gate_and_publish().returncode == 0
    assert _digest(_kpis(store.db_path)) == _digest(kpis_before)
    assert marts_content(store.published) == before
    with connect_build(store.db_path, read_only=True) as con:
        refused = con.execute("select count(*) from raw.deliveries where status = 'refused'").fetchone()
    assert refused == (3,)
    # left: unchanged data, three refused register lines


def _layer(db: Path, oin: str) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select government_layer from marts.dim_organisations where organisation_id = ?",
                           [oin]).fetchone()[0]


def test_a_correction_changes_only_its_organisation_and_roll_ups(generated, store, tmp_path: Path) -> None:
    before = _kpis(store.db_path)
    # the organisation with the most invoice lines in the corrected year
    with connect_build(store.db_path, read_only=True) as con:
        oin, old_delivery = con.execute(
            "select organisation_id, any_value(delivery_id) from marts.fct_spend where invoice_year = ? "
            "group by 1 order by count(*) desc limit 1", [CORRECTED_YEAR]).fetchone()
    correction = correction_delivery(generated / oin, tmp_path / "correction", CORRECTED_YEAR)
    step = _deliver(store, correction, oin, CORRECTED_YEAR)
    assert step.returncode == 0, step.tail()
    new_delivery = _register(store)[-1]["delivery_id"]
    _build(store)
    after = _kpis(store.db_path)

    assert after.keys() == before.keys()
    changed = {k for k in before if rows_digest([before[k]]) != rows_digest([after[k]])}
    assert any(k[1:3] == ("organisation", oin) and k[3] == CORRECTED_YEAR for k in changed)
    layer = _layer(store.db_path, oin)
    allowed = {("organisation", oin), ("government_layer", layer), ("national", "NL")}
    assert {k[1:3] for k in changed} <= allowed, sorted({k[1:3] for k in changed} - allowed)

    with connect_build(store.db_path, read_only=True) as con:
        deliveries = dict(con.execute(
            "select invoice_year = ?, list(distinct delivery_id) from marts.fct_spend "
            "where organisation_id = ? group by 1", [CORRECTED_YEAR, oin]).fetchall())
        changes = con.execute(
            "select count(*) from marts.fct_contract_changes where organisation_id = ? "
            "and is_contract_value_changed", [oin]).fetchone()[0]
    assert deliveries[True] == [new_delivery]  # the year's lines come from the correction
    assert deliveries[False] == [old_delivery]  # other years from the complete delivery
    assert changes > 0  # the contract-change history shows the corrected contract values
    # left: the store with the correction


def _remap_ids(source: Path, target: Path) -> Path:
    """Copy a landing folder rewriting every organisation-scoped id as <letter><n>, numbered in
    order of first appearance per id family, so that two folders get the same ids."""
    families = {"supplier_id": "S", "certificate_id": "C", "tender_id": "T", "criterion_id": "R",
                "contract_id": "K", "invoice_line_id": "L", "realisation_id": "Q", "report_id": "M"}
    maps: dict[str, dict[str, str]] = {f: {} for f in families}
    target.mkdir(parents=True)
    # parents before children, so that ids are numbered where they are defined
    order = ["organisations", "suppliers", "supplier_certificates", "tenders", "tender_criteria",
             "contracts", "invoice_lines", "social_return_realisations", "material_reports"]
    for entity in order:
        with (source / f"{entity}.csv").open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        header = rows[0]
        for row in rows[1:]:
            for i, column in enumerate(header):
                if column in families and row[i]:
                    ids = maps[column]
                    row[i] = ids.setdefault(row[i], f"{families[column]}{len(ids) + 1}")
        with (target / f"{entity}.csv").open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    return target


def test_two_organisations_sharing_source_ids_are_never_merged(generated, store, tmp_path: Path) -> None:
    """Two organisations whose different suppliers, tenders, contracts (and every other id) are
    numbered alike: their organisation KPIs equal those of the same data with distinct ids (the
    complete deliveries of the first test)."""
    assert COMPLETE_KPIS, "runs after the first test of this module"
    a, b = sorted(_organisations(generated))[:2]
    shutil.rmtree(store.store, ignore_errors=True)
    for oin in (a, b):
        folder = _remap_ids(generated / oin, tmp_path / oin)
        step = _deliver(store, folder, oin)
        assert step.returncode == 0, step.tail()
    _build(store)
    kpis = _kpis(store.db_path)
    with connect_build(store.db_path, read_only=True) as con:
        suppliers = con.execute(
            "select count(*), count(distinct supplier_id), count(distinct source_supplier_id) "
            "from marts.dim_suppliers").fetchone()
        rejected = con.execute("select count(*) from governance.rejected_rows").fetchone()[0]
    assert rejected == 0
    assert suppliers[0] == suppliers[1] > suppliers[2]  # both organisations' S1 are there, as two suppliers
    own = {k: v for k, v in kpis.items() if k[1] == "organisation"}
    assert {k[2] for k in own} == {a, b}
    assert _digest(own) == _digest({k: COMPLETE_KPIS[k] for k in own})


def _expected(seed: Path) -> list[dict[str, str]]:
    with seed.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_completeness_and_organisations_reporting_with_organisations_missing(store, tmp_path: Path) -> None:
    """The bundled sample split per organisation; two expected organisations deliver nothing
    and a third delivers only 2023 (`--period 2023`)."""
    project = Path(__file__).resolve().parents[2]
    expected = _expected(project / "seeds" / "reference" / "expected_organisations.csv")
    folders = split_per_organisation(project / "sample", tmp_path / "split")
    oins = sorted(r["organisation_id"] for r in expected)
    assert set(oins) <= set(folders), "every expected organisation is in the bundled sample"
    missing, period_only = set(oins[:2]), oins[2]
    shutil.rmtree(store.store, ignore_errors=True)
    for oin in oins[2:]:
        step = _deliver(store, folders[oin], oin, 2023 if oin == period_only else None)
        assert step.returncode == 0, step.tail()
    _build(store)

    def delivered(row: dict[str, str], year: int) -> bool:
        return row["organisation_id"] not in missing and (row["organisation_id"] != period_only or year == 2023)

    with connect_build(store.db_path, read_only=True) as con:
        mart = {(scope, year): (exp, got) for scope, year, exp, got in con.execute(
            "select scope_id, year, organisations_expected, organisations_delivered "
            "from marts.mart_delivery_completeness").fetchall()}
        reporting = dict(((year, layer), (rep, exp)) for year, layer, rep, exp in con.execute(
            "select year, scope_id, organisations_reporting, organisations_expected from marts.fct_kpi_values_v2 "
            "where kpi_code = 'GEN-04' and scope_level in ('national', 'government_layer')").fetchall())
        spending = dict(((year, layer), n) for year, layer, n in con.execute(
            "select invoice_year, government_layer, count(distinct organisation_id) from marts.fct_spend "
            "group by grouping sets ((invoice_year, government_layer), (invoice_year))").fetchall())
        statuses = dict(((oin, year), status) for oin, year, status in con.execute(
            "select organisation_id, year, completeness_status from governance.delivery_completeness "
            "where entity = 'invoice_lines'").fetchall())
    for year in range(2021, 2026):
        in_year = [r for r in expected if int(r["first_year"]) <= year <= int(r["last_year"])]
        layers = {r["government_layer"] for r in in_year}
        for scope in [*layers, "NL"]:
            rows = [r for r in in_year if scope in ("NL", r["government_layer"])]
            want = (len(rows), sum(delivered(r, year) for r in rows))
            assert mart[(scope, year)] == want, (scope, year)
            layer = None if scope == "NL" else scope
            if (year, scope) in reporting:
                assert reporting[(year, scope)] == (spending.get((year, layer), 0), len(rows)), (scope, year)
        for r in in_year:
            want = "delivered" if delivered(r, year) else "missing"
            assert statuses[(r["organisation_id"], year)] == want, (r["organisation_id"], year)
    # the organisations that delivered nothing report no spend
    with connect_build(store.db_path, read_only=True) as con:
        (lines,) = con.execute("select count(*) from marts.fct_spend where list_contains(?, organisation_id)",
                               [sorted(missing)]).fetchone()
    assert lines == 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
