"""What the report reads: the project's own tables, by their names and columns.

The publication (mvoi/publish.py) always holds marts.*, governance.landing_reconciliation,
governance.dq_scorecard and reference.*, plus meta.publication, meta.publication_sources and
meta.published_tables, and (since issue 13) governance.notice_reconciliation_counts, the
findings of governance.notice_reconciliation counted per organisation and finding. The
delivery marts (mart_delivery_completeness, fct_kpi_values_v2) came with the landing store: a
publication made before lacks them (`has_table`). The build database has the same marts and
governance tables but no meta schema (`has_publication`); and when a test upstream of the
scorecard failed, dbt skipped dq_scorecard, so a refused build's database may lack it
(`has_scorecard`). Every function returns plain rows (dicts of column -> value), unrounded;
formatting is the caller's.

The report reads no personal data: every query names its columns and none of them is a
contact e-mail, an invoice description or an original landing record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

Row = dict[str, Any]

# the tables, quoted as in SQL; the report also names them as the source of a section
FCT_KPI_VALUES = '"marts"."fct_kpi_values"'
FCT_KPI_VALUES_V2 = '"marts"."fct_kpi_values_v2"'
DELIVERY_COMPLETENESS = '"marts"."mart_delivery_completeness"'
DIM_KPIS = '"marts"."dim_kpis"'
DIM_THEMES = '"marts"."dim_themes"'
PRODUCT_CARDS = '"marts"."mart_product_cards"'
SCORECARD = '"governance"."dq_scorecard"'
LANDING_RECONCILIATION = '"governance"."landing_reconciliation"'
NOTICE_RECONCILIATION = '"governance"."notice_reconciliation"'
NOTICE_RECONCILIATION_COUNTS = '"governance"."notice_reconciliation_counts"'
DIM_ORGANISATIONS = '"marts"."dim_organisations"'
PUBLICATION = '"meta"."publication"'
PUBLICATION_SOURCES = '"meta"."publication_sources"'
PUBLISHED_TABLES = '"meta"."published_tables"'

REQUIRED_TABLES = (FCT_KPI_VALUES, DIM_KPIS, DIM_THEMES, PRODUCT_CARDS, LANDING_RECONCILIATION)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    found = con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = current_database()"
    ).fetchall()
    return {f'"{schema}"."{name}"' for schema, name in found}


def missing_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables every MVOI warehouse has that this database lacks (empty: a warehouse)."""
    existing = _existing_tables(con)
    return [table for table in REQUIRED_TABLES if table not in existing]


def has_publication(con: duckdb.DuckDBPyConnection) -> bool:
    """True for a publication; False for the build database (no meta schema)."""
    return PUBLICATION in _existing_tables(con)


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """True when `table` (quoted as the constants above) exists: the delivery marts are newer
    than some publications."""
    return table in _existing_tables(con)


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """True when marts.`table` has `column`."""
    return bool(con.execute(
        "select count(*) from information_schema.columns where table_catalog = current_database() "
        "and table_schema = 'marts' and table_name = ? and column_name = ?", [table, column]).fetchone()[0])


def has_scorecard(con: duckdb.DuckDBPyConnection) -> bool:
    """False only for the database of a build in which dbt skipped the scorecard."""
    return SCORECARD in _existing_tables(con)


# --------------------------------------------------------------------------------------
# KPIs


def kpi_register(con: duckdb.DuckDBPyConnection) -> dict[str, Row]:
    """kpi_code -> names, unit, definitions, direction, bounds and target text, by code."""
    found = rows(
        con,
        f"select kpi_code, theme, name_nl, name_en, unit, year_basis, numerator_definition, "
        f"denominator_definition, better, bounds, target_description from {DIM_KPIS} order by kpi_code",
    )
    return {r["kpi_code"]: r for r in found}


def themes(con: duckdb.DuckDBPyConnection) -> dict[str, Row]:
    """theme -> its Dutch and English name and description."""
    found = rows(con, f"select theme, name_nl, name_en, description from {DIM_THEMES}")
    return {r["theme"]: r for r in found}


def kpi_values(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """The national and government-layer values of every KPI (the report's level of detail),
    from fct_kpi_values; with the organisations reporting of those expected from
    fct_kpi_values v2 (same key), both None when the database has no v2."""
    columns = ", ".join(f"v1.{c}" for c in (
        "kpi_code", "theme", "scope_level", "scope_id", "year", "numerator", "denominator", "value", "unit",
        "record_count", "target_value", "meets_target"))
    organisations = "null as organisations_reporting, null as organisations_expected"
    joined = ""
    if has_table(con, FCT_KPI_VALUES_V2):
        organisations = "v2.organisations_reporting, v2.organisations_expected"
        joined = (f"left join {FCT_KPI_VALUES_V2} as v2 on v1.kpi_code = v2.kpi_code and v1.scope_level = "
                  "v2.scope_level and v1.scope_id = v2.scope_id and v1.year = v2.year")
        if _has_column(con, "fct_kpi_values_v2", "source"):  # v2 rows per source: v1's are self-reported
            joined += " and v2.source = 'self_reported'"
    return rows(
        con,
        f"select {columns}, {organisations} from {FCT_KPI_VALUES} as v1 {joined} "
        f"where v1.scope_level in ('national', 'government_layer') order by 1, 3, 4, 5",
    )


def delivery_completeness(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Per government layer and nationally, per year: organisations expected to report, those
    with an accepted current delivery covering the year, and the share (0-100)."""
    return rows(
        con,
        f"select scope_level, scope_id, year, organisations_expected, organisations_delivered, share_delivered "
        f"from {DELIVERY_COMPLETENESS} order by scope_level, scope_id, year",
    )


# --------------------------------------------------------------------------------------
# the two sources: public notices and self-reported


def has_notice_source(con: duckdb.DuckDBPyConnection) -> bool:
    """True when fct_kpi_values v2 has its `source` column (issue 13) and rows of source
    public_notices: a build that loaded notices."""
    if not has_table(con, FCT_KPI_VALUES_V2) or not _has_column(con, "fct_kpi_values_v2", "source"):
        return False
    return bool(con.execute(f"select count(*) from {FCT_KPI_VALUES_V2} where source = 'public_notices'").fetchone()[0])


def source_comparison(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """The national and government-layer rows of fct_kpi_values v2 of both sources for the
    KPIs that have notice-based values (per year); call only when `has_notice_source`."""
    return rows(
        con,
        f"select kpi_code, scope_level, scope_id, year, source, value, unit, record_count, "
        f"organisations_reporting, organisations_expected from {FCT_KPI_VALUES_V2} "
        f"where scope_level in ('national', 'government_layer') and kpi_code in "
        f"(select distinct kpi_code from {FCT_KPI_VALUES_V2} where source = 'public_notices') "
        f"order by kpi_code, year, scope_level, scope_id, source",
    )


def notice_reconciliation_counts(con: duckdb.DuckDBPyConnection) -> list[Row] | None:
    """Findings of governance.notice_reconciliation per organisation and finding, with the
    organisation's name and layer: from the publication's count table, else (the build
    database) counted from the reconciliation itself; None when neither is there."""
    existing = _existing_tables(con)
    if NOTICE_RECONCILIATION_COUNTS in existing:
        counts = f"select organisation_id, finding, row_count from {NOTICE_RECONCILIATION_COUNTS}"
    elif NOTICE_RECONCILIATION in existing:
        counts = (f"select organisation_id, finding, count(*) as row_count from {NOTICE_RECONCILIATION} "
                  "group by organisation_id, finding")
    else:
        return None
    return rows(
        con,
        f"select c.organisation_id, o.name as organisation_name, o.government_layer, c.finding, "
        f"c.row_count from ({counts}) as c left join {DIM_ORGANISATIONS} as o "
        f"on c.organisation_id = o.organisation_id order by c.organisation_id, c.finding",
    )


# --------------------------------------------------------------------------------------
# product groups, data quality


def product_group_totals(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Spend and estimated emissions per product group over all years of the cards."""
    return rows(
        con,
        f"select product_group_id, max(product_group_name_nl) as name, max(cluster) as cluster, "
        f"sum(spend_eur)::double as spend_eur, sum(emissions_t_co2e)::double as emissions_t_co2e, "
        f"min(year) as first_year, max(year) as last_year "
        f"from {PRODUCT_CARDS} group by product_group_id",
    )


def scorecard(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """The scorecard of the latest build (dq_scorecard holds that build only): per entity and
    NORA dimension the score (0-100), its numerator and denominator and the change."""
    return rows(
        con,
        f"select entity_kind as kind, entity, dq_dimension as dimension, score::double as score, "
        f"numerator::double as numerator, denominator::double as denominator, "
        f"score_change::double as score_change, run_id, run_at from {SCORECARD}",
    )


# --------------------------------------------------------------------------------------
# provenance


def publication(con: duckdb.DuckDBPyConnection) -> Row:
    """The publication record: run id, publication time, table count, export folder."""
    found = rows(con, f"select run_id, published_at, published_tables, export_folder from {PUBLICATION}")
    return found[0] if found else {}


def publication_sources(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Rows delivered per landing entity, with the file they came from."""
    return rows(con, f"select entity, raw_rows, file_name, file_format, loaded_at from {PUBLICATION_SOURCES}")


def published_tables(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return rows(con, f"select table_schema, table_name, row_count from {PUBLISHED_TABLES} order by 1, 2")


def landing_counts(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Rows delivered per landing entity and the build that loaded them (build database)."""
    return rows(con, f"select entity, raw_rows, run_id, loaded_at from {LANDING_RECONCILIATION}")
