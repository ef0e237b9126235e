"""Personal data (supplier contact e-mail, invoice descriptions) never leaves staging.

Checks the database catalog (information_schema, which dbt's catalog.json is read from) of a
real build of the bundled sample: no personal-data column, not even a hash of one, in any
schema but raw and staging, and none of the sample's e-mail addresses or invoice descriptions
in clear text in any text column there.
"""

from __future__ import annotations

import csv
from pathlib import Path

from mvoi.contract import entities
from mvoi.paths import connect_build

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample"
ALLOWED_SCHEMAS = ("raw", "staging")


def _personal_values() -> set[str]:
    values: set[str] = set()
    for entity in entities().values():
        for column in entity.personal_data_columns:
            with open(SAMPLE_DIR / f"{entity.name}.csv", encoding="utf-8") as fh:
                values |= {(r[column] or "").strip() for r in csv.DictReader(fh)}
    # short generic words ("Licenties") are not personal; the long ones and all e-mails are
    return {v for v in values if "@" in v or len(v) >= 25}


def test_no_personal_data_column_outside_staging(sample_build):
    personal = {c for e in entities().values() for c in e.personal_data_columns}
    with connect_build(sample_build.db_path, read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema not in ('raw', 'staging', 'information_schema', 'pg_catalog')"
        ).fetchall()
    assert columns, "the catalog lists no columns: the build did not run"
    invoice_tables = {(s, t) for s, t, c in columns if c == "invoice_line_id"}
    offending = [
        (s, t, c) for s, t, c in columns
        if "email" in c or c.endswith("_hash")
        # a `description` next to an invoice line is the free text; elsewhere (themes,
        # sectors, rules) it describes a code
        or (c in personal and (s, t) in invoice_tables)
    ]
    assert offending == []


def test_no_personal_value_in_clear_text_outside_staging(sample_build):
    values = _personal_values()
    assert any("@" in v for v in values), "the sample should hold e-mail addresses to look for"
    with connect_build(sample_build.db_path, read_only=True) as con:
        text_columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema not in ('raw', 'staging', 'information_schema', 'pg_catalog', 'reference') "
            "and data_type in ('VARCHAR', 'JSON')"
        ).fetchall()
        con.execute("create temp table personal_values as select unnest(?) as v", [sorted(values)])
        leaks = []
        for schema, table, column in text_columns:
            found = con.execute(
                f'select count(*) from "{schema}"."{table}" as t, personal_values as p '
                f'where contains(t."{column}", p.v)'
            ).fetchone()[0]
            if found:
                leaks.append((schema, table, column, found))
    assert leaks == []
