-- grain: one row per (sector_id, year) with at least one invoice line, contract start or
-- awarded tender of the sector's product groups in that year
-- The sector cards (sectorkaarten): the product-card measures per sector, each computed from the
-- sector's own records (sums and distinct counts over its product groups' records; shares from
-- those sums), never as an average of product-group values.
with

sectors as (
    select * from {{ ref('dim_sectors') }}
),

measures as (
    {{ procurement_card_measures('sector_id') | indent(4) }}
),

final as (
    select
        measures.card_id as sector_id,
        measures.year,
        sectors.name_nl as sector_name_nl,
        sectors.name_en as sector_name_en,
        sectors.isv_risk_product_group_count,
        measures.spend_eur,
        measures.invoice_line_count,
        measures.emissions_t_co2e,
        measures.contract_value_eur,
        measures.contract_count,
        measures.awarded_tender_count,
        measures.awarded_tenders_with_criteria_count,
        measures.awarded_tenders_milieu_count,
        measures.awarded_tenders_klimaat_count,
        measures.awarded_tenders_circulair_count,
        measures.awarded_tenders_isv_count,
        measures.awarded_tenders_diversiteit_inclusie_count,
        measures.awarded_tenders_social_return_count,
        measures.awarded_tenders_with_criteria_pct,
        measures.awarded_tenders_milieu_pct,
        measures.awarded_tenders_klimaat_pct,
        measures.awarded_tenders_circulair_pct,
        measures.awarded_tenders_isv_pct,
        measures.awarded_tenders_diversiteit_inclusie_pct,
        measures.awarded_tenders_social_return_pct,
        measures.uncovered_isv_risk_spend_eur,
        measures.above_threshold_isv_risk_contract_count,
        measures.uncovered_isv_risk_contract_count,
        measures.supplier_count
    from measures
    inner join sectors
        on measures.card_id = sectors.sector_id
)

select
    sector_id,
    year,
    sector_name_nl,
    sector_name_en,
    isv_risk_product_group_count,
    spend_eur,
    invoice_line_count,
    emissions_t_co2e,
    contract_value_eur,
    contract_count,
    awarded_tender_count,
    awarded_tenders_with_criteria_count,
    awarded_tenders_milieu_count,
    awarded_tenders_klimaat_count,
    awarded_tenders_circulair_count,
    awarded_tenders_isv_count,
    awarded_tenders_diversiteit_inclusie_count,
    awarded_tenders_social_return_count,
    awarded_tenders_with_criteria_pct,
    awarded_tenders_milieu_pct,
    awarded_tenders_klimaat_pct,
    awarded_tenders_circulair_pct,
    awarded_tenders_isv_pct,
    awarded_tenders_diversiteit_inclusie_pct,
    awarded_tenders_social_return_pct,
    uncovered_isv_risk_spend_eur,
    above_threshold_isv_risk_contract_count,
    uncovered_isv_risk_contract_count,
    supplier_count
from final
