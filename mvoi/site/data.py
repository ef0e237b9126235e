"""What the site reads: the publication only (marts, governance counts, meta, reference).

The delivery marts (mart_delivery_completeness, mart_organisation_deliveries) are optional: a
publication made before the landing store lacks them, and the pages then leave their sections out.

Every query names its columns; none is personal data (no contact e-mail, invoice
description, supplier name or original landing record). The rows are unrounded; formatting
is mvoi.site.formatting's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from mvoi.paths import connect_build
from mvoi.report import queries
from mvoi.report.queries import Row, rows

# the themes of the cards' criteria columns (awarded_tenders_<theme>_count), with short labels
CARD_THEMES = (("milieu", "Milieu"), ("klimaat", "Klimaat"), ("circulair", "Circulair"), ("isv", "ISV"),
               ("diversiteit_inclusie", "D&I"), ("social_return", "SROI"))
CARD_COLUMNS = ", ".join((
    "spend_eur", "invoice_line_count", "emissions_t_co2e", "contract_value_eur", "contract_count",
    "awarded_tender_count", "awarded_tenders_with_criteria_count",
    *(f"awarded_tenders_{theme}_count" for theme, _ in CARD_THEMES),
    "uncovered_isv_risk_spend_eur", "uncovered_isv_risk_contract_count", "supplier_count",
))
REQUIRED = ("marts.fct_kpi_values", "marts.dim_kpis", "marts.dim_themes", "marts.dim_organisations",
            "marts.mart_product_cards", "marts.mart_sector_cards", "marts.dim_product_groups", "marts.dim_sectors")


class SiteDataError(RuntimeError):
    """The database is not an MVOI publication."""


@dataclass
class SiteData:
    db_path: Path
    kpis: dict[str, Row]
    themes: dict[str, Row]
    values: list[Row]
    organisations: dict[str, Row]
    product_groups: dict[str, Row]
    sectors: dict[str, Row]
    product_cards: list[Row]
    sector_cards: list[Row]
    org_product_spend: list[Row]
    org_product_tenders: list[Row]
    org_records: dict[str, Row]
    unclassified_divisions: list[Row]
    top_cpv: dict[str, list[Row]]
    reconciliation: list[Row]
    rejected_counts: list[Row]
    scorecard: list[Row]
    publication: Row
    sources: list[Row]
    export_files: list[str] = field(default_factory=list)
    # the delivery marts; empty in a publication made before the landing store
    completeness: list[Row] = field(default_factory=list)
    organisation_deliveries: list[Row] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return sorted({r["year"] for r in self.values})

    @property
    def latest_year(self) -> int | None:
        return max(self.years) if self.values else None

    def values_by_kpi(self) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = defaultdict(list)
        for r in self.values:
            out[r["kpi_code"]].append(r)
        return out


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    found = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return {f"{s}.{t}" for s, t in found}


def _optional(con: duckdb.DuckDBPyConnection, tables: set[str], table: str, sql: str) -> list[Row]:
    return rows(con, sql) if table in tables else []


def _organisation_records(con: duckdb.DuckDBPyConnection) -> dict[str, Row]:
    """Loaded records per organisation: tenders, contracts, invoice lines, realisations,
    material reports (counts only)."""
    counts: dict[str, Row] = defaultdict(dict)
    for entity, table in (("tenders", "fct_tenders"), ("contracts", "fct_contracts"), ("invoice_lines", "fct_spend"),
                          ("social_return_realisations", "fct_social_return_realisations"),
                          ("material_reports", "fct_material_reports")):
        for org, n in con.execute(f"select organisation_id, count(*) from marts.{table} group by 1").fetchall():
            counts[org][entity] = n
    return dict(counts)


def _top_cpv(con: duckdb.DuckDBPyConnection) -> dict[str, list[Row]]:
    """The five CPV codes with the most spend per product group (all years)."""
    found = rows(con, """
        with by_code as (
            select product_group_id, effective_cpv_code as cpv_code, sum(amount)::double as spend_eur,
                   count(*) as invoice_line_count
            from marts.fct_spend where effective_cpv_code is not null group by all
        ), ranked as (
            select *, row_number() over (partition by product_group_id order by spend_eur desc, cpv_code) as rn
            from by_code
        )
        select ranked.product_group_id, ranked.cpv_code, cpv.description_nl, ranked.spend_eur,
               ranked.invoice_line_count
        from ranked left join reference.cpv_codes as cpv on cpv.code = ranked.cpv_code
        where rn <= 5 order by product_group_id, rn""")
    out: dict[str, list[Row]] = defaultdict(list)
    for r in found:
        out[r["product_group_id"]].append(r)
    return dict(out)


def load(db_path: Path) -> SiteData:
    """Everything the site shows, read from the publication at `db_path` (read-only)."""
    con = connect_build(db_path, read_only=True)
    try:
        tables = _tables(con)
        missing = [t for t in REQUIRED if t not in tables]
        if missing:
            raise SiteDataError(f"{db_path} has no {', '.join(missing)}: is it an MVOI publication?")
        return _load(con, tables, db_path)
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection, tables: set[str], db_path: Path) -> SiteData:
    return SiteData(
        db_path=db_path,
        kpis=queries.kpi_register(con),
        themes={r["theme"]: r for r in rows(con, """
            select theme, name_nl, name_en, description, kpi_codes from marts.dim_themes""")},
        values=rows(con, """
            select kpi_code, theme, scope_level, scope_id, year, numerator, denominator, value, unit,
                   record_count, target_value, meets_target
            from marts.fct_kpi_values order by kpi_code, scope_level, scope_id, year"""),
        organisations={r["organisation_id"]: r for r in rows(con, """
            select organisation_id, name, government_layer, parent_organisation_id, parent_organisation_name
            from marts.dim_organisations order by name""")},
        product_groups={r["product_group_id"]: r for r in rows(con, """
            select product_group_id, name_nl, name_en, cluster, sector_id, isv_risk_category, is_isv_risk,
                   is_circular_priority, is_unclassified, cpv_prefixes
            from marts.dim_product_groups order by product_group_id""")},
        sectors={r["sector_id"]: r for r in rows(con, """
            select sector_id, name_nl, name_en, description, is_unclassified, product_group_count
            from marts.dim_sectors order by sector_id""")},
        product_cards=rows(con, f"select product_group_id, year, {CARD_COLUMNS} from marts.mart_product_cards"),
        sector_cards=rows(con, f"select sector_id, year, {CARD_COLUMNS} from marts.mart_sector_cards"),
        org_product_spend=rows(con, """
            select organisation_id, product_group_id, sum(amount)::double as spend_eur,
                   sum(kg_co2e)::double / 1000 as emissions_t_co2e, count(*) as invoice_line_count
            from marts.fct_spend group by all"""),
        org_product_tenders=rows(con, """
            select organisation_id, product_group_id, count(*) as awarded_tender_count,
                   count(*) filter (where has_criteria) as awarded_tenders_with_criteria_count
            from marts.fct_tenders where is_awarded group by all"""),
        org_records=_organisation_records(con),
        unclassified_divisions=rows(con, """
            select s.effective_cpv_division as division, max(cpv.description_nl) as description_nl,
                   sum(s.amount)::double as spend_eur, count(*) as invoice_line_count
            from marts.fct_spend as s
            left join reference.cpv_codes as cpv on cpv.code = rpad(s.effective_cpv_division, 8, '0')
            where s.product_group_id = 'unclassified' group by all order by spend_eur desc"""),
        top_cpv=_top_cpv(con),
        reconciliation=_optional(con, tables, "governance.landing_reconciliation", """
            select entity, raw_rows, loaded_rows, rejected_rows, exact_duplicates_removed, rejected_share
            from governance.landing_reconciliation order by entity_order"""),
        rejected_counts=_optional(con, tables, "governance.rejected_row_counts", """
            select entity, reason_code, row_count from governance.rejected_row_counts
            order by entity, row_count desc, reason_code"""),
        scorecard=_optional(con, tables, "governance.dq_scorecard", """
            select entity, dq_dimension, score::double as score, numerator::double as numerator,
                   denominator::double as denominator
            from governance.dq_scorecard where entity_kind = 'landing' order by entity, dq_dimension"""),
        publication=queries.publication(con) if "meta.publication" in tables else {},
        sources=_optional(con, tables, "meta.publication_sources",
                          "select entity, raw_rows, file_name from meta.publication_sources order by entity"),
        completeness=_optional(con, tables, "marts.mart_delivery_completeness", """
            select scope_level, scope_id, year, organisations_expected, organisations_delivered, share_delivered
            from marts.mart_delivery_completeness order by scope_level, scope_id, year"""),
        organisation_deliveries=_optional(con, tables, "marts.mart_organisation_deliveries", """
            select organisation_id, delivery_id, delivery_sequence, delivery_scope, period, received_at, status,
                   is_current, superseded_by, file_count, delivery_row_count, organisations_covered, entity,
                   reason_code, reason, rejected_rows
            from marts.mart_organisation_deliveries
            order by organisation_id, delivery_sequence, delivery_id, entity, rejected_rows desc, reason_code"""),
    )


def as_dict(row: Any) -> dict[str, Any]:
    return dict(row)
