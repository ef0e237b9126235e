"""The bundled sample gives every KPI of the register a value, in the public table's exact shape."""

from __future__ import annotations

from mvoi.paths import connect_build

# the public contract of marts.fct_kpi_values (docs/kpi_register.md, "The table BI tools read")
CONTRACT = [
    ("kpi_code", "VARCHAR"), ("theme", "VARCHAR"), ("scope_level", "VARCHAR"), ("scope_id", "VARCHAR"),
    ("year", "INTEGER"), ("numerator", "DOUBLE"), ("denominator", "DOUBLE"), ("value", "DOUBLE"),
    ("unit", "VARCHAR"), ("record_count", "BIGINT"), ("target_value", "DOUBLE"), ("meets_target", "BOOLEAN"),
]


def test_fct_kpi_values_has_the_contracted_columns(sample_build):
    with connect_build(sample_build.db_path, read_only=True) as con:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'fct_kpi_values' order by ordinal_position"
        ).fetchall()
    assert columns == CONTRACT


def test_every_register_kpi_has_a_value_for_an_organisation_and_year(sample_build):
    with connect_build(sample_build.db_path, read_only=True) as con:
        missing = con.execute(
            """
            select register.kpi_code
            from reference.kpi_register as register
            where not exists (
                select 1 from marts.fct_kpi_values as kpi
                where kpi.kpi_code = register.kpi_code
                  and kpi.scope_level = 'organisation'
                  and kpi.value is not null and kpi.value <> 0
            )
            """
        ).fetchall()
        codes = con.execute("select count(distinct kpi_code) from marts.fct_kpi_values").fetchone()[0]
        duplicates = con.execute(
            "select count(*) from (select kpi_code, scope_level, scope_id, year from marts.fct_kpi_values "
            "group by all having count(*) > 1)"
        ).fetchone()[0]
    assert missing == []
    assert codes == 24
    assert duplicates == 0
