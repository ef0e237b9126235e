"""Delivery completeness, worked out by hand: the real `dbt build` of the delivery models on a
small register of deliveries, against numbers computed on paper.

The loader that writes raw.deliveries and raw.delivery_files does not exist yet, so the test
writes them itself, in the interface the loader will provide (the source `deliveries`,
models/staging/deliveries/_deliveries__sources.yml), together with the two inputs the models
read from elsewhere: the expected organisations (the seed's table, replaced by three test
organisations) and the loaded organisations (staging.stg_landing__organisations). It then runs
`dbt build --select` on the delivery models only: that selection reads no landing source, so
the landing hook (on-run-start) does not load anything and the tables written here stay.

Three expected organisations, each for 2024-2025, nine entities:

    A (gemeente)  d1 complete, accepted; its material_reports file is empty (0 rows)
                  d2 period 2025, accepted
                  d6 period 2025, accepted (a redelivery: supersedes d2 entirely)
    B (gemeente)  d3 period 2024, accepted, without social_return_realisations
                  d5 period 2024, refused (after d3)
                  nothing for 2025
    C (rijk)      d4 complete, refused

By hand (delivery_coverage rows per organisation-year x entity x delivery):

    A-2024  current d1: 8 delivered, 1 missing (empty material_reports)          9 rows
    A-2025  current d6: 9 delivered; d1 and d2: 9 superseded each               27 rows
    B-2024  current d3: 8 delivered, 1 missing (no file); d5: 9 refused          18 rows
    B-2025  no delivery: 9 missing (delivery_id null)                             9 rows
    C-2024  d4: 9 refused; no accepted delivery: 9 missing                       18 rows
    C-2025  the same                                                              18 rows
    total 99: delivered 25, superseded 18, refused 27, missing 29

delivery_completeness (54 rows = 3 x 2 x 9): delivered 8 + 9 + 8 = 25; refused 19 (B-2024's
social_return_realisations, as the last delivery covering B-2024, d5, was refused, and C's 18);
missing 10 (A-2024's material_reports, B-2025's 9). mart_delivery_completeness: gemeente 2024
2 of 2 (100 %), gemeente 2025 1 of 2 (50 %), rijk 0 of 1 in both years, national 2 of 3 in
2024 and 1 of 3 in 2025. delivery_register: d1, d3, d6 current; d2 superseded by d6; d4 and d5
refused, never current.

A second register checks the multi-organisation landing-folder delivery (no organisation):
it covers every loaded organisation (A, B, C and the unexpected D), all years.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from conftest import DbtWorkspace

from mvoi.paths import connect_build

ENTITIES = (
    "organisations", "suppliers", "supplier_certificates", "tenders", "tender_criteria", "contracts",
    "invoice_lines", "social_return_realisations", "material_reports",
)
A, B, C, D = (f"0000000000000000000{i}" for i in range(1, 5))
EXPECTED = [  # organisation_id, name, government_layer, first_year, last_year
    (A, "Gemeente A", "gemeente", 2024, 2025),
    (B, "Gemeente B", "gemeente", 2024, 2025),
    (C, "Ministerie C", "rijk", 2024, 2025),
]
LOADED = [(A, "Gemeente A", "gemeente"), (B, "Gemeente B", "gemeente"), (C, "Ministerie C", "rijk"),
          (D, "Gemeente D", "gemeente")]
# the delivery models and everything downstream of them (their data tests too)
# the delivery models by name, with only the tests all of whose parents are among them (other models
# downstream read what this test does not build)
SELECTION = ("stg_deliveries__deliveries", "stg_deliveries__delivery_files", "delivery_organisations",
             "delivery_register", "delivery_coverage", "delivery_completeness", "mart_delivery_completeness",
             "--indirect-selection", "cautious")


def _at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2025, month, day, 9, 0)


# delivery_id, sequence, organisation_id, period, received_at, status, reason, files (entity: rows)
ALL_FILES = {entity: 10 for entity in ENTITIES}
REGISTER = [
    ("d1", 1, A, None, _at(1, 10), "accepted", None, {**ALL_FILES, "material_reports": 0}),
    ("d2", 2, A, 2025, _at(6, 1), "accepted", None, ALL_FILES),
    ("d3", 3, B, 2024, _at(2, 1), "accepted", None,
     {e: 10 for e in ENTITIES if e != "social_return_realisations"}),
    ("d4", 4, C, None, _at(3, 1), "refused", "invoice_lines.csv: required column amount missing",
     {e: 10 for e in ENTITIES if e != "invoice_lines"}),
    ("d5", 5, B, 2024, _at(7, 1), "refused", "organisations.csv missing", ALL_FILES),
    ("d6", 6, A, 2025, _at(9, 1), "accepted", None, ALL_FILES),
]
FOLDER_REGISTER = [
    ("f1", 1, None, None, _at(1, 1), "accepted", None, ALL_FILES),
    ("f2", 2, B, 2025, _at(2, 1), "accepted", None, {"invoice_lines": 5}),
]


def write_inputs(db_path, register) -> None:
    """The raw delivery register (as the loader will write it) and the two tables the delivery
    models read from outside their selection."""
    con = connect_build(db_path)
    try:
        for schema in ("raw", "reference", "staging"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            "create or replace table raw.deliveries (delivery_id varchar, sequence integer, "
            "organisation_id varchar, period integer, received_at timestamp, status varchar, reason varchar, "
            "content_sha256 varchar, source_folder varchar)"
        )
        con.execute(
            "create or replace table raw.delivery_files (delivery_id varchar, entity varchar, file_name varchar, "
            "sha256 varchar, row_count bigint, bytes bigint)"
        )
        for delivery_id, sequence, organisation, period, received_at, status, reason, files in register:
            con.execute(
                "insert into raw.deliveries values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [delivery_id, sequence, organisation, period, received_at, status, reason,
                 f"{sequence:064x}", f"/landing_store/{delivery_id}"],
            )
            for entity, rows in files.items():
                con.execute(
                    "insert into raw.delivery_files values (?, ?, ?, ?, ?, ?)",
                    [delivery_id, entity, f"{entity}.csv", f"{sequence * 100 + len(entity):064x}", rows, 100 * rows],
                )
        con.execute(
            "create or replace table reference.expected_organisations (organisation_id varchar, name varchar, "
            "government_layer varchar, first_year integer, last_year integer)"
        )
        con.executemany("insert into reference.expected_organisations values (?, ?, ?, ?, ?)", EXPECTED)
        con.execute(
            "create or replace table staging.stg_landing__organisations (organisation_id varchar, name varchar, "
            "government_layer varchar, parent_organisation_id varchar, warnings varchar[])"
        )
        con.executemany("insert into staging.stg_landing__organisations values (?, ?, ?, null, [])", LOADED)
    finally:
        con.close()


def build(workspace: DbtWorkspace, register) -> duckdb.DuckDBPyConnection:
    write_inputs(workspace.db_path, register)
    result = workspace.dbt("build", "--select", *SELECTION)
    assert result.returncode == 0, result.stdout[-5000:]
    assert "PASS=" in result.stdout and " ERROR=0 " in result.stdout, result.stdout[-3000:]
    return connect_build(workspace.db_path, read_only=True)


def counts(con, sql: str) -> dict:
    return dict(con.execute(sql).fetchall())


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> DbtWorkspace:
    return DbtWorkspace(tmp_path_factory.mktemp("completeness"))


@pytest.fixture(scope="module")
def register_build(workspace):
    con = build(workspace, REGISTER)
    yield con
    con.close()


def test_coverage_by_hand(register_build):
    con = register_build
    assert con.execute("select count(*) from governance.delivery_coverage").fetchone()[0] == 99
    assert counts(con, "select coverage_status, count(*) from governance.delivery_coverage group by 1") == {
        "delivered": 25, "superseded": 18, "refused": 27, "missing": 29,
    }
    per_year = counts(con, """
        select organisation_id || '-' || year, count(*) from governance.delivery_coverage group by 1
    """)
    assert per_year == {f"{A}-2024": 9, f"{A}-2025": 27, f"{B}-2024": 18, f"{B}-2025": 9,
                        f"{C}-2024": 18, f"{C}-2025": 18}
    # A-2024: d1 is current; its empty material_reports file counts as missing
    assert con.execute(f"""
        select delivery_id, coverage_status, row_count from governance.delivery_coverage
        where organisation_id = '{A}' and year = 2024 and entity = 'material_reports'
    """).fetchall() == [("d1", "missing", 0)]
    # A-2025: d6 current, d1 and d2 superseded
    assert counts(con, f"""
        select delivery_id, string_agg(distinct coverage_status) from governance.delivery_coverage
        where organisation_id = '{A}' and year = 2025 group by 1
    """) == {"d1": "superseded", "d2": "superseded", "d6": "delivered"}
    # B-2025 and C: the missing rows have no delivery
    assert con.execute("""
        select count(*) from governance.delivery_coverage where delivery_id is null and coverage_status = 'missing'
    """).fetchone()[0] == 27


def test_completeness_by_hand(register_build):
    con = register_build
    assert con.execute("select count(*) from governance.delivery_completeness").fetchone()[0] == 54
    assert counts(con, "select completeness_status, count(*) from governance.delivery_completeness group by 1") == {
        "delivered": 25, "refused": 19, "missing": 10,
    }
    rows = con.execute("""
        select organisation_id, year, entity, completeness_status, current_delivery_id, last_delivery_at,
            superseded_deliveries, refused_deliveries
        from governance.delivery_completeness
    """).fetchall()
    by_key = {(r[0], r[1], r[2]): r[3:] for r in rows}
    assert by_key[(A, 2024, "material_reports")] == ("missing", "d1", _at(1, 10), 0, 0)
    assert by_key[(A, 2024, "invoice_lines")] == ("delivered", "d1", _at(1, 10), 0, 0)
    assert by_key[(A, 2025, "invoice_lines")] == ("delivered", "d6", _at(9, 1), 2, 0)
    assert by_key[(B, 2024, "invoice_lines")] == ("delivered", "d3", _at(7, 1), 0, 1)
    assert by_key[(B, 2024, "social_return_realisations")] == ("refused", "d3", _at(7, 1), 0, 1)
    assert by_key[(B, 2025, "invoice_lines")] == ("missing", None, None, 0, 0)
    assert by_key[(C, 2024, "invoice_lines")] == ("refused", None, _at(3, 1), 0, 1)
    assert by_key[(C, 2025, "tenders")] == ("refused", None, _at(3, 1), 0, 1)


def test_mart_by_hand(register_build):
    rows = register_build.execute("""
        select scope_level, scope_id, year, organisations_expected, organisations_delivered, share_delivered
        from marts.mart_delivery_completeness order by 1, 2, 3
    """).fetchall()
    assert [r[:5] for r in rows] == [
        ("government_layer", "gemeente", 2024, 2, 2),
        ("government_layer", "gemeente", 2025, 2, 1),
        ("government_layer", "rijk", 2024, 1, 0),
        ("government_layer", "rijk", 2025, 1, 0),
        ("national", "NL", 2024, 3, 2),
        ("national", "NL", 2025, 3, 1),
    ]
    assert [r[5] for r in rows] == pytest.approx([100.0, 50.0, 0.0, 0.0, 200 / 3, 100 / 3])


def test_register_by_hand(register_build):
    rows = register_build.execute("""
        select delivery_id, delivery_scope, status, is_current, superseded_by, file_count, non_empty_file_count,
            row_count, organisation_name
        from governance.delivery_register order by delivery_sequence
    """).fetchall()
    assert rows == [
        ("d1", "complete", "accepted", True, None, 9, 8, 80, "Gemeente A"),
        ("d2", "period", "accepted", False, "d6", 9, 9, 90, "Gemeente A"),
        ("d3", "period", "accepted", True, None, 8, 8, 80, "Gemeente B"),
        ("d4", "complete", "refused", False, None, 8, 8, 80, "Ministerie C"),
        ("d5", "period", "refused", False, None, 9, 9, 90, "Gemeente B"),
        ("d6", "period", "accepted", True, None, 9, 9, 90, "Gemeente A"),
    ]


def test_landing_folder_delivery_covers_every_loaded_organisation(workspace, register_build):
    register_build.close()  # the next build writes the same database
    con = build(workspace, FOLDER_REGISTER)
    try:
        # f1 covers A, B, C and the unexpected D, all years; f2 (B, 2025, only invoice lines)
        # replaces it for B-2025, so f1 stays current for the rest
        assert con.execute("""
            select delivery_id, delivery_scope, organisations_covered, is_current, superseded_by
            from governance.delivery_register order by delivery_sequence
        """).fetchall() == [("f1", "landing_folder", 4, True, None), ("f2", "period", 1, True, None)]
        # 54 organisation-year-entities: all delivered but B-2025's 8 entities other than invoice lines
        assert counts(con, "select completeness_status, count(*) from governance.delivery_completeness group by 1") == {
            "delivered": 46, "missing": 8,
        }
        assert con.execute(f"""
            select current_delivery_id, superseded_deliveries from governance.delivery_completeness
            where organisation_id = '{B}' and year = 2025 and entity = 'invoice_lines'
        """).fetchone() == ("f2", 1)
        # every expected organisation has a current delivery in both years
        assert con.execute("""
            select min(share_delivered), max(share_delivered) from marts.mart_delivery_completeness
        """).fetchone() == (100.0, 100.0)
    finally:
        con.close()
